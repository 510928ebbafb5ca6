-- Sequences, with the column that owns them (serial) or the identity column they serve.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
), owner AS (
    SELECT d.objid, d.deptype, tc.relname AS table_name, tn.nspname AS table_schema, a.attname AS column_name
    FROM pg_depend d
    JOIN pg_class tc ON tc.oid = d.refobjid
    JOIN pg_namespace tn ON tn.oid = tc.relnamespace
    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
)
SELECT n.nspname AS schema_name,
       c.relname AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
       c.relpersistence AS persistence,
       o.deptype = 'i' AS is_identity,
       o.table_schema AS owned_by_schema, o.table_name AS owned_by_table, o.column_name AS owned_by_column,
       dsc.description AS comment,
       coalesce(c.relacl, acldefault('s', c.relowner))::text[] AS acl,
       pg_get_userbyid(c.relowner) AS owner
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = c.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
LEFT JOIN owner o ON o.objid = c.oid
LEFT JOIN ext ON ext.objid = c.oid
WHERE n.nspname = ANY(%(schemas)s) AND ext.objid IS NULL
ORDER BY 1, 2
