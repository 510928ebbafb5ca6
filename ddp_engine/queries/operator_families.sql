-- Operator families (their member operators and functions come with the operator classes).
SELECT n.nspname AS schema_name,
       pg_catalog.format('%%s USING %%s', f.opfname, am.amname) AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE OPERATOR FAMILY %%I.%%I USING %%I',
                             n.nspname, f.opfname, am.amname),
           {{comment_on(OPERATOR FAMILY %%I.%%I USING %%I; n.nspname, f.opfname, am.amname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP OPERATOR FAMILY %%I.%%I USING %%I', n.nspname, f.opfname, am.amname)
           AS drop_sql
FROM pg_catalog.pg_opfamily f
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) f.opfnamespace
JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) f.opfmethod
{{comment(d; f.oid; pg_opfamily)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND {{not_member(f.oid; pg_opfamily)}}
ORDER BY 1, 2
