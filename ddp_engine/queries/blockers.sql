-- Who holds an ACCESS EXCLUSIVE lock on a relation in the schemas read: asked, in a fresh short
-- session, after a read of the catalog gave up waiting for a lock. Tables before their indexes.
SELECT n.nspname AS schema_name,
       c.relname AS relation,
       l.relation::pg_catalog.int8 AS relation_oid,
       l.pid,
       a.usename AS user_name,
       a.application_name,
       pg_catalog.concat(
           pg_catalog.to_char(pg_catalog.timezone('UTC', a.xact_start), 'YYYY-MM-DD HH24:MI:SS'),
           ' UTC') AS since
FROM pg_catalog.pg_locks l
LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) l.relation
LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid
WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'
  AND l.granted
  AND l.mode OPERATOR(pg_catalog.=) 'AccessExclusiveLock'
  AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
  AND l.database OPERATOR(pg_catalog.=) (
      SELECT d.oid FROM pg_catalog.pg_database d
      WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
  AND (%(all)s OR n.nspname OPERATOR(pg_catalog.=) ANY(%(schemas)s) OR n.nspname IS NULL)
ORDER BY CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'r' THEN 0
              WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN 1 ELSE 2 END,
         a.xact_start, l.pid
LIMIT 1
