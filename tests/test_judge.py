"""The judges the convergence tests use can fail, and read the databases on their own terms.

tests/judge.py (an independent catalog picture) and tests/values.py (rows generated before an
apply, every value compared after) grade DDP in the ``converge`` fixture; these tests show
each one catching what it is there to catch, and that their SQL names only pg_catalog's
objects, qualified (run under a search_path whose first schema holds shadows, nothing runs).
"""

from __future__ import annotations

from tests.judge import judge, picture
from tests.values import capture, load_rows, lost_values

STAMP = "2026-01-15T10-30-45-123Z"


def _judge(server, source: str, target: str) -> list[str]:
    with server.connect(source) as s, server.connect(target) as t:
        return judge(s, t)


def test_equal_schemas_are_equal_despite_this_machines_attoptions(server, make_db) -> None:
    schema = (
        "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE t (id serial PRIMARY KEY, m mood,"
        " x varchar(9) CHECK (x IN ('a', 'b'))); CREATE INDEX ON t (x); CREATE VIEW v AS"
        " SELECT id FROM t; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
    )
    assert _judge(server, make_db(schema), make_db(schema)) == []


def test_a_difference_ddp_might_not_see_is_named(server, make_db) -> None:
    source = make_db("CREATE TABLE t (a int, b text); CREATE INDEX i ON t (a);")
    target = make_db(
        "CREATE TABLE t (a bigint, b text); CREATE INDEX i ON t (b);"
        "ALTER TABLE t ALTER COLUMN b SET STATISTICS 50; CREATE SEQUENCE extra;"
    )
    errors = _judge(server, source, target)
    assert any(e.startswith("column public.t.a: type:") for e in errors)
    assert any(e.startswith("column public.t.b: statistics:") for e in errors)
    assert any(e.startswith("index public.t.i: definition:") for e in errors)
    assert "extra sequence public.extra" in errors


def test_tombstones_are_left_out_and_nothing_else(server, make_db) -> None:
    source = make_db("CREATE TABLE t (a int);")
    target = make_db(
        f'CREATE TABLE t (a int, "gone_dropped_{STAMP}" int);'
        f'CREATE TABLE "old_dropped_{STAMP}" (a int CONSTRAINT "pk_dropped_{STAMP}" PRIMARY KEY);'
        f'CREATE INDEX "i_dropped_{STAMP}" ON "old_dropped_{STAMP}" (a);'
        'CREATE TABLE "looks_dropped_but_is_not" (a int);'
    )
    assert _judge(server, source, target) == ["extra table public.looks_dropped_but_is_not"]


def test_a_check_that_deparses_otherwise_is_settled_not_excused(server, make_db) -> None:
    """``varchar IN (...)`` prints differently once loaded from its own text: the judge
    compares with the source's text after one load, and still sees a different list."""
    check = "CREATE TABLE t (s varchar(2) CHECK (s IN ('DF', 'PB')));"
    source = make_db(check)
    copied = make_db("CREATE TABLE t (s varchar(2));")
    other = make_db("CREATE TABLE t (s varchar(2));")
    with server.connect(source) as conn:
        text = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_s_check'"
        ).fetchone()[0]
    with server.connect(copied) as conn:
        conn.execute(f"ALTER TABLE t ADD CONSTRAINT t_s_check {text}".encode())
    with server.connect(other) as conn:
        conn.execute(f"ALTER TABLE t ADD CONSTRAINT t_s_check {text.replace('PB', 'XX')}".encode())
    with server.connect(source) as s, server.connect(copied) as c:
        assert picture(s).entries != picture(c).entries  # the texts do differ
    assert _judge(server, source, copied) == []
    assert [e.split(":")[0] for e in _judge(server, source, other)] == [
        "constraint public.t.t_s_check"
    ]


