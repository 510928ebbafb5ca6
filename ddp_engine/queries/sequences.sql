-- Sequences, with the column that owns them (serial) or the identity column they serve.
WITH {{extension_members(pg_class)}}, owner AS (
    SELECT d.objid, d.deptype, tc.relname AS table_name, tn.nspname AS table_schema,
           a.attname AS column_name
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class tc ON tc.oid OPERATOR(pg_catalog.=) d.refobjid
    JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) tc.relnamespace
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid
     AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid::pg_catalog.int2  -- (int2: by the index)
    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND d.refobjsubid OPERATOR(pg_catalog.>) 0
      AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog."char"[])
)
SELECT n.nspname AS schema_name,
       c.relname AS name,
       pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
       c.relpersistence AS persistence,
       o.deptype OPERATOR(pg_catalog.=) 'i' AS is_identity,
       o.table_schema AS owned_by_schema, o.table_name AS owned_by_table,
       o.column_name AS owned_by_column,
       dsc.description AS comment,
       coalesce(c.relacl, pg_catalog.acldefault('s', c.relowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
{{comment(dsc; c.oid; pg_class)}}
LEFT JOIN owner o ON o.objid OPERATOR(pg_catalog.=) c.oid
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s) AND ext.objid IS NULL
ORDER BY 1, 2
