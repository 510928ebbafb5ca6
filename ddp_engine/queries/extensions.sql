-- Extensions installed into a schema in scope (or, for all schemas, every extension but plpgsql).
SELECT e.extname AS name, n.nspname AS schema_name, e.extversion AS version
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
WHERE e.extname OPERATOR(pg_catalog.<>) 'plpgsql'
  AND n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
ORDER BY 1
