"""No value changes without consent (issue 13 §3): type changes convert as assignment does,
the data checks count the values that would fail or change, and an apply refuses blocking
hazard codes the user did not allow, with the target untouched. Real server, real rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ddp_engine.apply import apply_plan
from ddp_engine.errors import DdpError
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests.conftest import Server, apply_script

#: (old type, new type, target values, failing, changing, USING expected): the README's table
#: of expected counts per conversion; every row is proven by test_conversion_counts.
CONVERSIONS = [
    # 894 of 1,000 labels longer than 10 characters: assignment refuses them (no truncation)
    (
        "varchar(20)",
        "varchar(10)",
        "SELECT CASE WHEN g <= 106 THEN 'short' ELSE 'label-' || lpad(g::text, 8, '0') END"
        " FROM generate_series(1, 1000) g",
        894,
        0,
        False,
    ),
    # trailing spaces past the limit: assignment trims them (a change, not a failure)
    ("varchar(20)", "varchar(10)", "VALUES ('abcdefghij   '), ('abc')", 0, 1, False),
    ("numeric(10,4)", "numeric(10,2)", "VALUES (1.2345), (2.5), (3.12), (NULL)", 0, 1, False),
    ("numeric(10,4)", "numeric(4,2)", "VALUES (1.2345), (123.45)", 1, 1, False),
    ("numeric", "integer", "VALUES (1.5), (2), (3.0)", 0, 1, False),
    (
        "timestamp",
        "date",
        "VALUES ('2024-01-01 10:00'::timestamp), ('2024-01-02 00:00')",
        0,
        1,
        False,
    ),
    (
        "timestamptz",
        "date",
        "VALUES ('2024-01-01 00:00+00'::timestamptz), ('2024-01-01 10:00+00')",
        0,
        1,
        False,
    ),
    ("text", "integer", "VALUES ('1'), ('x'), ('2'), ('3.5')", 2, 0, True),
    ("integer", "boolean", "VALUES (0), (1), (5)", 0, 1, True),
    (
        "json",
        "jsonb",
        'VALUES (\'{"a": 1, "a": 2}\'::json), (\'{"b": {"c": 1, "c": 1}}\'), (\'{"d":  1}\')',
        0,
        2,
        False,
    ),
    ("char(8)", "char(4)", "VALUES ('abcdefgh'), ('ab')", 1, 0, False),
    ("varbit(8)", "varbit(4)", "VALUES (B'10101010'), (B'101')", 1, 0, False),
    ("bit(4)", "bit(3)", "VALUES (B'1010')", 1, 0, False),
    ("integer", "bigint", "VALUES (1), (2147483647)", 0, 0, False),
    ("bigint", "integer", "VALUES (1), (2147483648)", 1, 0, False),
    ("integer", "text", "VALUES (1), (-7)", 0, 0, False),
    ("text", "varchar(3)", "VALUES ('abc'), ('abcd')", 1, 0, False),
    ("varchar(5)[]", "varchar(3)[]", "VALUES ('{abc,de}'), ('{abcd}'), ('{a  }')", 1, 0, False),
    ("char(4)[]", "char(2)[]", "VALUES ('{ab,cd}'), ('{abc}')", 1, 0, False),
]


def counts(result: SyncResult) -> tuple[int, int]:
    """(values that would fail, values that would change) over the plan's data checks."""
    found = {"values_fail": 0, "values_change": 0}
    for finding in result.plan.data_checks:
        if finding.hazard is not None:
            assert finding.count is not None, finding.message
            found[finding.hazard.code] += finding.count
    return found["values_fail"], found["values_change"]


def values(server: Server, db: str, table: str = "t") -> list[tuple]:
    with server.connect(db) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@pytest.mark.parametrize(
    ("old", "new", "rows", "failing", "changing", "explicit"),
    CONVERSIONS,
    ids=[f"{c[0]}->{c[1]}" for c in CONVERSIONS],
)
def test_conversion_counts(
    server: Server,
    make_db: Callable[[str], str],
    old: str,
    new: str,
    rows: str,
    failing: int,
    changing: int,
    explicit: bool,
) -> None:
    target = make_db(f"CREATE TABLE t (id serial, v {old}); INSERT INTO t (v) {rows};")
    source = make_db(f"CREATE TABLE t (id serial, v {new});")
    result = compare(server.settings(source), server.settings(target))
    assert counts(result) == (failing, changing)
    (step,) = [s for s in result.plan.steps if s.note == "Change type of t.v"]
    assert ("USING" in step.statements[0]) is explicit, step.statements[0]
    codes = {h.code for _, h in result.plan.hazards()}
    assert ("values_fail" in codes) is bool(failing)
    assert ("values_change" in codes) is bool(changing)


def test_assignment_refuses_what_explicit_cast_would_truncate(
    server: Server, make_db: Callable[[str], str], tmp_path
) -> None:
    """The script itself, run by psql, fails on a label that does not fit instead of cutting
    it: no USING, so PostgreSQL's assignment rules hold."""
    target = make_db("CREATE TABLE t (v varchar(20)); INSERT INTO t VALUES ('abcdefghijkl');")
    source = make_db("CREATE TABLE t (v varchar(10));")
    result = compare(server.settings(source), server.settings(target))
    import subprocess

    with pytest.raises(subprocess.CalledProcessError) as failed:
        apply_script(server, target, result.script, tmp_path)
    assert "value too long for type character varying(10)" in failed.value.stderr
    assert values(server, target) == [("abcdefghijkl",)]


