-- Objects in the schemas in scope that DDP does not model, with what they are (a definition
-- compared as text, so that one changed under the same name is not "in sync"): reported in
-- the script, never silently skipped (but not in a schema the scope leaves out).
WITH objs AS (
    -- a foreign table that is a partition or inheritance child (foreign_tables.sql reads the others)
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid,
           c.relnamespace AS nsp,
           pg_catalog.concat_ws(' ', s.srvname, ft.ftoptions::pg_catalog.text,
                                pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname)
                                            OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
                                            ty.typname::pg_catalog.text, ', ' ORDER BY a.attnum)
                                 FROM pg_catalog.pg_attribute a
                                 JOIN pg_catalog.pg_type ty
                                   ON ty.oid OPERATOR(pg_catalog.=) a.atttypid
                                 WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
                                   AND a.attnum OPERATOR(pg_catalog.>) 0
                                   AND NOT a.attisdropped)) AS definition
    FROM pg_catalog.pg_class c
    LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid OPERATOR(pg_catalog.=) c.oid
    LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid OPERATOR(pg_catalog.=) ft.ftserver
    WHERE c.relkind OPERATOR(pg_catalog.=) 'f'
      AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                  WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid)
    UNION ALL SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid, o.connamespace,
              pg_catalog.concat_ws(' ', pg_catalog.pg_encoding_to_char(o.conforencoding),
                                   pg_catalog.pg_encoding_to_char(o.contoencoding),
                                   {{proc_names(ARRAY[o.conproc]::pg_catalog.oid[])}}, o.condefault)
              FROM pg_catalog.pg_conversion o
    UNION ALL SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, o.oid, o.prsnamespace,
              {{proc_names(ARRAY[o.prsstart, o.prstoken, o.prsend, o.prsheadline,
                                 o.prslextype]::pg_catalog.oid[])}}
              FROM pg_catalog.pg_ts_parser o
    UNION ALL SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass, o.oid, o.tmplnamespace,
              {{proc_names(ARRAY[o.tmplinit, o.tmpllexize]::pg_catalog.oid[])}}
              FROM pg_catalog.pg_ts_template o
    UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, t.typnamespace,
              pg_catalog.concat_ws(' ', t.typlen, t.typbyval, t.typalign, t.typstorage,
                                   t.typcategory, t.typispreferred, t.typdelim,
                                   {{proc_names(ARRAY[t.typinput, t.typoutput, t.typreceive,
                                                      t.typsend, t.typmodin, t.typmodout,
                                                      t.typanalyze]::pg_catalog.oid[])}})
              FROM pg_catalog.pg_type t
              WHERE (t.typtype OPERATOR(pg_catalog.=) 'b'
                     AND t.typelem OPERATOR(pg_catalog.=) 0)
                 OR (t.typtype OPERATOR(pg_catalog.=) 'p'
                     AND t.oid OPERATOR(pg_catalog.>=) 16384)
)
SELECT n.nspname AS schema_name, i.type AS object_type, i.identity AS identity,
       coalesce(o.definition, '') AS definition
FROM objs o
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.nsp
CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) i
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND n.nspname OPERATOR(pg_catalog.<>) ALL (%(out_schemas)s::pg_catalog.text[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) o.classid
                    AND d.objid OPERATOR(pg_catalog.=) o.objid
                    AND d.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::pg_catalog."char"[]))
ORDER BY 1, 2, 3
