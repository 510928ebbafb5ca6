-- Edges of pg_depend between the objects DDP models, as (kind, schema, name, sub) keys on both
-- ends. A view is reached through its rewrite rule, a default through pg_attrdef, a constraint's
-- index stands for the constraint, and an array type for its element type. Edges leaving the
-- schemas in scope are kept when they point at extensions, so that CREATE EXTENSION comes first.
-- Rows come unsorted and may repeat (a view on three columns of a table is three rows to the
-- table's view key): sorting and de-duplicating 200,000 rows of text took the server a third of
-- this query's time, the reader drops repeats for less, and only the fingerprint needs an order.
WITH dep AS MATERIALIZED (
    -- the edges read, by oid; every default on its own column (a third of all edges) left
    -- out here, by oid, before any of them is named: the plan implies those
    -- (Planner.target_dependents). A generated column's expression, also a pg_attrdef row,
    -- keeps its edges to the other columns it names.
    SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid
    FROM pg_catalog.pg_depend d
    LEFT JOIN pg_catalog.pg_attrdef own
           ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass
          AND own.oid OPERATOR(pg_catalog.=) d.objid
    WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{n,a}'::pg_catalog."char"[])
      AND NOT (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND own.adrelid IS NOT NULL
               AND own.adrelid OPERATOR(pg_catalog.=) d.refobjid
               AND own.adnum OPERATOR(pg_catalog.=) d.refobjsubid)
), objs AS (
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass AS classid, c.oid AS objid, 0 AS objsubid,
           CASE WHEN c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog."char"[])
                THEN 'table'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'f' THEN 'foreign_table'
                WHEN c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog."char"[])
                THEN 'view'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'sequence'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'c' THEN 'type'
                ELSE 'index' END AS kind,
           n.nspname AS schema_name,
           CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'c'
                THEN (SELECT typname FROM pg_catalog.pg_type
                      WHERE oid OPERATOR(pg_catalog.=) c.reltype)
                ELSE c.relname END AS name,
           '' AS sub
    FROM pg_catalog.pg_class c
    {{in_schemas(c.relnamespace)}}
      AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f,v,m,S,c,i,I}'::pg_catalog."char"[])
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                      WHERE k.conindid OPERATOR(pg_catalog.=) c.oid
                        AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog."char"[]))
    UNION ALL
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, k.conindid, 0, 'constraint', n.nspname,
           c.relname, k.conname
    FROM pg_catalog.pg_constraint k
    {{on_relation(k.conrelid)}}
      AND k.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog."char"[])
      AND k.conindid OPERATOR(pg_catalog.<>) 0
    UNION ALL
    SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, a.attrelid, a.attnum,
           CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'c' THEN 'type'
                WHEN c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog."char"[])
                THEN 'view'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'f' THEN 'foreign_table'
                ELSE 'column' END,
           n.nspname,
           CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'c'
                THEN (SELECT typname FROM pg_catalog.pg_type
                      WHERE oid OPERATOR(pg_catalog.=) c.reltype)
                ELSE c.relname END,
           CASE WHEN c.relkind OPERATOR(pg_catalog.=) ANY ('{c,v,m,f}'::pg_catalog."char"[])
                THEN '' ELSE a.attname END
    FROM pg_catalog.pg_attribute a
    {{on_relation(a.attrelid)}}
      AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f,v,m,c}'::pg_catalog."char"[])
      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass, ad.oid, 0, 'default', n.nspname,
           c.relname,
           (SELECT a.attname FROM pg_catalog.pg_attribute a
            WHERE a.attrelid OPERATOR(pg_catalog.=) ad.adrelid
              AND a.attnum OPERATOR(pg_catalog.=) ad.adnum)
    FROM pg_catalog.pg_attrdef ad
    {{on_relation(ad.adrelid)}}
      -- only the defaults with an edge left: naming every default cost a fifth of the query
      AND ad.oid OPERATOR(pg_catalog.=) ANY (
          SELECT e.objid FROM dep e
          WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass)
    UNION ALL
    SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid, 0,
           CASE WHEN k.contypid OPERATOR(pg_catalog.<>) 0 THEN 'type' ELSE 'constraint' END,
           n.nspname,
           coalesce(c.relname, t.typname),
           CASE WHEN k.contypid OPERATOR(pg_catalog.<>) 0 THEN '' ELSE k.conname END
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) k.connamespace
    LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) k.conrelid
    LEFT JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) k.contypid
    WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
    UNION ALL
    SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid, 0, 'type', n.nspname,
           coalesce(el.typname, t.typname), ''
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
    LEFT JOIN pg_catalog.pg_type el
           ON el.oid OPERATOR(pg_catalog.=) t.typelem
          AND el.typarray OPERATOR(pg_catalog.=) t.oid
    WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
      AND (t.typrelid OPERATOR(pg_catalog.=) 0
           OR (SELECT relkind FROM pg_catalog.pg_class
               WHERE oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
    UNION ALL
    SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0, 'function', n.nspname,
           p.proname OPERATOR(pg_catalog.||) '('
               OPERATOR(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid)
               OPERATOR(pg_catalog.||) ')',
           ''
    FROM pg_catalog.pg_proc p
    {{in_schemas(p.pronamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid, 0, 'view', n.nspname, c.relname, ''
    FROM pg_catalog.pg_rewrite r
    {{on_relation(r.ev_class)}}
      AND r.rulename OPERATOR(pg_catalog.=) '_RETURN'
    UNION ALL
    SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, tg.oid, 0, 'trigger', n.nspname,
           c.relname, tg.tgname
    FROM pg_catalog.pg_trigger tg
    {{on_relation(tg.tgrelid)}} AND NOT tg.tgisinternal
    UNION ALL
    SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass, p.oid, 0, 'policy', n.nspname,
           c.relname, p.polname
    FROM pg_catalog.pg_policy p
    {{on_relation(p.polrelid)}}
    UNION ALL
    -- the kinds read as their create statements (deparsed.py), named as their queries name them
    SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass, r.oid, 0, 'rule', n.nspname, c.relname,
           r.rulename
    FROM pg_catalog.pg_rewrite r
    {{on_relation(r.ev_class)}}
      AND r.rulename OPERATOR(pg_catalog.<>) '_RETURN'
    UNION ALL
    SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, s.oid, 0, 'statistics', n.nspname,
           s.stxname, ''
    FROM pg_catalog.pg_statistic_ext s
    {{in_schemas(s.stxnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid, 0, 'operator', n.nspname,
           pg_catalog.format('%%s(%%s,%%s)', o.oprname,
                             CASE WHEN o.oprleft OPERATOR(pg_catalog.=) 0 THEN 'NONE'
                                  ELSE pg_catalog.format_type(o.oprleft, NULL) END,
                             pg_catalog.format_type(o.oprright, NULL)), ''
    FROM pg_catalog.pg_operator o
    {{in_schemas(o.oprnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, f.oid, 0, 'operator_family', n.nspname,
           pg_catalog.format('%%s USING %%s', f.opfname, am.amname), ''
    FROM pg_catalog.pg_opfamily f
    JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) f.opfmethod
    {{in_schemas(f.opfnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, c.oid, 0, 'operator_class', n.nspname,
           pg_catalog.format('%%s USING %%s', c.opcname, am.amname), ''
    FROM pg_catalog.pg_opclass c
    JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.opcmethod
    {{in_schemas(c.opcnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, d.oid, 0, 'text_search_dictionary',
           n.nspname, d.dictname, ''
    FROM pg_catalog.pg_ts_dict d
    {{in_schemas(d.dictnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass, g.oid, 0, 'text_search_config',
           n.nspname, g.cfgname, ''
    FROM pg_catalog.pg_ts_config g
    {{in_schemas(g.cfgnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, s.oid, 0, 'foreign_server', '',
           s.srvname, ''
    FROM pg_catalog.pg_foreign_server s
    WHERE %(all)s
    UNION ALL
    SELECT 'pg_catalog.pg_event_trigger'::pg_catalog.regclass, e.oid, 0, 'event_trigger', '',
           e.evtname, ''
    FROM pg_catalog.pg_event_trigger e
    WHERE %(all)s
    UNION ALL
    SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass, co.oid, 0, 'collation', n.nspname,
           co.collname, ''
    FROM pg_catalog.pg_collation co
    {{in_schemas(co.collnamespace)}}
    UNION ALL
    SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass, e.oid, 0, 'extension', '',
           e.extname, ''
    FROM pg_catalog.pg_extension e
    UNION ALL
    SELECT em.classid, em.objid, 0, 'extension', '', e.extname, ''
    FROM pg_catalog.pg_depend em
    JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) em.refobjid
    WHERE em.deptype OPERATOR(pg_catalog.=) 'e'
      AND em.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
      AND em.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_type'::pg_catalog.regclass,
                                                       'pg_catalog.pg_proc'::pg_catalog.regclass,
                                                       'pg_catalog.pg_collation'::pg_catalog.regclass,
                                                       'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass])
    UNION ALL
    SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, 0, 'schema', '', n.nspname, ''
    FROM pg_catalog.pg_namespace n
    WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
)
SELECT d.kind, d.schema_name, d.name, d.sub,
       r.kind AS ref_kind, r.schema_name AS ref_schema, r.name AS ref_name, r.sub AS ref_sub
FROM dep
JOIN objs d
  ON d.classid OPERATOR(pg_catalog.=) dep.classid
 AND d.objid OPERATOR(pg_catalog.=) dep.objid
 AND d.objsubid OPERATOR(pg_catalog.=) dep.objsubid
JOIN objs r
  ON r.classid OPERATOR(pg_catalog.=) dep.refclassid
 AND r.objid OPERATOR(pg_catalog.=) dep.refobjid
 AND r.objsubid OPERATOR(pg_catalog.=) dep.refobjsubid
-- an extension's own members, and (one schema) the schema that exists already: never used
WHERE d.kind OPERATOR(pg_catalog.<>) 'extension'
  AND (%(all)s OR r.kind OPERATOR(pg_catalog.<>) 'schema')
  -- a relation's own columns (a generated column on another, a view's columns on the view)
  AND NOT (d.kind OPERATOR(pg_catalog.=) ANY ('{table,view,column}'::pg_catalog.text[])
           AND d.kind OPERATOR(pg_catalog.=) r.kind
           AND d.schema_name OPERATOR(pg_catalog.=) r.schema_name
           AND d.name OPERATOR(pg_catalog.=) r.name)
