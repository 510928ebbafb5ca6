-- Operator families (their member operators and functions come with the operator classes).
SELECT n.nspname AS schema_name,
       pg_catalog.format('%%s USING %%s', f.opfname, am.amname) AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE OPERATOR FAMILY %%I.%%I USING %%I',
                             n.nspname, f.opfname, am.amname),
           CASE WHEN d.description IS NOT NULL THEN
               pg_catalog.format('COMMENT ON OPERATOR FAMILY %%I.%%I USING %%I IS %%L',
                                 n.nspname, f.opfname, am.amname, d.description) END
       ], NULL) AS statements,
       pg_catalog.format('DROP OPERATOR FAMILY %%I.%%I USING %%I', n.nspname, f.opfname, am.amname)
           AS drop_sql
FROM pg_catalog.pg_opfamily f
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) f.opfnamespace
JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) f.opfmethod
LEFT JOIN pg_catalog.pg_description d
       ON d.objoid OPERATOR(pg_catalog.=) f.oid
      AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_opfamily'::pg_catalog.regclass
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
                  WHERE x.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_opfamily'::pg_catalog.regclass
                    AND x.objid OPERATOR(pg_catalog.=) f.oid
                    AND x.deptype OPERATOR(pg_catalog.=) 'e')
ORDER BY 1, 2
