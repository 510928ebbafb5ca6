-- Objects in the schemas in scope that DDP does not model: reported in the script, never
-- silently skipped.
WITH objs AS (
    SELECT 'pg_rewrite'::regclass AS classid, r.oid AS objid, c.relnamespace AS nsp
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN'
    UNION ALL SELECT 'pg_class'::regclass, c.oid, c.relnamespace FROM pg_class c WHERE c.relkind = 'f'
    UNION ALL SELECT 'pg_statistic_ext'::regclass, s.oid, s.stxnamespace FROM pg_statistic_ext s
    UNION ALL SELECT 'pg_operator'::regclass, o.oid, o.oprnamespace FROM pg_operator o
    UNION ALL SELECT 'pg_opclass'::regclass, o.oid, o.opcnamespace FROM pg_opclass o
    UNION ALL SELECT 'pg_opfamily'::regclass, o.oid, o.opfnamespace FROM pg_opfamily o
    UNION ALL SELECT 'pg_conversion'::regclass, o.oid, o.connamespace FROM pg_conversion o
    UNION ALL SELECT 'pg_ts_config'::regclass, o.oid, o.cfgnamespace FROM pg_ts_config o
    UNION ALL SELECT 'pg_ts_dict'::regclass, o.oid, o.dictnamespace FROM pg_ts_dict o
    UNION ALL SELECT 'pg_ts_parser'::regclass, o.oid, o.prsnamespace FROM pg_ts_parser o
    UNION ALL SELECT 'pg_ts_template'::regclass, o.oid, o.tmplnamespace FROM pg_ts_template o
    UNION ALL SELECT 'pg_type'::regclass, t.oid, t.typnamespace FROM pg_type t
        WHERE (t.typtype = 'b' AND t.typelem = 0) OR (t.typtype = 'p' AND t.oid >= 16384)
)
SELECT n.nspname AS schema_name, i.type AS object_type, i.identity AS identity
FROM objs o
JOIN pg_namespace n ON n.oid = o.nsp
CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, 0) i
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.classid AND d.objid = o.objid
                  AND d.deptype IN ('e', 'i'))
ORDER BY 1, 2, 3
