-- Rules other than a view's own _RETURN rule, deparsed whole by pg_get_ruledef (every name
-- qualified under the empty search_path), with their enabled state and comment.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       r.rulename AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.rtrim(pg_catalog.pg_get_ruledef(r.oid), ';'),
           CASE WHEN r.ev_enabled OPERATOR(pg_catalog.<>) 'O' THEN
               pg_catalog.format('ALTER TABLE %%I.%%I %%s RULE %%I', n.nspname, c.relname,
                                 CASE WHEN r.ev_enabled OPERATOR(pg_catalog.=) 'D' THEN 'DISABLE'
                                                   WHEN r.ev_enabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
                                                   ELSE 'ENABLE REPLICA' END,
                                 r.rulename) END,
           {{comment_on(RULE %%I ON %%I.%%I; r.rulename, n.nspname, c.relname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP RULE %%I ON %%I.%%I', r.rulename, n.nspname, c.relname) AS drop_sql
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
{{comment(d; r.oid; pg_rewrite)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND r.rulename OPERATOR(pg_catalog.<>) '_RETURN'
ORDER BY 1, 2, 3
