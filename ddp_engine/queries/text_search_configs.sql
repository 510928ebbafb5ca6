-- Text search configurations: the parser, then one ADD MAPPING per token type with its
-- dictionaries in order.
SELECT n.nspname AS schema_name,
       cfg.cfgname AS name,
       pg_catalog.array_remove(
           ARRAY[pg_catalog.format('CREATE TEXT SEARCH CONFIGURATION %%I.%%I (PARSER = %%I.%%I)',
                                   n.nspname, cfg.cfgname, pn.nspname, p.prsname)]
           OPERATOR(pg_catalog.||) COALESCE(
               (SELECT pg_catalog.array_agg(
                           pg_catalog.format('ALTER TEXT SEARCH CONFIGURATION %%I.%%I '
                                             'ADD MAPPING FOR %%I WITH %%s',
                                             n.nspname, cfg.cfgname, tt.alias, m.dicts)
                           ORDER BY m.maptokentype)
                FROM (SELECT mp.maptokentype,
                             pg_catalog.string_agg(pg_catalog.format('%%I.%%I', dn.nspname,
                                                                     dd.dictname),
                                                   ', ' ORDER BY mp.mapseqno) AS dicts
                      FROM pg_catalog.pg_ts_config_map mp
                      JOIN pg_catalog.pg_ts_dict dd ON dd.oid OPERATOR(pg_catalog.=) mp.mapdict
                      JOIN pg_catalog.pg_namespace dn
                        ON dn.oid OPERATOR(pg_catalog.=) dd.dictnamespace
                      WHERE mp.mapcfg OPERATOR(pg_catalog.=) cfg.oid
                      GROUP BY mp.maptokentype) m
                JOIN pg_catalog.ts_token_type(cfg.cfgparser) tt
                  ON tt.tokid OPERATOR(pg_catalog.=) m.maptokentype),
               '{}')
           OPERATOR(pg_catalog.||) ARRAY[
               {{comment_on(TEXT SEARCH CONFIGURATION %%I.%%I; n.nspname, cfg.cfgname)}}],
           NULL) AS statements,
       pg_catalog.format('DROP TEXT SEARCH CONFIGURATION %%I.%%I', n.nspname, cfg.cfgname)
           AS drop_sql
FROM pg_catalog.pg_ts_config cfg
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) cfg.cfgnamespace
JOIN pg_catalog.pg_ts_parser p ON p.oid OPERATOR(pg_catalog.=) cfg.cfgparser
JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.prsnamespace
{{comment(d; cfg.oid; pg_ts_config)}}
WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
  AND {{not_member(cfg.oid; pg_ts_config)}}
ORDER BY 1, 2
