"""The number of catalog round trips per side does not grow with the number of tables, and is
the number the README states (tests/test_claims.py reads it there)."""

from __future__ import annotations

import re

import psycopg

from ddp_engine.introspect import query_settings, read_snapshot
from tests.helpers import CATALOG_QUERIES

#: Statements that only set or read a setting (the transaction's and one query's planner
#: settings), not catalog queries.
SETTING = re.compile(r"\s*SELECT\s+(pg_catalog\.)?(set_config|current_setting)\(", re.I)


class CountingCursor(psycopg.Cursor):
    """A real cursor that records the statements it sends (nothing is faked)."""

    sent: list[str] = []

    def execute(self, query, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        CountingCursor.sent.append(query if isinstance(query, str) else repr(query))
        return super().execute(query, *args, **kwargs)


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
    assert small - small_catalog <= 10  # settings: the transaction's and one query's


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
