-- Foreign tables, written out whole: columns (type, options, NOT NULL, default, collation),
-- server, options, comments. They hold no rows of their own: changed ones are recreated.
WITH cols AS (
    SELECT a.attrelid,
           pg_catalog.string_agg(
               pg_catalog.format('%%I %%s%%s%%s%%s%%s', a.attname,
                   pg_catalog.format_type(a.atttypid, a.atttypmod),
                   {{options(a.attfdwoptions)}},
                   CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation
                         AND a.attcollation OPERATOR(pg_catalog.<>) 0 THEN
                       (SELECT pg_catalog.format(' COLLATE %%I.%%I', cn.nspname, co.collname)
                        FROM pg_catalog.pg_collation co
                        JOIN pg_catalog.pg_namespace cn
                          ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
                        WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation) ELSE '' END,
                   CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                   CASE WHEN ad.adbin IS NOT NULL THEN
                       ' DEFAULT ' OPERATOR(pg_catalog.||)
                       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END),
               E',\n    ' ORDER BY a.attnum) AS columns
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef ad
           ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
          AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
    WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
    GROUP BY a.attrelid
)
SELECT n.nspname AS schema_name,
       c.relname AS name,
       ARRAY[
           pg_catalog.format(E'CREATE FOREIGN TABLE %%I.%%I (\n    %%s\n) SERVER %%I%%s',
               n.nspname, c.relname, COALESCE(cols.columns, ''), s.srvname,
               {{options(ft.ftoptions)}})
       ]
       OPERATOR(pg_catalog.||) pg_catalog.array_remove(ARRAY[
           {{comment_on(FOREIGN TABLE %%I.%%I; n.nspname, c.relname)}}], NULL)
       OPERATOR(pg_catalog.||) COALESCE(
           (SELECT pg_catalog.array_agg(
                       pg_catalog.format('COMMENT ON COLUMN %%I.%%I.%%I IS %%L', n.nspname,
                                         c.relname, a.attname, dsc.description)
                       ORDER BY a.attnum)
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_description dsc
              ON dsc.objoid OPERATOR(pg_catalog.=) a.attrelid
             AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND dsc.objsubid OPERATOR(pg_catalog.=) a.attnum
            WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0
              AND NOT a.attisdropped),
           '{}') AS statements,
       pg_catalog.format('DROP FOREIGN TABLE %%I.%%I', n.nspname, c.relname) AS drop_sql
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid OPERATOR(pg_catalog.=) c.oid
JOIN pg_catalog.pg_foreign_server s ON s.oid OPERATOR(pg_catalog.=) ft.ftserver
LEFT JOIN cols ON cols.attrelid OPERATOR(pg_catalog.=) c.oid
{{comment(d; c.oid; pg_class)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND c.relkind OPERATOR(pg_catalog.=) 'f'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                  WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)
ORDER BY 1, 2
