-- User-defined collations.
SELECT n.nspname AS schema_name,
       co.collname AS name,
       co.collprovider AS provider,
       co.collisdeterministic AS deterministic,
       co.collcollate AS lc_collate,
       co.collctype AS lc_ctype,
       coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale') AS icu_locale,
       dsc.description AS comment
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = co.oid AND dsc.classoid = 'pg_collation'::regclass AND dsc.objsubid = 0
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                  AND d.objid = co.oid AND d.deptype = 'e')
ORDER BY 1, 2
