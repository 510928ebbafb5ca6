-- Tables, partitioned tables, views, materialized views and sequences of the schemas in scope,
-- with what the CREATE statement needs. Extension members are left out.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_class'::regclass
)
SELECT n.nspname AS schema_name,
       c.relname AS name,
       c.relkind AS relkind,
       c.relpersistence AS persistence,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce((SELECT array_agg(i.inhparent::regclass::text ORDER BY i.inhseqno)
                 FROM pg_inherits i WHERE i.inhrelid = c.oid), '{}') AS parents,
       c.relispartition AS is_partition,
       coalesce(c.reloptions, '{}') AS options,
       c.relrowsecurity AS rls,
       c.relforcerowsecurity AS force_rls,
       c.relreplident AS replica_identity,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS view_definition,
       dsc.description AS comment,
       coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))::text[] AS acl,
       pg_get_userbyid(c.relowner) AS owner,
       CASE WHEN c.reloftype <> 0 THEN c.reloftype::regtype::text END AS of_type,
       -- PostgreSQL 18 names NOT NULL constraints (none before): column, name, inherited
       (SELECT array_agg(ARRAY[a.attname, k.conname, (NOT k.conislocal)::text] ORDER BY a.attname)
        FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.conrelid = c.oid AND k.contype = 'n') AS not_nulls,
       -- a partition's copies of its parent's indexes and constraints (dropped on detach)
       CASE WHEN c.relispartition THEN
           (SELECT array_agg(i.relname ORDER BY i.relname)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_inherits ih ON ih.inhrelid = x.indexrelid
            WHERE x.indrelid = c.oid
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                              WHERE k.conrelid = c.oid AND k.conindid = x.indexrelid)) END
           AS cloned_indexes,
       CASE WHEN c.relispartition THEN
           (SELECT array_agg(k.conname ORDER BY k.contype = 'f' DESC, k.conname)
            FROM pg_constraint k
            WHERE k.conrelid = c.oid AND k.conparentid <> 0 AND k.contype <> 'n') END
           AS cloned_constraints
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = c.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
LEFT JOIN ext ON ext.objid = c.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND ext.objid IS NULL
ORDER BY 1, 2
