-- Row-level security policies.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       p.polname AS name,
       p.polcmd AS command,
       p.polpermissive AS permissive,
       coalesce((SELECT array_agg(CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END
                                  ORDER BY 1)
                 FROM unnest(p.polroles) r), '{}') AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
       dsc.description AS comment
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = p.oid AND dsc.classoid = 'pg_policy'::regclass AND dsc.objsubid = 0
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2, 3
