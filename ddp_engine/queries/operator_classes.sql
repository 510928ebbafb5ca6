-- Operator classes with their operators and support functions, always in an explicit family
-- (operator_families.sql creates it first).
SELECT n.nspname AS schema_name,
       pg_catalog.format('%%s USING %%s', c.opcname, am.amname) AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format(E'CREATE OPERATOR CLASS %%I.%%I%%s FOR TYPE %%s USING %%I FAMILY %%I.%%I AS\n    %%s',
               n.nspname, c.opcname, CASE WHEN c.opcdefault THEN ' DEFAULT' ELSE '' END,
               pg_catalog.format_type(c.opcintype, NULL), am.amname, fn.nspname, f.opfname,
               (SELECT pg_catalog.string_agg(m.item, E',\n    ' ORDER BY m.sort1, m.sort2)
                FROM (SELECT 1 AS sort1, ao.amopstrategy AS sort2,
                             pg_catalog.format('OPERATOR %%s %%I.%%s(%%s, %%s)%%s',
                                 ao.amopstrategy, opn.nspname, op.oprname,
                                 pg_catalog.format_type(ao.amoplefttype, NULL),
                                 pg_catalog.format_type(ao.amoprighttype, NULL),
                                 CASE WHEN ao.amoppurpose OPERATOR(pg_catalog.=) 'o'
                                      THEN (SELECT pg_catalog.format(' FOR ORDER BY %%I.%%I',
                                                                     sn.nspname, sf.opfname)
                                            FROM pg_catalog.pg_opfamily sf
                                            JOIN pg_catalog.pg_namespace sn
                                              ON sn.oid OPERATOR(pg_catalog.=) sf.opfnamespace
                                            WHERE sf.oid OPERATOR(pg_catalog.=) ao.amopsortfamily)
                                      ELSE '' END) AS item
                      FROM pg_catalog.pg_depend dep
                      JOIN pg_catalog.pg_amop ao ON ao.oid OPERATOR(pg_catalog.=) dep.objid
                      JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) ao.amopopr
                      JOIN pg_catalog.pg_namespace opn
                        ON opn.oid OPERATOR(pg_catalog.=) op.oprnamespace
                      WHERE dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_amop'::pg_catalog.regclass
                        AND dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_opclass'::pg_catalog.regclass
                        AND dep.refobjid OPERATOR(pg_catalog.=) c.oid
                      UNION ALL
                      SELECT 2, ap.amprocnum,
                             pg_catalog.format('FUNCTION %%s (%%s, %%s) %%s', ap.amprocnum,
                                 pg_catalog.format_type(ap.amproclefttype, NULL),
                                 pg_catalog.format_type(ap.amprocrighttype, NULL),
                                 ap.amproc::pg_catalog.regprocedure::pg_catalog.text)
                      FROM pg_catalog.pg_depend dep
                      JOIN pg_catalog.pg_amproc ap ON ap.oid OPERATOR(pg_catalog.=) dep.objid
                      WHERE dep.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_amproc'::pg_catalog.regclass
                        AND dep.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_opclass'::pg_catalog.regclass
                        AND dep.refobjid OPERATOR(pg_catalog.=) c.oid
                      UNION ALL
                      SELECT 3, 0, 'STORAGE ' OPERATOR(pg_catalog.||)
                                   pg_catalog.format_type(c.opckeytype, NULL)
                      WHERE c.opckeytype OPERATOR(pg_catalog.<>) 0) m)),
           {{comment_on(OPERATOR CLASS %%I.%%I USING %%I; n.nspname, c.opcname, am.amname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP OPERATOR CLASS %%I.%%I USING %%I', n.nspname, c.opcname, am.amname)
           AS drop_sql
FROM pg_catalog.pg_opclass c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.opcnamespace
JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.opcmethod
JOIN pg_catalog.pg_opfamily f ON f.oid OPERATOR(pg_catalog.=) c.opcfamily
JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.opfnamespace
{{comment(d; c.oid; pg_opclass)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND {{not_member(c.oid; pg_opclass)}}
ORDER BY 1, 2
