-- Tables, partitioned tables, views, materialized views and sequences of the schemas in scope,
-- with what the CREATE statement needs. Extension members are left out; what the scope leaves
-- out is listed by name, with none of the rest (out_of_scope).
WITH {{extension_members(pg_class)}}, {{scope}}
SELECT n.nspname AS schema_name,
       c.relname AS name,
       c.relkind AS relkind,
       c.relpersistence AS persistence,
       coalesce(o.out, false) AS out_of_scope,
       CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' AND o.out IS NOT TRUE
            THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition AND o.out IS NOT TRUE
            THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce((SELECT pg_catalog.array_agg(
                            i.inhparent::pg_catalog.regclass::pg_catalog.text ORDER BY i.inhseqno)
                 FROM pg_catalog.pg_inherits i
                 WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid), '{}') AS parents,
       c.relispartition AS is_partition,
       coalesce(c.reloptions, '{}') AS options,
       c.relrowsecurity AS rls,
       c.relforcerowsecurity AS force_rls,
       c.relreplident AS replica_identity,
       -- a view's definition comes from view_definitions.sql, a batch at a time
       c.oid::pg_catalog.int8 AS oid,
       dsc.description AS comment,
       coalesce(c.relacl,
                pg_catalog.acldefault(CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's'
                                           ELSE 'r' END::pg_catalog."char",
                                      c.relowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       CASE WHEN c.reloftype OPERATOR(pg_catalog.<>) 0
            THEN c.reloftype::pg_catalog.regtype::pg_catalog.text END AS of_type,
       -- PostgreSQL 18 names NOT NULL constraints (none before): column, name, inherited
       -- (from a parent, whether or not also the table's own: it cannot be renamed)
       CASE WHEN o.out IS NOT TRUE THEN nn.not_nulls END AS not_nulls,
       -- inherited columns where the table differs from its parents: its own default (or
       -- none where they have one), its own NOT NULL: column, default, default differs, not null
       -- (only a table with parents has any: looked for in those alone)
       CASE WHEN o.out IS NOT TRUE AND EXISTS (SELECT FROM pg_catalog.pg_inherits i
                                                WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid) THEN
       (SELECT pg_catalog.array_agg(ARRAY[a.attname, a.def, a.own_def::pg_catalog.text,
                                          a.own_nn::pg_catalog.text] ORDER BY a.attname)
        FROM (SELECT a.attname, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS def,
                     NOT EXISTS (
                         SELECT 1 FROM pg_catalog.pg_inherits i
                         JOIN pg_catalog.pg_attribute pa
                           ON pa.attrelid OPERATOR(pg_catalog.=) i.inhparent
                          AND pa.attname OPERATOR(pg_catalog.=) a.attname
                         LEFT JOIN pg_catalog.pg_attrdef pd
                           ON pd.adrelid OPERATOR(pg_catalog.=) pa.attrelid
                          AND pd.adnum OPERATOR(pg_catalog.=) pa.attnum
                         WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid
                           AND coalesce(pg_catalog.pg_get_expr(pd.adbin, pd.adrelid)
                                            OPERATOR(pg_catalog.=)
                                        pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                                        pd.oid IS NULL AND ad.oid IS NULL)) AS own_def,
                     a.attnotnull AND NOT EXISTS (
                         SELECT 1 FROM pg_catalog.pg_inherits i
                         JOIN pg_catalog.pg_attribute pa
                           ON pa.attrelid OPERATOR(pg_catalog.=) i.inhparent
                          AND pa.attname OPERATOR(pg_catalog.=) a.attname
                         WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid
                           AND pa.attnotnull) AS own_nn
              FROM pg_catalog.pg_attribute a
              LEFT JOIN pg_catalog.pg_attrdef ad
                     ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
                    AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
              WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
                AND a.attinhcount OPERATOR(pg_catalog.>) 0
                AND a.attnum OPERATOR(pg_catalog.>) 0
                AND NOT a.attisdropped
                AND a.attgenerated OPERATOR(pg_catalog.=) '') AS a
        WHERE a.own_def OR a.own_nn) END AS inherited_own,
       -- a partition's copies of its parent's indexes and constraints (dropped on detach)
       CASE WHEN c.relispartition AND o.out IS NOT TRUE THEN
           (SELECT pg_catalog.array_agg(i.relname ORDER BY i.relname)
            FROM pg_catalog.pg_index x
            JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) x.indexrelid
            JOIN pg_catalog.pg_inherits ih ON ih.inhrelid OPERATOR(pg_catalog.=) x.indexrelid
            WHERE x.indrelid OPERATOR(pg_catalog.=) c.oid
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                              WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid
                                AND k.conindid OPERATOR(pg_catalog.=) x.indexrelid)) END
           AS cloned_indexes,
       CASE WHEN c.relispartition AND o.out IS NOT TRUE THEN
           (SELECT pg_catalog.array_agg(k.conname
                                        ORDER BY k.contype OPERATOR(pg_catalog.=) 'f' DESC,
                                                 k.conname)
            FROM pg_catalog.pg_constraint k
            WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid
              AND k.conparentid OPERATOR(pg_catalog.<>) 0
              AND k.contype OPERATOR(pg_catalog.<>) 'n') END
           AS cloned_constraints
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
{{relation_scope(c.oid)}}
{{comment(dsc; c.oid; pg_class)}}
-- the NOT NULL constraints of every table at once (one pass, not a lookup per relation)
LEFT JOIN (
    SELECT k.conrelid,
           pg_catalog.array_agg(ARRAY[a.attname, k.conname,
                                      (k.coninhcount OPERATOR(pg_catalog.>) 0)::pg_catalog.text]
                                ORDER BY a.attname) AS not_nulls
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_namespace kn ON kn.oid OPERATOR(pg_catalog.=) k.connamespace
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid OPERATOR(pg_catalog.=) k.conrelid
     AND a.attnum OPERATOR(pg_catalog.=) k.conkey[1]
    WHERE k.contype OPERATOR(pg_catalog.=) 'n'
      AND kn.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
    GROUP BY k.conrelid
) nn ON nn.conrelid OPERATOR(pg_catalog.=) c.oid
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) c.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f}'::pg_catalog."char"[])
  AND ext.objid IS NULL
ORDER BY 1, 2
