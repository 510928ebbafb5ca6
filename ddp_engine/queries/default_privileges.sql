-- Default privileges (ALTER DEFAULT PRIVILEGES): each entry as the GRANTs and REVOKEs that take
-- the objects a role creates later from the server's defaults to the entry (statements), and
-- back (drop_sql). Without an entry a role's future objects get acldefault() when the entry is
-- database-wide and nothing more when it names a schema. Database-wide entries are read only
-- when every schema is synchronised.
WITH entries AS (
    SELECT d.oid, d.defaclrole, d.defaclobjtype, n.nspname,
           pg_catalog.format('ALTER DEFAULT PRIVILEGES FOR ROLE %%I%%s ',
                             pg_catalog.pg_get_userbyid(d.defaclrole),
                             CASE WHEN n.nspname IS NOT NULL
                                  THEN pg_catalog.format(' IN SCHEMA %%I', n.nspname)
                                  ELSE '' END) AS prefix,
           CASE WHEN d.defaclobjtype OPERATOR(pg_catalog.=) 'r' THEN 'TABLES' WHEN d.defaclobjtype OPERATOR(pg_catalog.=) 'S' THEN 'SEQUENCES'
                                WHEN d.defaclobjtype OPERATOR(pg_catalog.=) 'f' THEN 'FUNCTIONS' WHEN d.defaclobjtype OPERATOR(pg_catalog.=) 'T' THEN 'TYPES'
                                ELSE 'SCHEMAS' END AS objects,
           ARRAY(SELECT ROW(a.grantee, a.privilege_type, a.is_grantable)::pg_catalog.text
                 FROM pg_catalog.aclexplode(d.defaclacl) a) AS items,
           CASE WHEN d.defaclnamespace OPERATOR(pg_catalog.=) 0 THEN
               ARRAY(SELECT ROW(a.grantee, a.privilege_type, a.is_grantable)::pg_catalog.text
                     FROM pg_catalog.aclexplode(pg_catalog.acldefault(d.defaclobjtype,
                                                                      d.defaclrole)) a)
           ELSE '{}'::pg_catalog.text[] END AS base
    FROM pg_catalog.pg_default_acl d
    LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.defaclnamespace
    WHERE (d.defaclnamespace OPERATOR(pg_catalog.=) 0 AND %(all)s)
       OR n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
),
-- one row per privilege that differs from the defaults: (grantee, privilege, grantable) and
-- whether the entry adds it (true) or takes it away (false)
differences AS (
    SELECT e.oid, x.item::pg_catalog.text AS item, true AS added
    FROM entries e, pg_catalog.unnest(e.items) x(item)
    WHERE NOT x.item OPERATOR(pg_catalog.=) ANY (e.base)
    UNION ALL
    SELECT e.oid, x.item, false
    FROM entries e, pg_catalog.unnest(e.base) x(item)
    WHERE NOT x.item OPERATOR(pg_catalog.=) ANY (e.items)
),
parsed AS (
    SELECT f.oid, f.added, r.grantee, r.privilege_type, r.is_grantable
    FROM differences f,
         LATERAL (SELECT (pg_catalog.string_to_array(
                              pg_catalog.btrim(f.item, '()'), ',')) AS parts) p,
         LATERAL (SELECT p.parts[1]::pg_catalog.oid AS grantee, p.parts[2] AS privilege_type,
                         p.parts[3] OPERATOR(pg_catalog.=) 't' AS is_grantable) r
),
sqls AS (
    SELECT e.oid, g.added,
           pg_catalog.format('%%s%%s %%s ON %%s %%s %%s%%s', e.prefix,
                             CASE WHEN g.added THEN 'GRANT' ELSE 'REVOKE' END,
                             g.privilege_type, e.objects,
                             CASE WHEN g.added THEN 'TO' ELSE 'FROM' END,
                             CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee))
                             END,
                             CASE WHEN g.added AND g.is_grantable THEN ' WITH GRANT OPTION'
                                  ELSE '' END) AS sql,
           pg_catalog.format('%%s%%s %%s ON %%s %%s %%s%%s', e.prefix,
                             CASE WHEN g.added THEN 'REVOKE' ELSE 'GRANT' END,
                             g.privilege_type, e.objects,
                             CASE WHEN g.added THEN 'FROM' ELSE 'TO' END,
                             CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                                  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee))
                             END,
                             CASE WHEN NOT g.added AND g.is_grantable THEN ' WITH GRANT OPTION'
                                  ELSE '' END) AS undo
    FROM parsed g JOIN entries e ON e.oid OPERATOR(pg_catalog.=) g.oid
)
SELECT COALESCE(e.nspname, '') AS schema_name,
       pg_catalog.format('%%s %%s', pg_catalog.pg_get_userbyid(e.defaclrole), e.objects) AS name,
       -- REVOKEs first: a grant option taken away is a REVOKE of the privilege and a GRANT
       COALESCE((SELECT pg_catalog.array_agg(s.sql ORDER BY s.added, s.sql) FROM sqls s
                 WHERE s.oid OPERATOR(pg_catalog.=) e.oid), '{}') AS statements,
       COALESCE((SELECT pg_catalog.array_agg(s.undo ORDER BY NOT s.added, s.undo) FROM sqls s
                 WHERE s.oid OPERATOR(pg_catalog.=) e.oid), '{}') AS drop_sql
FROM entries e
ORDER BY 1, 2
