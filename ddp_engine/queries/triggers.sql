-- User triggers (not internal, not cloned onto partitions from a parent's trigger).
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       tg.tgname AS name,
       pg_get_triggerdef(tg.oid, true) AS definition,
       tg.tgenabled AS enabled,
       dsc.description AS comment
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = tg.oid AND dsc.classoid = 'pg_trigger'::regclass AND dsc.objsubid = 0
LEFT JOIN ext ON ext.objid = c.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT tg.tgisinternal
  AND tg.tgparentid = 0
  AND ext.objid IS NULL
ORDER BY 1, 2, 3
