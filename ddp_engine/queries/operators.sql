-- Operators, written out from pg_operator: the function, argument types, commutator, negator,
-- selectivity estimators, HASHES and MERGES, and the comment. A commutator or negator that does
-- not exist yet is made a shell operator by CREATE OPERATOR and filled in by its own create.
WITH ops AS (
    SELECT o.*, n.nspname,
           CASE WHEN o.oprleft OPERATOR(pg_catalog.=) 0 THEN 'NONE'
                ELSE pg_catalog.format_type(o.oprleft, NULL) END AS lt,
           pg_catalog.format_type(o.oprright, NULL) AS rt
    FROM pg_catalog.pg_operator o
    {{in_schemas(o.oprnamespace)}}
      AND {{not_member(o.oid; pg_operator)}}
)
SELECT o.nspname AS schema_name,
       pg_catalog.format('%%s(%%s,%%s)', o.oprname, o.lt, o.rt) AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE OPERATOR %%I.%%s (FUNCTION = %%s%%s%%s%%s%%s%%s%%s%%s%%s)',
               o.nspname, o.oprname, o.oprcode::pg_catalog.text,
               CASE WHEN o.oprleft OPERATOR(pg_catalog.<>) 0
                    THEN ', LEFTARG = ' OPERATOR(pg_catalog.||) o.lt ELSE '' END,
               ', RIGHTARG = ' OPERATOR(pg_catalog.||) o.rt,
               (SELECT pg_catalog.format(', COMMUTATOR = OPERATOR(%%I.%%s)', cn.nspname, c.oprname)
                FROM pg_catalog.pg_operator c
                JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.oprnamespace
                WHERE c.oid OPERATOR(pg_catalog.=) o.oprcom),
               (SELECT pg_catalog.format(', NEGATOR = OPERATOR(%%I.%%s)', cn.nspname, c.oprname)
                FROM pg_catalog.pg_operator c
                JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.oprnamespace
                WHERE c.oid OPERATOR(pg_catalog.=) o.oprnegate),
               CASE WHEN o.oprrest OPERATOR(pg_catalog.<>) 0
                    THEN ', RESTRICT = ' OPERATOR(pg_catalog.||) o.oprrest::pg_catalog.text END,
               CASE WHEN o.oprjoin OPERATOR(pg_catalog.<>) 0
                    THEN ', JOIN = ' OPERATOR(pg_catalog.||) o.oprjoin::pg_catalog.text END,
               CASE WHEN o.oprcanhash THEN ', HASHES' END,
               CASE WHEN o.oprcanmerge THEN ', MERGES' END),
           {{comment_on(OPERATOR %%I.%%s (%%s, %%s); o.nspname, o.oprname, o.lt, o.rt)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP OPERATOR %%I.%%s (%%s, %%s)', o.nspname, o.oprname, o.lt, o.rt)
           AS drop_sql
FROM ops o
{{comment(d; o.oid; pg_operator)}}
ORDER BY 1, 2
