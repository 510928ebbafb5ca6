"""The number of catalog round trips per side does not grow with the number of tables, and is
the number the README states (tests/test_claims.py reads it there)."""

from __future__ import annotations

import re

import psycopg

from ddp_engine.introspect import query_settings, read_snapshot
from tests.helpers import CATALOG_QUERIES

#: Statements that only set or read a setting (the transaction's and one query's planner
#: settings) or mark a savepoint (around each batch of views), not catalog queries.
SETTING = re.compile(
    r"\s*(SELECT\s+(pg_catalog\.)?(set_config|current_setting)\(|SAVEPOINT|ROLLBACK TO|RELEASE)",
    re.I,
)


class CountingCursor(psycopg.Cursor):
    """A real cursor that records the statements it sends (nothing is faked)."""

    sent: list[str] = []

    def execute(self, query, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        CountingCursor.sent.append(query if isinstance(query, str) else repr(query))
        return super().execute(query, *args, **kwargs)

    def stream(self, query, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        CountingCursor.sent.append(query if isinstance(query, str) else repr(query))
        return super().stream(query, *args, **kwargs)


def catalog_queries() -> int:
    return sum(1 for q in CountingCursor.sent if not SETTING.match(q))


def statements_for(server, db: str) -> tuple[int, int]:
    CountingCursor.sent = []
    with psycopg.connect(
        host=server.host,
        port=server.port,
        user=server.user,
        dbname=db,
        cursor_factory=CountingCursor,
    ) as conn:
        snapshot = read_snapshot(conn, "public", False)
    return len(CountingCursor.sent), len(snapshot.tables)


def schema(n: int) -> str:
    parts = []
    for i in range(n):
        parts.append(
            f"CREATE TABLE t{i} (id serial PRIMARY KEY, v text DEFAULT 'x', p int"
            + (f" REFERENCES t{i - 1}" if i else "")
            + f"); CREATE INDEX i{i} ON t{i} (v);"
            f"CREATE VIEW v{i} AS SELECT id FROM t{i};"
        )
    return "".join(parts)


def test_queries_per_side_are_constant(server, make_db) -> None:
    small, small_tables = statements_for(server, make_db(schema(3)))
    small_catalog = catalog_queries()
    large, large_tables = statements_for(server, make_db(schema(120)))
    assert (small_tables, large_tables) == (3, 120)
    assert small == large
    assert small_catalog == catalog_queries() == CATALOG_QUERIES
    assert small - small_catalog <= 13  # settings: the transaction's and one query's; savepoint


def test_a_query_setting_lasts_for_its_query_only(server, make_db) -> None:
    """dependencies.sql reads with 256MB of work_mem; the queries after it get the
    transaction's own value back (and a setting that is not on/off survives the round trip)."""
    db = make_db("")
    with (
        psycopg.connect(host=server.host, port=server.port, user=server.user, dbname=db) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT set_config('work_mem', '64MB', true)")
        with query_settings(cur, {"work_mem": "256MB", "enable_mergejoin": "off"}):
            cur.execute("SELECT current_setting('work_mem'), current_setting('enable_mergejoin')")
            assert cur.fetchone() == ("256MB", "off")
        cur.execute("SELECT current_setting('work_mem'), current_setting('enable_mergejoin')")
        assert cur.fetchone() == ("64MB", "on")
        conn.rollback()


#: Views over a table whose name has a quote and a newline, one materialized; a view's text
#: holds a literal a careless reader would change ('it''s').
VIEWS = 'CREATE TABLE "it\'s\nt" (id int, v text);' + "".join(
    f'CREATE {"MATERIALIZED " if i == 3 else ""}VIEW "v{i}" AS '
    f"SELECT id, v || 'it''s {i}' AS w FROM \"it's\nt\";"
    for i in range(7)
)


def test_views_are_read_in_batches_that_keep_no_lock(server, make_db, monkeypatch) -> None:
    """pg_get_viewdef locks every relation a view names until its transaction ends: read a
    batch at a time in savepoints rolled back, thousands of views never fill the server's lock
    table. Batches of 2 give the same snapshot as one batch, and leave no lock behind."""
    from ddp_engine import introspect

    db = make_db(VIEWS)
    with psycopg.connect(host=server.host, port=server.port, user=server.user, dbname=db) as conn:
        whole = read_snapshot(conn, "public", False)
        monkeypatch.setattr(introspect, "VIEW_BATCH", 2)
        batched = read_snapshot(conn, "public", False)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        conn.cursor_factory = CountingCursor
        with conn.cursor() as cur:
            CountingCursor.sent = []
            params = {"schemas": ["public"], "all": False}
            definitions = introspect.read_view_definitions(cur, params)
            batches = sum("pg_get_viewdef" in q for q in CountingCursor.sent)
            locked = cur.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE l.pid = pg_backend_pid() AND c.relname NOT LIKE 'pg\\_%%'"
            ).fetchone()
        conn.rollback()
    views = {v.name: v.definition for v in whole.views}
    assert len(views) == 7 and all("it''s" in d for d in views.values())
    assert {v.name: v.definition for v in batched.views} == views
    assert batched == whole
    assert len(definitions) == 7 and batches == 4  # 2 + 2 + 2 + 1
    assert locked == (0,)


def test_streamed_results_read_the_same_in_any_chunk_size(server, make_db, monkeypatch) -> None:
    """Columns and dependencies arrive a chunk at a time (a table's columns split across
    chunks, dependency batches cut anywhere): the snapshot is the one read in one chunk."""
    from ddp_engine import introspect, rows

    db = make_db(
        schema(6) + "CREATE TABLE wide (" + ", ".join(f"c{i} int" for i in range(9)) + ");"
    )

    def read() -> object:
        with psycopg.connect(host=server.host, port=server.port, user=server.user, dbname=db) as c:
            return read_snapshot(c, "public", False)

    whole = read()
    monkeypatch.setattr(introspect, "STREAM_CHUNK", 2)
    monkeypatch.setattr(rows, "BATCH", 3)
    assert read() == whole
