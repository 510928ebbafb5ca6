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
{{comment(dsc; co.oid; pg_collation)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND {{not_member(co.oid; pg_collation)}}
ORDER BY 1, 2
