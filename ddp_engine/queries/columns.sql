-- Columns of tables, views and materialized views (one row each; grouped per relation in Python).
-- Types print through format_type, so in-schema types are unqualified under the search_path rule.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default_expr,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       -- PostgreSQL 18: computed when read ('v'), not stored ('s')
       a.attgenerated OPERATOR(pg_catalog.=) 'v' AS virtual,
       nullif(a.attidentity::text, '') AS identity,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN
           (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                        ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
            WHERE co.oid = a.attcollation) END AS collation,
       nullif(a.attstattarget, -1) AS statistics,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       dsc.description AS comment,
       a.attacl::text[] AS acl
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_description dsc
       ON dsc.objoid = a.attrelid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = a.attnum
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN ext ON ext.objid = c.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attinhcount = 0  -- an inherited column belongs to its parent
  AND ext.objid IS NULL
ORDER BY n.nspname, c.relname, a.attnum
