-- User triggers (not internal, not cloned onto partitions from a parent's trigger).
WITH ext AS (
    SELECT objid FROM pg_catalog.pg_depend
    WHERE deptype OPERATOR(pg_catalog.=) 'e'
      AND classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       tg.tgname AS name,
       pg_catalog.pg_get_triggerdef(tg.oid, true) AS definition,
       tg.tgenabled AS enabled,
       dsc.description AS comment
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) tg.oid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) 0
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND NOT tg.tgisinternal
  AND tg.tgparentid OPERATOR(pg_catalog.=) 0
  AND ext.objid IS NULL
ORDER BY 1, 2, 3
