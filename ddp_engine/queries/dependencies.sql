-- Edges of pg_depend between the objects DDP models, as (kind, schema, name, sub) keys on both
-- ends. A view is reached through its rewrite rule, a default through pg_attrdef, a constraint's
-- index stands for the constraint, and an array type for its element type. Edges leaving the
-- schemas in scope are kept when they point at extensions, so that CREATE EXTENSION comes first.
-- Rows come unsorted and may repeat (a view on three columns of a table is three rows to the
-- table's view key): sorting and de-duplicating 200,000 rows of text took the server a third of
-- this query's time, the reader drops repeats for less, and only the fingerprint needs an order.
WITH objs AS (
    SELECT 'pg_class'::regclass AS classid, c.oid AS objid, 0 AS objsubid,
           CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'f' THEN 'table'
                          WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' WHEN 'S' THEN 'sequence'
                          WHEN 'c' THEN 'type' ELSE 'index' END AS kind,
           n.nspname AS schema_name,
           CASE WHEN c.relkind = 'c' THEN (SELECT typname FROM pg_type WHERE oid = c.reltype)
                ELSE c.relname END AS name,
           '' AS sub
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'c', 'i', 'I')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.contype IN ('p', 'u', 'x'))
    UNION ALL
    SELECT 'pg_class'::regclass, k.conindid, 0, 'constraint', n.nspname, c.relname, k.conname
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND k.contype IN ('p', 'u', 'x') AND k.conindid <> 0
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum,
           CASE c.relkind WHEN 'c' THEN 'type' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'column' END,
           n.nspname,
           CASE WHEN c.relkind = 'c' THEN (SELECT typname FROM pg_type WHERE oid = c.reltype) ELSE c.relname END,
           CASE WHEN c.relkind IN ('c', 'v', 'm') THEN '' ELSE a.attname END
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
      AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'pg_attrdef'::regclass, ad.oid, 0, 'default', n.nspname, c.relname,
           (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ad.adrelid AND a.attnum = ad.adnum)
    FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT 'pg_constraint'::regclass, k.oid, 0,
           CASE WHEN k.contypid <> 0 THEN 'type' ELSE 'constraint' END, n.nspname,
           coalesce(c.relname, t.typname), CASE WHEN k.contypid <> 0 THEN '' ELSE k.conname END
    FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, 0, 'type', n.nspname,
           coalesce(el.typname, t.typname), ''
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_type el ON el.oid = t.typelem AND el.typarray = t.oid
    WHERE n.nspname = ANY(%(schemas)s)
      AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, 0, 'function', n.nspname,
           p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', ''
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT 'pg_rewrite'::regclass, r.oid, 0, 'view', n.nspname, c.relname, ''
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND r.rulename = '_RETURN'
    UNION ALL
    SELECT 'pg_trigger'::regclass, tg.oid, 0, 'trigger', n.nspname, c.relname, tg.tgname
    FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND NOT tg.tgisinternal
    UNION ALL
    SELECT 'pg_policy'::regclass, p.oid, 0, 'policy', n.nspname, c.relname, p.polname
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT 'pg_collation'::regclass, co.oid, 0, 'collation', n.nspname, co.collname, ''
    FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT 'pg_extension'::regclass, e.oid, 0, 'extension', '', e.extname, ''
    FROM pg_extension e
    UNION ALL
    SELECT em.classid, em.objid, 0, 'extension', '', e.extname, ''
    FROM pg_depend em JOIN pg_extension e ON e.oid = em.refobjid
    WHERE em.deptype = 'e' AND em.refclassid = 'pg_extension'::regclass
      AND em.classid IN ('pg_type'::regclass, 'pg_proc'::regclass, 'pg_collation'::regclass)
    UNION ALL
    SELECT 'pg_namespace'::regclass, n.oid, 0, 'schema', '', n.nspname, ''
    FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s)
)
SELECT d.kind, d.schema_name, d.name, d.sub,
       r.kind AS ref_kind, r.schema_name AS ref_schema, r.name AS ref_name, r.sub AS ref_sub
FROM pg_depend dep
JOIN objs d ON d.classid = dep.classid AND d.objid = dep.objid AND d.objsubid = dep.objsubid
JOIN objs r ON r.classid = dep.refclassid AND r.objid = dep.refobjid AND r.objsubid = dep.refobjsubid
WHERE dep.deptype IN ('n', 'a')
  -- an extension's own members, and (one schema) the schema that exists already: never used
  AND d.kind <> 'extension' AND (%(all)s OR r.kind <> 'schema')
  -- a relation's own columns (a generated column on another, a view's columns on the view)
  AND NOT (d.kind IN ('table', 'view', 'column') AND d.kind = r.kind
           AND d.schema_name = r.schema_name AND d.name = r.name)
  -- every default on its own column: a third of all edges, implied (Planner.target_dependents)
  AND NOT (d.kind = 'default' AND r.kind = 'column' AND d.sub = r.sub
           AND d.schema_name = r.schema_name AND d.name = r.name)
