"""``ddp sync`` and hazards: the summary, ``--format json``, and consent through
``--allow-hazards`` (repeatable, comma-separated; an unknown code is a usage error)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.helpers import ddp, side_args


@pytest.fixture
def pair(server: Server, make_db: Callable[[str], str]) -> tuple[str, str]:
    target = make_db(
        "CREATE TABLE t (id int, price numeric(10,4), label varchar(20));"
        "INSERT INTO t VALUES (1, 1.2345, 'short'), (2, 2.5, 'much too long!');"
    )
    source = make_db("CREATE TABLE t (id int, price numeric(10,2), label varchar(10));")
    return source, target


def args(server: Server, pair: tuple[str, str]) -> list[str]:
    return [*side_args(server, "source", pair[0]), *side_args(server, "target", pair[1])]


def table(server: Server, db: str) -> list[tuple]:
    with server.connect(db) as conn:
        return conn.execute("SELECT id, price::text, label FROM t ORDER BY id").fetchall()


def test_summary_and_json_name_the_codes(server: Server, pair, tmp_path: Path) -> None:
    dry = ddp("sync", *args(server, pair), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "values_change" in dry.stdout and "values_fail" in dry.stdout
    assert "BLOCKING: --apply needs --allow-hazards values_fail" in dry.stdout
    assert (
        "  Change type of t.label: values_fail: 1 value(s) of label converting to "
        "character varying(10) would fail"
    ) in dry.stdout
    assert "--   hazard values_fail: 1 value(s) of label converting to" in dry.stdout
    out = ddp("sync", *args(server, pair), "--format", "json", "--dry-run", cwd=tmp_path)
    plan = json.loads(out.stdout)
    codes = {h["code"] for h in plan["hazards"]}
    assert {"values_change", "values_fail", "access_exclusive_lock"} <= codes
    assert plan["blocking_hazards"] == ["values_change", "values_fail"]
    assert all(
        h["blocking"] == (h["code"] in ("values_change", "values_fail")) for h in plan["hazards"]
    )


def test_apply_refused_without_consent(server: Server, pair, tmp_path: Path) -> None:
    before = table(server, pair[1])
    run = ddp("sync", *args(server, pair), "--apply", cwd=tmp_path)
    assert run.returncode not in (0, 2)
    [line] = run.stderr.splitlines()
    assert line.startswith(
        "DDP SYNC failed: the plan has blocking hazard(s) values_change, values_fail"
    )
    assert "--allow-hazards values_change,values_fail" in line
    assert table(server, pair[1]) == before
    # consent to one code is not consent to the other
    run = ddp(
        "sync", *args(server, pair), "--apply", "--allow-hazards", "values_change", cwd=tmp_path
    )
    assert run.returncode not in (0, 2) and "values_fail" in run.stderr
    assert table(server, pair[1]) == before


def test_apply_with_consent(server: Server, make_db, tmp_path: Path) -> None:
    target = make_db(
        "CREATE TABLE t (id int, price numeric(10,4), label varchar(20));"
        "INSERT INTO t VALUES (1, 1.2345, 'short'), (2, 2.5, 'fits');"
    )
    source = make_db("CREATE TABLE t (id int, price numeric(10,2), label varchar(10));")
    run = ddp(
        "sync",
        *args(server, (source, target)),
        "--apply",
        "--allow-hazards",
        "values_change,values_fail",
        "--allow-hazards",
        "data_not_carried",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert table(server, target) == [(1, "1.23", "short"), (2, "2.50", "fits")]


def test_unknown_code_is_a_usage_error(server: Server, pair, tmp_path: Path) -> None:
    run = ddp(
        "sync", *args(server, pair), "--apply", "--allow-hazards", "values_chnage", cwd=tmp_path
    )
    assert run.returncode not in (0, 2)
    [line] = run.stderr.splitlines()
    assert "values_chnage" in line and "values_change" in line and "data_not_carried" in line
    assert not (tmp_path / "alter.sql").exists()
