"""The catalog queries introspect.py runs, one ``.sql`` file per object kind.

Like pg_dump's, they name every catalog object with its schema: ``pg_catalog.pg_class``,
``pg_catalog.format_type(...)``, ``OPERATOR(pg_catalog.=)``, ``::pg_catalog.text``,
``'pg_catalog.pg_class'::pg_catalog.regclass``; no ``IN (...)``, ``NULLIF`` or ``CASE x WHEN``,
which look ``=`` up through the search_path. Then nothing planted in a schema that other roles
can write to stands in for what ddp calls, even under a search_path that lists that schema
(tests/trust/test_qualified_sql.py checks each file with PostgreSQL's own parser). The empty
search_path of every session is still needed: ``pg_get_viewdef`` runs a query of its own whose
``=`` the server looks up through it.
"""
