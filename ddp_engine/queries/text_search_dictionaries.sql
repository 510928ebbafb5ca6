-- Text search dictionaries: template and options as the catalog keeps them.
SELECT n.nspname AS schema_name,
       dct.dictname AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE TEXT SEARCH DICTIONARY %%I.%%I (TEMPLATE = %%I.%%I%%s)',
                             n.nspname, dct.dictname, tn.nspname, t.tmplname,
                             CASE WHEN dct.dictinitoption IS NOT NULL
                                  THEN ', ' OPERATOR(pg_catalog.||) dct.dictinitoption
                                  ELSE '' END),
           {{comment_on(TEXT SEARCH DICTIONARY %%I.%%I; n.nspname, dct.dictname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP TEXT SEARCH DICTIONARY %%I.%%I', n.nspname, dct.dictname) AS drop_sql
FROM pg_catalog.pg_ts_dict dct
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) dct.dictnamespace
JOIN pg_catalog.pg_ts_template t ON t.oid OPERATOR(pg_catalog.=) dct.dicttemplate
JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.tmplnamespace
{{comment(d; dct.oid; pg_ts_dict)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND {{not_member(dct.oid; pg_ts_dict)}}
ORDER BY 1, 2
