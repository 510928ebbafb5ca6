-- Pieces of SQL that several queries share, each written once. A query names one as
-- {{name}}, or {{name(first; second)}} where the piece says $1, $2; queries/__init__.py
-- splices them in once, when the queries are first loaded. A piece runs from its
-- "-- fragment:" line to the next one.

-- fragment: extension_members
-- The objects of catalog $1 that belong to an extension (CREATE EXTENSION makes them; a
-- query leaves them out, the extension stands for them).
-- (Every 'e' edge points at an extension: naming pg_extension lets the server read only
-- those edges through pg_depend's index on the referenced object, instead of probing it for
-- every object read.)
ext AS (
    SELECT objid FROM pg_catalog.pg_depend
    WHERE refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
      AND deptype OPERATOR(pg_catalog.=) 'e'
      AND classid OPERATOR(pg_catalog.=) 'pg_catalog.$1'::pg_catalog.regclass
)

-- fragment: not_member
-- Object $1 of catalog $2 belongs to no extension.
NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend member
            WHERE member.classid OPERATOR(pg_catalog.=) 'pg_catalog.$2'::pg_catalog.regclass
              AND member.objid OPERATOR(pg_catalog.=) $1
              AND member.deptype OPERATOR(pg_catalog.=) 'e')

-- fragment: comment
-- The comment (alias $1) on object $2 of catalog $3, itself rather than one of its columns.
LEFT JOIN pg_catalog.pg_description $1
       ON $1.objoid OPERATOR(pg_catalog.=) $2
      AND $1.classoid OPERATOR(pg_catalog.=) 'pg_catalog.$3'::pg_catalog.regclass
      AND $1.objsubid OPERATOR(pg_catalog.=) 0

-- fragment: scope
-- What the scope leaves out (scope.ReadScope gives the parameters): each schema read, under
-- the name the patterns use (the target's: %(scope_from)s renamed to %(scope_to)s) and
-- whether it is left out whole; then each relation left out, as itself (by the patterns of
-- its kind) or as what the objects on it follow (by table and view patterns). A query joins
-- it with LEFT JOIN (empty when nothing is left out, it leaves the planner's estimates as
-- they were) and tests "o.out IS NOT TRUE": it still lists what is left out, by name, but
-- deparses none of it.
scope_schema AS (
    SELECT n.oid,
           coalesce((SELECT m.target
                     FROM ROWS FROM (pg_catalog.unnest(%(scope_from)s::pg_catalog.text[]),
                                  pg_catalog.unnest(%(scope_to)s::pg_catalog.text[])) AS m(source, target)
                     WHERE m.source OPERATOR(pg_catalog.=) n.nspname::pg_catalog.text),
                    n.nspname::pg_catalog.text) AS qualifier,
           n.nspname OPERATOR(pg_catalog.=) ANY (%(out_schemas)s::pg_catalog.text[]) AS out
    FROM pg_catalog.pg_namespace n
    WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
), scope_relation AS (
    SELECT r.* FROM (
        SELECT c.oid,
               {{left_out(s; c.relname; ARRAY['', CASE WHEN c.relkind OPERATOR(pg_catalog.=) ANY
                                                              ('{v,m}'::pg_catalog."char"[])
                                                         THEN 'view' ELSE 'table' END])}} AS out,
               {{left_out(s; c.relname; '{"",table,view}'::pg_catalog.text[])}} AS under_out
        FROM pg_catalog.pg_class c
        JOIN scope_schema s ON s.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f}'::pg_catalog."char"[])
    ) r
    WHERE r.out OR r.under_out
)

-- fragment: relation_scope
-- Whether the scope leaves out the relation of oid $1 (o.out, o.under_out; NULL: no).
LEFT JOIN scope_relation o ON o.oid OPERATOR(pg_catalog.=) $1

-- fragment: schema_scope
-- The scope_schema row (alias s) of the schema of oid $1.
LEFT JOIN scope_schema s ON s.oid OPERATOR(pg_catalog.=) $1

-- fragment: no_scope
-- What a query loaded for a read that leaves nothing out takes instead of scope: nothing.
-- scope_schema is then never read; relation_scope is the constant row below and left_out is
-- "false", which the planner folds away: the query runs as if it had no scope at all.
scope_schema AS (
    SELECT NULL::pg_catalog.oid AS oid, NULL::pg_catalog.text AS qualifier, false AS out
    WHERE false
)

