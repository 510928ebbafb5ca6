-- Extended statistics objects, deparsed by pg_get_statisticsobjdef, with their statistics
-- target (NULL from PostgreSQL 17 on, -1 before, where it is the default) and comment.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       s.stxname AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.pg_get_statisticsobjdef(s.oid),
           CASE WHEN COALESCE(s.stxstattarget::pg_catalog.int4, -1) OPERATOR(pg_catalog.<>) -1
                THEN pg_catalog.format('ALTER STATISTICS %%I.%%I SET STATISTICS %%s',
                                       n.nspname, s.stxname, s.stxstattarget) END,
           {{comment_on(STATISTICS %%I.%%I; n.nspname, s.stxname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP STATISTICS %%I.%%I', n.nspname, s.stxname) AS drop_sql
FROM pg_catalog.pg_statistic_ext s
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) s.stxnamespace
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.stxrelid
{{comment(d; s.oid; pg_statistic_ext)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
ORDER BY 1, 3
