-- Table constraints declared on the table itself (not inherited, not cloned onto partitions;
-- NOT NULL lives with the column). The backing index is named for the dependency map.
WITH {{extension_members(pg_class)}}, {{scope}}
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       co.conname AS name,
       co.contype AS constraint_type,
       CASE WHEN o.under_out IS NOT TRUE
            THEN pg_catalog.pg_get_constraintdef(co.oid) ELSE '' END AS definition,
       -- one index lookup per key column (a join here hashes every column of the table); a
       -- single-column key, the most common, without unnesting and sorting its one element
       CASE WHEN pg_catalog.cardinality(co.conkey) OPERATOR(pg_catalog.=) 1
            THEN ARRAY[(SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid OPERATOR(pg_catalog.=) co.conrelid
                          AND a.attnum OPERATOR(pg_catalog.=) co.conkey[1])]
            ELSE ARRAY(SELECT (SELECT a.attname FROM pg_catalog.pg_attribute a
                               WHERE a.attrelid OPERATOR(pg_catalog.=) co.conrelid
                                 AND a.attnum OPERATOR(pg_catalog.=) k.attnum)
                       FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY k(attnum, ord)
                       ORDER BY k.ord) END AS columns,
       CASE WHEN co.confkey IS NULL THEN '{}'::pg_catalog.name[]
            WHEN pg_catalog.cardinality(co.confkey) OPERATOR(pg_catalog.=) 1
            THEN ARRAY[(SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid OPERATOR(pg_catalog.=) co.confrelid
                          AND a.attnum OPERATOR(pg_catalog.=) co.confkey[1])]
            ELSE ARRAY(SELECT (SELECT a.attname FROM pg_catalog.pg_attribute a
                               WHERE a.attrelid OPERATOR(pg_catalog.=) co.confrelid
                                 AND a.attnum OPERATOR(pg_catalog.=) k.attnum)
                       FROM pg_catalog.unnest(co.confkey) WITH ORDINALITY k(attnum, ord)
                       ORDER BY k.ord) END AS ref_columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       co.condeferrable AS deferrable,
       co.convalidated AS validated,
       dsc.description AS comment,
       idsc.description AS index_comment,
       coalesce(x.indisclustered, false) AS clustered,
       coalesce(x.indisreplident, false) AS replica_identity
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) co.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
-- on a relation the scope leaves out: listed by name, not deparsed
{{relation_scope(c.oid)}}
LEFT JOIN pg_catalog.pg_class rc ON rc.oid OPERATOR(pg_catalog.=) co.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) rc.relnamespace
{{comment(dsc; co.oid; pg_constraint)}}
-- the index of a key, unique or exclusion constraint: its own comment and marks
LEFT JOIN pg_catalog.pg_index x
       ON x.indexrelid OPERATOR(pg_catalog.=) co.conindid
      AND co.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog."char"[])
{{comment(idsc; x.indexrelid; pg_class)}}
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND co.contype OPERATOR(pg_catalog.=) ANY ('{p,u,c,f,x}'::pg_catalog."char"[])
  AND co.conislocal
  AND co.conparentid OPERATOR(pg_catalog.=) 0
  AND ext.objid IS NULL
ORDER BY 1, 2, 3
