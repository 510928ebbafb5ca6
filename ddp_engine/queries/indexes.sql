-- Indexes that no constraint owns and that were not cloned from a partitioned parent's index.
-- pg_get_indexdef always qualifies the table: the prefix up to USING is rebuilt in Python.
WITH {{extension_members(pg_class)}}, {{scope}}, constraint_index AS (
    SELECT conindid FROM pg_catalog.pg_constraint
    WHERE conindid OPERATOR(pg_catalog.<>) 0
      AND contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog."char"[])
)
SELECT n.nspname AS schema_name,
       t.relname AS table_name,
       i.relname AS name,
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_indexdef(i.oid) ELSE '' END AS definition,
       pg_catalog.format('CREATE %%sINDEX %%I ON %%s%%I.%%I ',
                         CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END,
                         i.relname,
                         CASE WHEN i.relkind OPERATOR(pg_catalog.=) 'I' THEN 'ONLY ' ELSE '' END,
                         n.nspname,
                         t.relname) AS definition_prefix,
       x.indisunique AS is_unique,
       -- a failed CREATE INDEX CONCURRENTLY leaves an index that is not valid (or not ready)
       x.indisvalid AND x.indisready AS valid,
       -- one index lookup per key column; '' for an expression (attnum 0); a single-column
       -- index, the most common, without unnesting and sorting its one element
       CASE WHEN x.indnkeyatts OPERATOR(pg_catalog.=) 1
            THEN ARRAY[coalesce((SELECT a.attname FROM pg_catalog.pg_attribute a
                                 WHERE a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                   AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]), '')]
            ELSE ARRAY(SELECT coalesce((SELECT a.attname FROM pg_catalog.pg_attribute a
                                        WHERE a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                                          AND a.attnum OPERATOR(pg_catalog.=) k.attnum), '')
                       FROM pg_catalog.unnest(
                                (x.indkey::pg_catalog.int2[])[0:x.indnkeyatts OPERATOR(pg_catalog.-) 1])
                            WITH ORDINALITY k(attnum, ord)
                       ORDER BY k.ord) END AS key_columns,
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_expr(x.indpred, x.indrelid) END AS predicate,
       t.relkind OPERATOR(pg_catalog.=) 'p' AS on_partitioned,
       dsc.description AS comment,
       x.indisclustered AS clustered,
       x.indisreplident AS replica_identity,
       coalesce(i.reloptions, '{}') AS options
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) x.indexrelid
JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) x.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.relnamespace
-- on a relation the scope leaves out: listed by name, not deparsed
{{relation_scope(t.oid)}}
{{comment(dsc; i.oid; pg_class)}}
LEFT JOIN constraint_index ci ON ci.conindid OPERATOR(pg_catalog.=) x.indexrelid
LEFT JOIN pg_catalog.pg_inherits ih ON ih.inhrelid OPERATOR(pg_catalog.=) x.indexrelid
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) t.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND ci.conindid IS NULL
  AND ih.inhrelid IS NULL
  AND ext.objid IS NULL
ORDER BY 1, 3
