-- Enums, domains, composite and range types (array and multirange types come with them). A
-- type the scope leaves out is listed by name, its default and checks not deparsed.
WITH {{extension_members(pg_type)}}, {{scope}}
SELECT n.nspname AS schema_name,
       t.typname AS name,
       t.typtype AS type_kind,
       (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)
        FROM pg_catalog.pg_enum e
        WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid) AS labels,
       CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'd'
            THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS not_null,
       CASE WHEN NOT ty.out
            THEN pg_catalog.pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
       CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'd'
             AND t.typcollation OPERATOR(pg_catalog.<>) bt.typcollation THEN
           {{collation_name(t.typcollation)}} END AS collation,
       (SELECT pg_catalog.array_agg(pg_catalog.format('%%I ', co.conname)
                                    OPERATOR(pg_catalog.||) pg_catalog.pg_get_constraintdef(co.oid)
                                    ORDER BY co.conname)
        FROM pg_catalog.pg_constraint co
        WHERE co.contypid OPERATOR(pg_catalog.=) t.oid
          AND co.contype OPERATOR(pg_catalog.=) 'c'
          AND NOT ty.out) AS domain_constraints,
       (SELECT pg_catalog.array_agg(ARRAY[co.conname::pg_catalog.text, d.description]
                                    ORDER BY co.conname)
        FROM pg_catalog.pg_constraint co
        JOIN pg_catalog.pg_description d
          ON d.objoid OPERATOR(pg_catalog.=) co.oid
         AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass
        WHERE co.contypid OPERATOR(pg_catalog.=) t.oid) AS constraint_comments,
       (SELECT pg_catalog.array_agg(
                   pg_catalog.format('%%I %%s', a.attname,
                                     pg_catalog.format_type(a.atttypid, a.atttypmod))
                   OPERATOR(pg_catalog.||)
                   CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) at.typcollation THEN
                       (SELECT pg_catalog.format(' COLLATE %%I.%%I', cn.nspname, co.collname)
                        FROM pg_catalog.pg_collation co
                        JOIN pg_catalog.pg_namespace cn
                          ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
                        WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation)
                   ELSE '' END
                   ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type at ON at.oid OPERATOR(pg_catalog.=) a.atttypid
        WHERE t.typtype OPERATOR(pg_catalog.=) 'c'
          AND a.attrelid OPERATOR(pg_catalog.=) t.typrelid
          AND a.attnum OPERATOR(pg_catalog.>) 0
          AND NOT a.attisdropped) AS attributes,
       (SELECT pg_catalog.concat_ws(', ',
                pg_catalog.format('SUBTYPE = %%s', pg_catalog.format_type(r.rngsubtype, NULL)),
                CASE WHEN r.rngsubopc OPERATOR(pg_catalog.<>) 0 AND NOT opc.opcdefault
                     THEN pg_catalog.format('SUBTYPE_OPCLASS = %%I.%%I',
                                            ocn.nspname, opc.opcname) END,
                CASE WHEN r.rngcanonical OPERATOR(pg_catalog.<>) 0
                     THEN pg_catalog.format('CANONICAL = %%s',
                                            r.rngcanonical::pg_catalog.regproc) END,
                CASE WHEN r.rngsubdiff OPERATOR(pg_catalog.<>) 0
                     THEN pg_catalog.format('SUBTYPE_DIFF = %%s',
                                            r.rngsubdiff::pg_catalog.regproc) END,
                pg_catalog.format('MULTIRANGE_TYPE_NAME = %%s',
                                  r.rngmultitypid::pg_catalog.regtype))
        FROM pg_catalog.pg_range r
        LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid OPERATOR(pg_catalog.=) r.rngsubopc
        LEFT JOIN pg_catalog.pg_namespace ocn ON ocn.oid OPERATOR(pg_catalog.=) opc.opcnamespace
        WHERE r.rngtypid OPERATOR(pg_catalog.=) t.oid) AS range_options,
       dsc.description AS comment,
       coalesce(t.typacl, pg_catalog.acldefault('T', t.typowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(t.typowner) AS owner
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
{{schema_scope(t.typnamespace)}}
-- whether the scope leaves it out
CROSS JOIN LATERAL (SELECT {{left_out(s; t.typname; '{"",type}'::pg_catalog.text[])}} AS out)
    AS ty
{{comment(dsc; t.oid; pg_type)}}
LEFT JOIN pg_catalog.pg_type bt ON bt.oid OPERATOR(pg_catalog.=) t.typbasetype
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) t.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND t.typtype OPERATOR(pg_catalog.=) ANY ('{e,d,c,r}'::pg_catalog."char"[])
  AND (t.typtype OPERATOR(pg_catalog.<>) 'c'
       OR (SELECT relkind FROM pg_catalog.pg_class
           WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
  AND ext.objid IS NULL
ORDER BY 1, 2
