-- Extensions installed into a schema in scope (or, for all schemas, every extension but plpgsql),
-- with the versions this server's packages can update each to (the plan asks for no other).
SELECT e.extname AS name, n.nspname AS schema_name, e.extversion AS version,
       ARRAY(
         SELECT u.target
         FROM pg_catalog.pg_extension_update_paths(e.extname) u
         WHERE u.source OPERATOR(pg_catalog.=) e.extversion AND u.path IS NOT NULL
         ORDER BY 1
       ) AS update_targets
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
WHERE e.extname OPERATOR(pg_catalog.<>) 'plpgsql'
  AND n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
ORDER BY 1
