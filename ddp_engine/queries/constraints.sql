-- Table constraints declared on the table itself (not inherited, not cloned onto partitions;
-- NOT NULL lives with the column). The backing index is named for the dependency map.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
)
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       co.conname AS name,
       co.contype AS constraint_type,
       pg_get_constraintdef(co.oid) AS definition,
       -- one index lookup per key column (a join here hashes every column of the table)
       ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = co.conrelid AND a.attnum = k.attnum)
             FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) AS columns,
       ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                     WHERE a.attrelid = co.confrelid AND a.attnum = k.attnum)
             FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord) ORDER BY k.ord) AS ref_columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       co.condeferrable AS deferrable,
       co.convalidated AS validated,
       dsc.description AS comment
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = co.oid AND dsc.classoid = 'pg_constraint'::regclass AND dsc.objsubid = 0
LEFT JOIN ext ON ext.objid = c.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND co.contype IN ('p', 'u', 'c', 'f', 'x')
  AND co.conislocal
  AND co.conparentid = 0
  AND ext.objid IS NULL
ORDER BY 1, 2, 3
