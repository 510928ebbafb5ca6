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
                             CASE WHEN s.srvoptions IS NOT NULL THEN
                                 ' OPTIONS (' OPERATOR(pg_catalog.||)
                                 (SELECT pg_catalog.string_agg(
                                             pg_catalog.quote_ident(o.option_name)
                                             OPERATOR(pg_catalog.||) ' '
                                             OPERATOR(pg_catalog.||)
                                             pg_catalog.quote_literal(o.option_value), ', ')
                                  FROM pg_catalog.pg_options_to_table(s.srvoptions) o)
                                 OPERATOR(pg_catalog.||) ')'
                             ELSE '' END),
           CASE WHEN d.description IS NOT NULL THEN
               pg_catalog.format('COMMENT ON SERVER %%I IS %%L', s.srvname, d.description)
           END
       ], NULL) AS statements,
       pg_catalog.format('DROP SERVER %%I', s.srvname) AS drop_sql
FROM pg_catalog.pg_foreign_server s
JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid OPERATOR(pg_catalog.=) s.srvfdw
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid OPERATOR(pg_catalog.=) s.oid
      AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_foreign_server'::pg_catalog.regclass
WHERE %(all)s
ORDER BY 2
