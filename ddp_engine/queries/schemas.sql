-- Schemas in scope: the named ones, or every non-system schema when none is named.
SELECT n.nspname AS name,
       dsc.description AS comment,
       coalesce(n.nspacl, acldefault('n', n.nspowner))::text[] AS acl,
       pg_get_userbyid(n.nspowner) AS owner
FROM pg_namespace n
LEFT JOIN pg_description dsc
       ON dsc.objoid = n.oid AND dsc.classoid = 'pg_namespace'::regclass AND dsc.objsubid = 0
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
  AND (%(all)s OR n.nspname = ANY(%(schemas)s))
ORDER BY 1
