"""A type change no cast makes (bigint to timestamp), on a real server: without a conversion the
old values stay in a tombstone column and the apply needs consent (``data_not_carried``); with
``--using`` the user's expression converts them, under an empty search_path (shadows planted in
the writable schema never run), and the data check counts the rows it would fail on."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from ddp_engine.apply import apply_plan
from ddp_engine.errors import DdpError
from ddp_engine.hazards import HazardCode
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests.conftest import Server
from tests.helpers import ddp, side_args

COL = '"we""ird\nat"'
#: Planted where a careless script would call them: each would change or refuse the values.
SHADOWS = """
CREATE FUNCTION public.to_timestamp(bigint) RETURNS timestamptz LANGUAGE sql
  AS $$SELECT 'epoch'::timestamptz$$;
CREATE FUNCTION public.plus(bigint, integer) RETURNS bigint LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'shadow + ran'; END$$;
CREATE OPERATOR public.+ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = public.plus);
"""
TARGET = SHADOWS + (
    f"CREATE TABLE ev (id int PRIMARY KEY, {COL} bigint);"
    f"CREATE INDEX ev_at ON ev ({COL});"
    "INSERT INTO ev VALUES (1, 1136073600), (2, 1136077200), (3, NULL);"
)
SOURCE = SHADOWS + f"CREATE TABLE ev (id int PRIMARY KEY, {COL} timestamp);"
SOURCE += f"CREATE INDEX ev_at ON ev ({COL});"
CONVERSION = f"public.ev.{COL}=to_timestamp({COL} + 0) AT TIME ZONE 'UTC'"


def rows(server: Server, db: str) -> list[tuple]:
    with server.connect(db) as conn:
        return conn.execute("SELECT * FROM ev ORDER BY id").fetchall()


def plan(server: Server, source: str, target: str, *using: str) -> SyncResult:
    options = SyncOptions(using=using)
    return compare(server.settings(source), server.settings(target), options)


def test_without_a_conversion_values_stay_in_a_tombstone_and_need_consent(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target, source = make_db(TARGET), make_db(SOURCE)
    result = plan(server, source, target)
    assert result.plan.refused() == [HazardCode.DATA_NOT_CARRIED]
    before = rows(server, target)
    with pytest.raises(DdpError, match="data_not_carried"):
        apply_plan(server.settings(target), result.plan, result.script)
    assert rows(server, target) == before
    allowed = frozenset({HazardCode.DATA_NOT_CARRIED})
    apply_plan(server.settings(target), result.plan, result.script, allowed)
    with server.connect(target) as conn:
        kept = conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'ev'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
        ).fetchall()
        tombstone = next(name for name, _ in kept if name.startswith('we"ird\nat_dropped_'))
        assert conn.execute(
            f'SELECT id, "{tombstone.replace(chr(34), chr(34) * 2)}", {COL} FROM ev ORDER BY id'
        ).fetchall() == [(1, 1136073600, None), (2, 1136077200, None), (3, None, None)]
    assert plan(server, source, target).plan.is_empty


def test_conversion_given_converts_with_pg_catalog_alone(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target, source = make_db(TARGET), make_db(SOURCE)
    result = plan(server, source, target, CONVERSION)
    assert result.plan.refused() == []
    (finding,) = result.plan.data_checks
    assert finding.count == 0 and finding.hazard is None
    apply_plan(server.settings(target), result.plan, result.script)
    assert rows(server, target) == [
        (1, datetime.datetime(2006, 1, 1, 0, 0)),
        (2, datetime.datetime(2006, 1, 1, 1, 0)),
        (3, None),
    ]
    assert plan(server, source, target).plan.is_empty


def test_rows_the_conversion_fails_on_are_counted_and_block(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db(TARGET + "INSERT INTO ev VALUES (4, 9000000000000000);")
    source = make_db(SOURCE)
    result = plan(server, source, target, CONVERSION)
    assert result.plan.refused() == [HazardCode.VALUES_FAIL]
    assert [f.count for f in result.plan.data_checks] == [1]
    before = rows(server, target)
    with pytest.raises(DdpError, match="values_fail"):
        apply_plan(server.settings(target), result.plan, result.script)
    assert rows(server, target) == before


def test_conversion_for_a_column_whose_type_stays_is_said_unused(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target = make_db(TARGET)
    result = plan(server, target, target, CONVERSION)
    assert result.plan.is_empty
    assert result.plan.warnings == (
        "--using public.ev.we\"ird\nat: not used, the column's type does not change",
    )


@pytest.mark.parametrize(
    "value",
    [
        "public.ev=1",
        "public.ev.x=",
        "public.ev.x=1); DROP TABLE ev; SELECT (1",
        "public.ev.x=1) FROM ev WHERE (true",
        "public.ev.x=x) --",
    ],
)
def test_malformed_conversion_is_one_line_and_exit_64(
    server: Server, make_db: Callable[[str], str], value: str, tmp_path
) -> None:
    target = make_db(TARGET)
    for command in ("sync", "plan"):
        run = ddp(
            command,
            *side_args(server, "source", target),
            *side_args(server, "target", target),
            "--using",
            value,
            cwd=tmp_path,
        )
        assert run.returncode == 64, run.stderr
        assert run.stderr.count("\n") == 1 and "--using wants" in run.stderr
        assert "Traceback" not in run.stderr
    assert len(rows(server, target)) == 3


def test_plan_command_takes_the_conversion(
    server: Server, make_db: Callable[[str], str], tmp_path
) -> None:
    target, source = make_db(TARGET), make_db(SOURCE)
    out = tmp_path / "plan.json"
    run = ddp(
        "plan",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--using",
        CONVERSION,
        "--output",
        str(out),
        "--sql",
        str(tmp_path / "plan.sql"),
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    script = (tmp_path / "plan.sql").read_text()
    assert f"USING (\nto_timestamp({COL} + 0) AT TIME ZONE 'UTC'\n);" in script