def test_values_lost_or_changed_are_named(server, make_db) -> None:
    db = make_db(
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (id int PRIMARY KEY, m mood,"
        " n numeric(8,2), s varchar(20), d timestamp, kept int, gone int, g int GENERATED ALWAYS"
        " AS (id * 2) STORED);"
        "CREATE TABLE child (id int REFERENCES t, note text NOT NULL);"
    )
    with server.connect(db) as conn:
        assert load_rows(conn) == 6  # three rows each, the child's after its parent's
        before = capture(conn)
        assert lost_values(before, conn) == []
        conn.execute(
            f'ALTER TABLE t RENAME COLUMN m TO "m_dropped_{STAMP}";'
            f'ALTER TABLE child RENAME TO "child_dropped_{STAMP}";'
            "ALTER TABLE t ALTER COLUMN kept TYPE bigint, ALTER COLUMN n TYPE numeric(12,4);"
        )
        assert lost_values(before, conn) == []  # renamed and widened: all kept
        conn.execute(
            f'ALTER TABLE t ALTER COLUMN "m_dropped_{STAMP}" TYPE mood USING NULL, DROP COLUMN gone,'
            " ALTER COLUMN s TYPE varchar(1) USING s::varchar(1),"
            " ALTER COLUMN d TYPE date, ALTER COLUMN n TYPE numeric(8,0)"
        )
        lost = lost_values(before, conn)
    assert "column public.t.gone: gone" in lost
    assert any(line.startswith("table public.t (now t): row") for line in lost)


def test_a_value_changed_in_one_column_is_caught(server, make_db) -> None:
    for change in (
        "ALTER TABLE t ALTER COLUMN m TYPE mood USING NULL",
        "ALTER TABLE t ALTER COLUMN s TYPE varchar(1) USING s::varchar(1)",
        "ALTER TABLE t ALTER COLUMN d TYPE date",
        "ALTER TABLE t ALTER COLUMN n TYPE numeric(8,0)",
        "UPDATE t SET j = '{}' WHERE id = 2",
    ):
        db = make_db(
            "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (id int, m mood,"
            " n numeric(8,2), s varchar(20), d timestamp, j jsonb);"
        )
        with server.connect(db) as conn:
            load_rows(conn)
            before = capture(conn)
            conn.execute(change.encode())
            assert lost_values(before, conn), change


def test_rows_reach_partitions_ranges_and_checked_domains(server, make_db) -> None:
    """Generated rows fit a partition's bound (its ancestors' too), an exclusion constraint
    over ranges, a domain's check and a column's IN list: each table below gets its rows."""
    db = make_db(
        "CREATE DOMAIN zip AS text CHECK (VALUE ~ '^\\d{5}$');"
        "CREATE DOMAIN email AS text NOT NULL CHECK (VALUE LIKE '%@%');"
        "CREATE TABLE person (z zip NOT NULL, e email, status varchar(2) NOT NULL"
        " CHECK (status IN ('DF', 'PB')), price numeric NOT NULL CHECK (price > 10));"
        "CREATE TABLE m (d date NOT NULL, k int NOT NULL) PARTITION BY RANGE (d);"
        "CREATE TABLE m_2006 PARTITION OF m FOR VALUES FROM ('2006-02-01') TO ('2006-03-01')"
        " PARTITION BY LIST (k);"
        "CREATE TABLE m_2006_7 PARTITION OF m_2006 FOR VALUES IN (7, 8);"
        "CREATE TABLE l (c text NOT NULL) PARTITION BY LIST (c);"
        "CREATE TABLE l_q PARTITION OF l FOR VALUES IN ('it''s', 'x');"
        "CREATE TABLE band (r numrange NOT NULL, EXCLUDE USING gist (r WITH &&));"
    )
    with server.connect(db) as conn:
        load_rows(conn)
        rows = {t.name: len(t.rows) for t in capture(conn).values()}
        assert conn.execute("SELECT k FROM m_2006_7").fetchall()[0] == (7,)
        assert conn.execute("SELECT c FROM l_q").fetchall()[0] == ("it's",)
    assert rows["person"] == 3 and rows["band"] == 3
    assert rows["m_2006_7"] >= 1 and rows["l_q"] >= 1
