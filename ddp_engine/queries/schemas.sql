-- Schemas in scope: the named ones, or every non-system schema when none is named.
SELECT n.nspname AS name,
       dsc.description AS comment,
       coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(n.nspowner) AS owner
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) n.oid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) 0
WHERE n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[])
  AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
                    AND d.objid OPERATOR(pg_catalog.=) n.oid
                    AND d.deptype OPERATOR(pg_catalog.=) 'e')
  AND (%(all)s OR n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s))
ORDER BY 1
