-- Schemas in scope: the named ones, or every non-system schema when none is named.
SELECT n.nspname AS name,
       dsc.description AS comment,
       coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(n.nspowner) AS owner
FROM pg_catalog.pg_namespace n
{{comment(dsc; n.oid; pg_namespace)}}
WHERE n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[])
  AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast|temp_|toast_temp_)'
  AND {{not_member(n.oid; pg_namespace)}}
  AND (%(all)s OR n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s))
ORDER BY 1