def test_apply_refuses_blocking_codes_and_leaves_the_target_alone(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db(
        "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,4), flag int);"
        "INSERT INTO t SELECT g, g + 0.1234, g % 3 FROM generate_series(1, 50) g;"
    )
    source = make_db("CREATE TABLE t (id int PRIMARY KEY, price numeric(10,2), flag boolean);")
    before = values(server, target)
    result = compare(server.settings(source), server.settings(target))
    assert result.plan.refused() == ["values_change"]
    with pytest.raises(DdpError, match="values_change") as refused:
        apply_plan(server.settings(target), result.plan, result.script)
    assert "--allow-hazards values_change" in refused.value.message
    assert values(server, target) == before
    # a code that is not the blocking one is no consent either
    with pytest.raises(DdpError, match="blocking hazard"):
        apply_plan(server.settings(target), result.plan, result.script, frozenset({"values_fail"}))
    assert values(server, target) == before


def test_allowed_apply_changes_exactly_as_counted(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db(
        "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,4));"
        "INSERT INTO t SELECT g, CASE WHEN g % 4 = 0 THEN g + 0.5 ELSE g + 0.1234 END"
        " FROM generate_series(1, 40) g;"
    )
    source = make_db("CREATE TABLE t (id int PRIMARY KEY, price numeric(10,2));")
    before = values(server, target)
    result = compare(server.settings(source), server.settings(target))
    assert counts(result) == (0, 30)
    apply_plan(server.settings(target), result.plan, result.script, frozenset({"values_change"}))
    after = values(server, target)
    changed = [b for b, a in zip(before, after, strict=True) if b[1] != a[1]]
    assert len(changed) == 30
    assert compare(server.settings(source), server.settings(target)).plan.is_empty


def test_row_changed_between_plan_and_apply_is_caught(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """The plan counted nothing to block; a long label arrives before the apply: the value
    checks, counted again inside the apply transaction, refuse it and nothing is applied."""
    target = make_db("CREATE TABLE t (id int, v varchar(20)); INSERT INTO t VALUES (1, 'short');")
    source = make_db("CREATE TABLE t (id int, v varchar(10));")
    result = compare(server.settings(source), server.settings(target))
    assert counts(result) == (0, 0) and result.plan.refused() == []
    with server.connect(target) as conn:
        conn.execute("INSERT INTO t VALUES (2, 'much too long'), (3, 'trailing    ')")
    with pytest.raises(DdpError, match="values_change, values_fail") as refused:
        apply_plan(server.settings(target), result.plan, result.script)
    assert "counted again" in refused.value.message
    assert values(server, target) == [(1, "short"), (2, "much too long"), (3, "trailing    ")]
    with server.connect(target) as conn:
        (kind,) = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 't'::regclass AND attname = 'v'"
        ).fetchone()
    assert kind == "character varying(20)"


def test_no_data_checks_means_no_consent(server: Server, make_db: Callable[[str], str]) -> None:
    """Values nobody counted may change: the apply needs consent as if they did."""
    target = make_db("CREATE TABLE t (v numeric(10,4)); INSERT INTO t VALUES (1.2345);")
    source = make_db("CREATE TABLE t (v numeric(10,2));")
    options = SyncOptions(data_checks=False)
    result = compare(server.settings(source), server.settings(target), options)
    assert result.plan.refused() == ["values_change"]
    with pytest.raises(DdpError, match="values_change"):
        apply_plan(server.settings(target), result.plan, result.script)
    assert values(server, target) == [(__import__("decimal").Decimal("1.2345"),)]


def test_script_converts_under_the_targets_time_zone(
    server: Server, make_db: Callable[[str], str], tmp_path
) -> None:
    """The checks count under the target's TimeZone and the script sets it: run from a
    machine with another PGTZ, it converts as counted."""
    target = make_db(
        "CREATE TABLE t (id int, at timestamptz);"
        "INSERT INTO t VALUES (1, '2024-01-01 05:00+00'), (2, '2024-01-01 12:00+00');"
    )
    with server.connect() as conn:
        conn.execute(f"ALTER DATABASE \"{target}\" SET TimeZone = 'America/New_York'")
    source = make_db("CREATE TABLE t (id int, at date);")
    result = compare(server.settings(source), server.settings(target))
    assert "SET TimeZone = 'America/New_York';" in result.script
    assert counts(result) == (0, 1)  # 05:00 UTC is midnight in New York
    import os

    os.environ["PGTZ"] = "Asia/Tokyo"
    try:
        apply_script(server, target, result.script, tmp_path)
    finally:
        del os.environ["PGTZ"]
    import datetime

    assert values(server, target) == [
        (1, datetime.date(2024, 1, 1)),
        (2, datetime.date(2024, 1, 1)),
    ]


def test_data_not_carried_when_partitioning_changes(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db("CREATE TABLE t (id int, at date); INSERT INTO t VALUES (1, '2024-01-01');")
    source = make_db("CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);")
    result = compare(server.settings(source), server.settings(target))
    assert "data_not_carried" in result.plan.refused()
    assert "--   hazard data_not_carried: the new t starts empty" in result.script


def test_stored_column_becoming_generated_is_data_not_carried(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db("CREATE TABLE t (a int, b int); INSERT INTO t VALUES (1, 99);")
    source = make_db("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);")
    result = compare(server.settings(source), server.settings(target))
    assert result.plan.refused() == ["data_not_carried"]
