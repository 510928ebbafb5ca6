-- Row-level security policies.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       p.polname AS name,
       p.polcmd AS command,
       p.polpermissive AS permissive,
       coalesce((SELECT pg_catalog.array_agg(
                            CASE WHEN r OPERATOR(pg_catalog.=) 0 THEN 'public'
                                 ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END
                            ORDER BY 1)
                 FROM pg_catalog.unnest(p.polroles) r), '{}') AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
       dsc.description AS comment
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) p.oid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) 0
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
ORDER BY 1, 2, 3
