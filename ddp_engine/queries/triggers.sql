-- User triggers (not internal, not cloned onto partitions from a parent's trigger).
WITH {{extension_members(pg_class)}}, {{scope}}
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       tg.tgname AS name,
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_triggerdef(tg.oid, true) ELSE '' END AS definition,
       tg.tgenabled AS enabled,
       dsc.description AS comment
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
-- on a relation the scope leaves out: listed by name, not deparsed
{{relation_scope(c.oid)}}
{{comment(dsc; tg.oid; pg_trigger)}}
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND NOT tg.tgisinternal
  AND tg.tgparentid OPERATOR(pg_catalog.=) 0
  AND ext.objid IS NULL
ORDER BY 1, 2, 3
