-- User-defined collations.
SELECT n.nspname AS schema_name,
       co.collname AS name,
       co.collprovider AS provider,
       co.collisdeterministic AS deterministic,
       co.collcollate AS lc_collate,
       co.collctype AS lc_ctype,
       coalesce(pg_catalog.to_jsonb(co) OPERATOR(pg_catalog.->>) 'colllocale',
                pg_catalog.to_jsonb(co) OPERATOR(pg_catalog.->>) 'colliculocale') AS icu_locale,
       dsc.description AS comment
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) co.collnamespace
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) co.oid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_collation'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) 0
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_collation'::pg_catalog.regclass
                    AND d.objid OPERATOR(pg_catalog.=) co.oid
                    AND d.deptype OPERATOR(pg_catalog.=) 'e')
ORDER BY 1, 2
