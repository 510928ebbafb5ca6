-- Row-level security policies (not deparsed on a relation the scope leaves out).
WITH {{scope}}
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
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_expr(p.polqual, p.polrelid) END AS using_expr,
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) END AS check_expr,
       dsc.description AS comment
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
{{relation_scope(c.oid)}}
{{comment(dsc; p.oid; pg_policy)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
ORDER BY 1, 2, 3
