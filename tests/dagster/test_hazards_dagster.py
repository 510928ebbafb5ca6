"""The Dagster apply asks for the same consent as ``ddp apply``: ``allow_hazards`` in
``applied_plan``'s config; the plan's hazard codes are in ``alter_sql``'s metadata."""

from __future__ import annotations

import dagster as dg

from tests.dagster.conftest import metadata

SOURCE = "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,2));"
TARGET = (
    "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,4));"
    "INSERT INTO t VALUES (1, 1.2345), (2, 2.5);"
)


def prices(pair) -> list[tuple]:
    with pair.server.connect(pair.target) as conn:
        return conn.execute("SELECT id, price::text FROM t ORDER BY id").fetchall()


def test_apply_refused_without_allow_hazards_then_allowed(make_pair, materialize) -> None:
    pair = make_pair(SOURCE, TARGET)
    refused = materialize(pair, dry_run=False, raise_on_error=False)
    assert not refused.success
    [failure] = [e for e in refused.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.error.message
    assert "blocking hazard(s) values_change" in message
    assert "allow_hazards: [values_change] in applied_plan's config" in message
    assert "--allow-hazards" not in message
    assert prices(pair) == [(1, "1.2345"), (2, "2.5000")]
    diff = metadata(refused, "alter_sql")
    assert diff["blocking_hazards"] == ["values_change"]
    assert "values_change" in diff["hazard_codes"]
    assert {h["code"] for h in diff["hazards"]} >= {"values_change", "access_exclusive_lock"}
    assert [c["hazard"] for c in diff["data_checks"]] == ["values_change"]

    applied = materialize(pair, dry_run=False, allow_hazards=["values_change"])
    assert applied.success
    assert prices(pair) == [(1, "1.23"), (2, "2.50")]


def test_unknown_allowed_code_fails_the_run(make_pair, materialize) -> None:
    pair = make_pair(SOURCE, TARGET)
    result = materialize(pair, dry_run=False, raise_on_error=False, allow_hazards=["nope"])
    assert not result.success
    assert prices(pair) == [(1, "1.2345"), (2, "2.5000")]
