-- Columns of tables, views and materialized views (one row each; grouped per relation in Python,
-- in the order of their attnum).
-- Types print through format_type, which names the schema of a type the search_path does not
-- find (every user type under the empty search_path). Relations the scope leaves out have none.
WITH {{extension_members(pg_class)}}, {{scope}}
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull AS not_null,
       -- A default names no column (PostgreSQL refuses one), so it deparses without its table:
       -- with the relation's oid, pg_get_expr opens the relation (relcache, lock) for every
       -- table with a default. A generated column names columns of its table, so it needs it.
       CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) ''
            THEN pg_catalog.pg_get_expr(ad.adbin, 0) END AS default_expr,
       CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) ''
            THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       -- PostgreSQL 18: computed when read ('v'), not stored ('s')
       a.attgenerated OPERATOR(pg_catalog.=) 'v' AS virtual,
       CASE WHEN a.attidentity OPERATOR(pg_catalog.<>) ''
            THEN a.attidentity::pg_catalog.text END AS identity,
       CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation
             AND a.attcollation OPERATOR(pg_catalog.<>) 0 THEN
           {{collation_name(a.attcollation)}} END AS collation,
       CASE WHEN a.attstattarget OPERATOR(pg_catalog.<>) -1 THEN a.attstattarget END AS statistics,
       CASE WHEN a.attstorage OPERATOR(pg_catalog.<>) t.typstorage
            THEN a.attstorage::pg_catalog.text END AS storage,
       a.attnum AS position,
       dsc.description AS comment,
       a.attacl::pg_catalog.text[] AS acl,
       CASE WHEN a.attcompression OPERATOR(pg_catalog.<>) ''
            THEN a.attcompression::pg_catalog.text END AS compression,
       -- the planner's settings; a build's own bookkeeping option (pg_attver) is no setting
       -- (a column whose only option is that one, on such a build every column, is tested
       -- without unnesting: a sort per column cost a sixth of this query)
       CASE WHEN a.attoptions IS NULL
                 OR (pg_catalog.cardinality(a.attoptions) OPERATOR(pg_catalog.=) 1
                     AND a.attoptions[1] OPERATOR(pg_catalog.~~) 'pg\_attver=%%') THEN NULL
            ELSE ARRAY(SELECT o FROM pg_catalog.unnest(a.attoptions) o
                       WHERE NOT o OPERATOR(pg_catalog.~~) 'pg\_attver=%%' ORDER BY o) END AS options
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
{{relation_scope(c.oid)}}
JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) a.attrelid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) a.attnum
LEFT JOIN pg_catalog.pg_attrdef ad
       ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
      AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f}'::pg_catalog."char"[])
  AND a.attnum OPERATOR(pg_catalog.>) 0
  AND NOT a.attisdropped
  AND a.attinhcount OPERATOR(pg_catalog.=) 0  -- an inherited column belongs to its parent
  AND ext.objid IS NULL
  AND o.out IS NOT TRUE
-- No ORDER BY: sorting every column by name took a fifth of the query; the reader puts each
-- relation's columns in attnum order itself (they come in that order from the index).
