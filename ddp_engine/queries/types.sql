-- Enums, domains, composite and range types (array and multirange types come with them).
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_type'::regclass
)
SELECT n.nspname AS schema_name,
       t.typname AS name,
       t.typtype AS type_kind,
       (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN
           (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                        ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
            WHERE co.oid = t.typcollation) END AS collation,
       (SELECT array_agg(quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid) ORDER BY co.conname)
        FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c') AS domain_constraints,
       (SELECT array_agg(ARRAY[co.conname, d.description] ORDER BY co.conname)
        FROM pg_constraint co JOIN pg_description d
          ON d.objoid = co.oid AND d.classoid = 'pg_constraint'::regclass
        WHERE co.contypid = t.oid) AS constraint_comments,
       (SELECT array_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                         || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE '
                            || (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                WHERE co.oid = a.attcollation) ELSE '' END
                         ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
        WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes,
       (SELECT concat_ws(', ',
                'SUBTYPE = ' || format_type(r.rngsubtype, NULL),
                CASE WHEN r.rngsubopc <> 0 AND NOT opc.opcdefault
                     THEN 'SUBTYPE_OPCLASS = ' || quote_ident(ocn.nspname) || '.' || quote_ident(opc.opcname) END,
                CASE WHEN r.rngcanonical <> 0 THEN 'CANONICAL = ' || r.rngcanonical::regproc::text END,
                CASE WHEN r.rngsubdiff <> 0 THEN 'SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text END,
                'MULTIRANGE_TYPE_NAME = ' || r.rngmultitypid::regtype::text)
        FROM pg_range r LEFT JOIN pg_opclass opc ON opc.oid = r.rngsubopc
        LEFT JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace
        WHERE r.rngtypid = t.oid) AS range_options,
       dsc.description AS comment,
       coalesce(t.typacl, acldefault('T', t.typowner))::text[] AS acl,
       pg_get_userbyid(t.typowner) AS owner
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = t.oid AND dsc.classoid = 'pg_type'::regclass AND dsc.objsubid = 0
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN ext ON ext.objid = t.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND t.typtype IN ('e', 'd', 'c', 'r')
  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND ext.objid IS NULL
ORDER BY 1, 2
