-- Indexes that no constraint owns and that were not cloned from a partitioned parent's index.
-- pg_get_indexdef always qualifies the table: the prefix up to USING is rebuilt in Python.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
), constraint_index AS (
    SELECT conindid FROM pg_constraint WHERE conindid <> 0 AND contype IN ('p', 'u', 'x')
)
SELECT n.nspname AS schema_name,
       t.relname AS table_name,
       i.relname AS name,
       pg_get_indexdef(i.oid) AS definition,
       'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(i.relname)
           || ' ON ' || CASE WHEN i.relkind = 'I' THEN 'ONLY ' ELSE '' END
           || quote_ident(n.nspname) || '.' || quote_ident(t.relname) || ' ' AS definition_prefix,
       x.indisunique AS is_unique,
       -- a failed CREATE INDEX CONCURRENTLY leaves an index that is not valid (or not ready)
       x.indisvalid AND x.indisready AS valid,
       -- one index lookup per key column; '' for an expression (attnum 0)
       ARRAY(SELECT coalesce((SELECT a.attname FROM pg_attribute a
                              WHERE a.attrelid = x.indrelid AND a.attnum = k.attnum), '')
             FROM unnest((x.indkey::int2[])[0:x.indnkeyatts - 1]) WITH ORDINALITY k(attnum, ord)
             ORDER BY k.ord) AS key_columns,
       pg_get_expr(x.indpred, x.indrelid) AS predicate,
       t.relkind = 'p' AS on_partitioned,
       dsc.description AS comment,
       coalesce(i.reloptions, '{}') AS options
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = i.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
LEFT JOIN constraint_index ci ON ci.conindid = x.indexrelid
LEFT JOIN pg_inherits ih ON ih.inhrelid = x.indexrelid
LEFT JOIN ext ON ext.objid = t.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND ci.conindid IS NULL
  AND ih.inhrelid IS NULL
  AND ext.objid IS NULL
ORDER BY 1, 3
