-- Objects in the schemas in scope that DDP does not model: reported in the script, never
-- silently skipped.
WITH objs AS (
    SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass AS classid, r.oid AS objid,
           c.relnamespace AS nsp
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
    WHERE r.rulename OPERATOR(pg_catalog.<>) '_RETURN'
    UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, c.relnamespace
              FROM pg_catalog.pg_class c WHERE c.relkind OPERATOR(pg_catalog.=) 'f'
    UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, s.oid, s.stxnamespace
              FROM pg_catalog.pg_statistic_ext s
    UNION ALL SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, o.oprnamespace
              FROM pg_catalog.pg_operator o
    UNION ALL SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, o.oid, o.opcnamespace
              FROM pg_catalog.pg_opclass o
    UNION ALL SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, o.oid, o.opfnamespace
              FROM pg_catalog.pg_opfamily o
    UNION ALL SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid, o.connamespace
              FROM pg_catalog.pg_conversion o
    UNION ALL SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass, o.oid, o.cfgnamespace
              FROM pg_catalog.pg_ts_config o
    UNION ALL SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, o.oid, o.dictnamespace
              FROM pg_catalog.pg_ts_dict o
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
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) o.classid
                    AND d.objid OPERATOR(pg_catalog.=) o.objid
                    AND d.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::pg_catalog."char"[]))
ORDER BY 1, 2, 3
