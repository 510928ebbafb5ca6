-- Objects in the schemas in scope that DDP does not model: reported in the script, never
-- silently skipped (but not in a schema the scope leaves out).
WITH objs AS (
    -- a foreign table that is a partition or inheritance child (foreign_tables.sql reads the others)
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid,
           c.relnamespace AS nsp
    FROM pg_catalog.pg_class c
    WHERE c.relkind OPERATOR(pg_catalog.=) 'f'
      AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                  WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)
    UNION ALL SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid, o.connamespace
              FROM pg_catalog.pg_conversion o
    UNION ALL SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, o.oid, o.prsnamespace
              FROM pg_catalog.pg_ts_parser o
    UNION ALL SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass, o.oid, o.tmplnamespace
              FROM pg_catalog.pg_ts_template o
    UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, t.typnamespace
              FROM pg_catalog.pg_type t
              WHERE (t.typtype OPERATOR(pg_catalog.=) 'b'
                     AND t.typelem OPERATOR(pg_catalog.=) 0)
                 OR (t.typtype OPERATOR(pg_catalog.=) 'p'
                     AND t.oid OPERATOR(pg_catalog.>=) 16384)
)
SELECT n.nspname AS schema_name, i.type AS object_type, i.identity AS identity
FROM objs o
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.nsp
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) i
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND n.nspname OPERATOR(pg_catalog.<>) ALL (%(out_schemas)s::pg_catalog.text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) o.classid
                    AND d.objid OPERATOR(pg_catalog.=) o.objid
                    AND d.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::pg_catalog."char"[]))
ORDER BY 1, 2, 3