-- fragment: no_relation_scope
CROSS JOIN (SELECT false AS out, false AS under_out) AS o

-- fragment: no_schema_scope
CROSS JOIN (SELECT NULL::pg_catalog.text AS qualifier, false AS out) AS s

-- fragment: left_out
-- Whether the scope leaves out the object named $2 in schema $1 (a scope_schema row), of
-- the kinds $3 (a text[]: '' and the object's kind): its schema is left out, an exclude
-- pattern of those kinds matches "schema.name", or include patterns are given and none of
-- those kinds matches (scope.Scope.object_in, in SQL).
($1.out
 OR (pg_catalog.cardinality(%(exclude_regexes)s::pg_catalog.text[]) OPERATOR(pg_catalog.>) 0
     AND EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(%(exclude_kinds)s::pg_catalog.text[]),
                                  pg_catalog.unnest(%(exclude_regexes)s::pg_catalog.text[]))
                             AS pattern(kind, regex)
                 WHERE pattern.kind OPERATOR(pg_catalog.=) ANY ($3)
                   AND $1.qualifier OPERATOR(pg_catalog.||) '.'
                       OPERATOR(pg_catalog.||) $2::pg_catalog.text
                       OPERATOR(pg_catalog.~) pattern.regex))
 OR (%(includes)s
     AND NOT EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(%(include_kinds)s::pg_catalog.text[]),
                                  pg_catalog.unnest(%(include_regexes)s::pg_catalog.text[]))
                                 AS pattern(kind, regex)
                     WHERE pattern.kind OPERATOR(pg_catalog.=) ANY ($3)
                       AND $1.qualifier OPERATOR(pg_catalog.||) '.'
                           OPERATOR(pg_catalog.||) $2::pg_catalog.text
                           OPERATOR(pg_catalog.~) pattern.regex)))

-- fragment: in_schemas
-- Rows whose namespace (column $1) is a schema read; the query's WHERE clause starts here.
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) $1
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)

-- fragment: on_relation
-- Rows on the relation (alias c) of oid $1, in a schema read; the WHERE clause starts here.
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) $1
{{in_schemas(c.relnamespace)}}

-- fragment: options
-- Generic options ($1, a text[] of name=value) as " OPTIONS (name 'value', ...)", or ''.
CASE WHEN $1 IS NOT NULL THEN
    ' OPTIONS (' OPERATOR(pg_catalog.||)
    (SELECT pg_catalog.string_agg(
                pg_catalog.quote_ident(o.option_name)
                OPERATOR(pg_catalog.||) ' '
                OPERATOR(pg_catalog.||)
                pg_catalog.quote_literal(o.option_value), ', ')
     FROM pg_catalog.pg_options_to_table($1) o)
    OPERATOR(pg_catalog.||) ')'
ELSE '' END

-- fragment: collation_name
-- Collation $1 as a COLLATE clause names it: schema-qualified but for pg_catalog's.
(SELECT CASE WHEN cn.nspname OPERATOR(pg_catalog.=) 'pg_catalog'
             THEN pg_catalog.quote_ident(co.collname)
             ELSE pg_catalog.format('%%I.%%I', cn.nspname, co.collname) END
 FROM pg_catalog.pg_collation co
 JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) co.collnamespace
 WHERE co.oid OPERATOR(pg_catalog.=) $1)

-- fragment: comment_on
-- The COMMENT ON statement of an object with a comment (alias d, joined by {{comment}}):
-- $1 what it is and its name as format() writes them, $2 the values for them.
CASE WHEN d.description IS NOT NULL THEN
    pg_catalog.format('COMMENT ON $1 IS %%L', $2, d.description) END

-- fragment: proc_names
-- The names of the functions $1 (an oid[]) names, in order ("-" for none), without their
-- schemas: a cross-schema sync compares the two sides' texts as they are.
(SELECT pg_catalog.string_agg(coalesce(p.proname::pg_catalog.text, '-'), ',' ORDER BY x.n)
 FROM pg_catalog.unnest($1) WITH ORDINALITY AS x(id, n)
 LEFT JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) x.id)
