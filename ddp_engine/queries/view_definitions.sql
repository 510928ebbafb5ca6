-- Definitions of the views and materialized views in scope, one batch at a time in oid order
-- (the read passes the last oid it has and the batch size). pg_get_viewdef locks every
-- relation a view names until the transaction ends, so the read takes each batch inside a
-- savepoint that it rolls back: thousands of views read at once would overflow the server's
-- shared lock table (max_locks_per_transaction). The LIMIT stays in the subquery, so that only
-- the batch's views are deparsed. Extension members and views the scope leaves out are left
-- out, as in relations.sql.
WITH {{scope}}
SELECT v.oid::pg_catalog.int8 AS oid, pg_catalog.pg_get_viewdef(v.oid) AS definition
FROM (SELECT c.oid
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
      {{relation_scope(c.oid)}}
      WHERE n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s)
        AND c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog."char"[])
        AND o.out IS NOT TRUE
        AND c.oid OPERATOR(pg_catalog.>) %(after)s::pg_catalog.int8::pg_catalog.oid
        AND {{not_member(c.oid; pg_class)}}
      ORDER BY c.oid
      LIMIT %(batch)s) v
ORDER BY v.oid
