"""The judge (tests/judge.py) and the value loader (tests/values.py) read with their own SQL:
every catalog object they name is qualified, so a schema first on the search_path that holds
shadows of catalog functions, operators and views is never reached."""

from __future__ import annotations

import psycopg

from tests import judge as judge_module
from tests import values as values_module
from tests.judge import judge, picture
from tests.values import capture, load_rows, lost_values


def test_the_judges_sql_is_qualified(server, make_db, planted) -> None:
    """Every query of the judge and the value loader runs under ``public, pg_catalog`` with
    shadows of catalog functions, operators and views in public: none of them is called."""
    db = make_db(
        "CREATE TABLE t (id int PRIMARY KEY, s varchar(5) CHECK (s <> 'x'));"
        "CREATE VIEW v AS SELECT id FROM t;"
    )
    canary = planted(db, "public")
    with server.connect(db) as conn:
        conn.execute("SET search_path = public, pg_catalog")
        for query in [*judge_module.QUERIES, values_module.COLUMNS]:
            if "pg_get_viewdef" in query:
                # PostgreSQL's pg_get_viewdef itself runs an SPI query with an unqualified
                # `=` (ruleutils.c): only an empty search_path keeps it from a shadow; the
                # picture below reads views that way
                continue
            conn.execute(query.encode()).fetchall()
        assert not canary.calls()
    with server.connect(db) as conn, server.connect(make_db("")) as other:
        picture(conn)
        judge(conn, other)
        load_rows(conn)
        before = capture(conn)
        assert lost_values(before, conn) == []
    canary.assert_silent()


def test_an_unqualified_read_would_be_recorded(server, make_db, planted) -> None:
    """The canary of the test above records when it is reached (so its silence means something)."""
    db = make_db("")
    canary = planted(db, "public")
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as conn:
        conn.execute("SET search_path = public, pg_catalog")
        conn.execute("SELECT lower('X'::text), 'a'::text = 'b'::text").fetchall()
    assert canary.calls()
