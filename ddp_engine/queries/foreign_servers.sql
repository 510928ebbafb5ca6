-- Foreign servers: database-wide, read only when every schema is synchronised. Their user
-- mappings hold passwords: never read.
SELECT '' AS schema_name,
       s.srvname AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE SERVER %%I%%s%%s FOREIGN DATA WRAPPER %%I%%s',
                             s.srvname,
                             CASE WHEN s.srvtype IS NOT NULL
                                  THEN ' TYPE ' OPERATOR(pg_catalog.||)
                                       pg_catalog.quote_literal(s.srvtype) ELSE '' END,
                             CASE WHEN s.srvversion IS NOT NULL
                                  THEN ' VERSION ' OPERATOR(pg_catalog.||)
                                       pg_catalog.quote_literal(s.srvversion) ELSE '' END,
                             w.fdwname,
                             {{options(s.srvoptions)}}),
           {{comment_on(SERVER %%I; s.srvname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP SERVER %%I', s.srvname) AS drop_sql
FROM pg_catalog.pg_foreign_server s
JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid OPERATOR(pg_catalog.=) s.srvfdw
{{comment(d; s.oid; pg_foreign_server)}}
WHERE %(all)s
ORDER BY 2
