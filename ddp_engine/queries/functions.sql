-- Functions, procedures and aggregates. pg_get_functiondef always qualifies the name; the rest
-- of it (arguments onward) is what we compare and re-render under the target's name. A
-- function the scope leaves out is listed by its signature, its body and options not read.
WITH {{extension_members(pg_proc)}}, {{scope}}
SELECT n.nspname AS schema_name,
       p.proname AS name,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_args,
       p.prokind AS kind,
       CASE WHEN p.prokind OPERATOR(pg_catalog.<>) 'a' AND NOT fn.out
            THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
       pg_catalog.format('%%I.%%I', n.nspname, p.proname) AS qualified_prefix,
       fn.out AS out_of_scope,
       pg_catalog.pg_get_function_result(p.oid) AS result_type,
       pg_catalog.pg_get_function_arguments(p.oid) AS arguments,
       CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' AND NOT fn.out THEN (
           -- format prints a regproc or regoperator as its text cast does
           SELECT pg_catalog.concat_ws(', ',
               pg_catalog.format('SFUNC = %%s', ag.aggtransfn::pg_catalog.regproc),
               pg_catalog.format('STYPE = %%s', pg_catalog.format_type(ag.aggtranstype, NULL)),
               CASE WHEN ag.aggtransspace OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('SSPACE = %%s', ag.aggtransspace) END,
               CASE WHEN ag.aggfinalfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('FINALFUNC = %%s', ag.aggfinalfn::pg_catalog.regproc) END,
               CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
               CASE WHEN ag.aggcombinefn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('COMBINEFUNC = %%s',
                                           ag.aggcombinefn::pg_catalog.regproc) END,
               CASE WHEN ag.aggserialfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('SERIALFUNC = %%s', ag.aggserialfn::pg_catalog.regproc) END,
               CASE WHEN ag.aggdeserialfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('DESERIALFUNC = %%s',
                                           ag.aggdeserialfn::pg_catalog.regproc) END,
               CASE WHEN ag.agginitval IS NOT NULL
                    THEN pg_catalog.format('INITCOND = %%L', ag.agginitval) END,
               CASE WHEN ag.aggmtransfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('MSFUNC = %%s', ag.aggmtransfn::pg_catalog.regproc) END,
               CASE WHEN ag.aggminvtransfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('MINVFUNC = %%s', ag.aggminvtransfn::pg_catalog.regproc) END,
               CASE WHEN ag.aggmtranstype OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('MSTYPE = %%s',
                                           pg_catalog.format_type(ag.aggmtranstype, NULL)) END,
               CASE WHEN ag.aggmfinalfn OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('MFINALFUNC = %%s', ag.aggmfinalfn::pg_catalog.regproc) END,
               CASE WHEN ag.aggminitval IS NOT NULL
                    THEN pg_catalog.format('MINITCOND = %%L', ag.aggminitval) END,
               CASE WHEN ag.aggsortop OPERATOR(pg_catalog.<>) 0
                    THEN pg_catalog.format('SORTOP = %%s', ag.aggsortop::pg_catalog.regoperator) END,
               CASE WHEN p.proparallel OPERATOR(pg_catalog.=) 's' THEN 'PARALLEL = SAFE'
                    WHEN p.proparallel OPERATOR(pg_catalog.=) 'r' THEN 'PARALLEL = RESTRICTED' END)
           FROM pg_catalog.pg_aggregate ag
           WHERE ag.aggfnoid OPERATOR(pg_catalog.=) p.oid) END AS aggregate_options,
       dsc.description AS comment,
       coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))::pg_catalog.text[] AS acl,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
{{schema_scope(p.pronamespace)}}
-- whether the scope leaves it out
CROSS JOIN LATERAL (SELECT {{left_out(s; p.proname; '{"",function}'::pg_catalog.text[])}} AS out)
    AS fn
{{comment(dsc; p.oid; pg_proc)}}
LEFT JOIN ext ON ext.objid OPERATOR(pg_catalog.=) p.oid
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s) AND ext.objid IS NULL
ORDER BY 1, 2, 3
