-- Event triggers: database-wide, read only when every schema is synchronised.
SELECT '' AS schema_name,
       e.evtname AS name,
       pg_catalog.array_remove(ARRAY[
           pg_catalog.format('CREATE EVENT TRIGGER %%I ON %%I%%s EXECUTE FUNCTION %%I.%%I()',
                             e.evtname, e.evtevent,
                             CASE WHEN e.evttags IS NOT NULL THEN
                                 ' WHEN TAG IN (' OPERATOR(pg_catalog.||)
                                 (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(t), ', ')
                                  FROM pg_catalog.unnest(e.evttags) t)
                                 OPERATOR(pg_catalog.||) ')'
                             ELSE '' END,
                             pn.nspname, p.proname),
           CASE WHEN e.evtenabled OPERATOR(pg_catalog.<>) 'O' THEN
               pg_catalog.format('ALTER EVENT TRIGGER %%I %%s', e.evtname,
                                 CASE WHEN e.evtenabled OPERATOR(pg_catalog.=) 'D' THEN 'DISABLE'
                                                   WHEN e.evtenabled OPERATOR(pg_catalog.=) 'A' THEN 'ENABLE ALWAYS'
                                                   ELSE 'ENABLE REPLICA' END) END,
           {{comment_on(EVENT TRIGGER %%I; e.evtname)}}
       ], NULL) AS statements,
       pg_catalog.format('DROP EVENT TRIGGER %%I', e.evtname) AS drop_sql
FROM pg_catalog.pg_event_trigger e
JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) e.evtfoid
JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
{{comment(d; e.oid; pg_event_trigger)}}
WHERE %(all)s
  AND {{not_member(e.oid; pg_event_trigger)}}
ORDER BY 2
