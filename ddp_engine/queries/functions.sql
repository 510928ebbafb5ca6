-- Functions, procedures and aggregates. pg_get_functiondef always qualifies the name; the rest
-- of it (arguments onward) is what we compare and re-render under the target's name.
WITH ext AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_proc'::regclass
)
SELECT n.nspname AS schema_name,
       p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       p.prokind AS kind,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS qualified_prefix,
       pg_get_function_result(p.oid) AS result_type,
       pg_get_function_arguments(p.oid) AS arguments,
       CASE WHEN p.prokind = 'a' THEN (
           SELECT concat_ws(', ',
               'SFUNC = ' || ag.aggtransfn::regproc::text,
               'STYPE = ' || format_type(ag.aggtranstype, NULL),
               CASE WHEN ag.aggtransspace <> 0 THEN 'SSPACE = ' || ag.aggtransspace END,
               CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::regproc::text END,
               CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
               CASE WHEN ag.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::regproc::text END,
               CASE WHEN ag.aggserialfn <> 0 THEN 'SERIALFUNC = ' || ag.aggserialfn::regproc::text END,
               CASE WHEN ag.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || ag.aggdeserialfn::regproc::text END,
               CASE WHEN ag.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(ag.agginitval) END,
               CASE WHEN ag.aggmtransfn <> 0 THEN 'MSFUNC = ' || ag.aggmtransfn::regproc::text END,
               CASE WHEN ag.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || ag.aggminvtransfn::regproc::text END,
               CASE WHEN ag.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(ag.aggmtranstype, NULL) END,
               CASE WHEN ag.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || ag.aggmfinalfn::regproc::text END,
               CASE WHEN ag.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(ag.aggminitval) END,
               CASE WHEN ag.aggsortop <> 0 THEN 'SORTOP = ' || ag.aggsortop::regoperator::text END,
               CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END)
           FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid) END AS aggregate_options,
       dsc.description AS comment,
       coalesce(p.proacl, acldefault('f', p.proowner))::text[] AS acl,
       pg_get_userbyid(p.proowner) AS owner
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_description dsc
       ON dsc.objoid = p.oid AND dsc.classoid = 'pg_proc'::regclass AND dsc.objsubid = 0
LEFT JOIN ext ON ext.objid = p.oid
WHERE n.nspname = ANY(%(schemas)s) AND ext.objid IS NULL
ORDER BY 1, 2, 3
