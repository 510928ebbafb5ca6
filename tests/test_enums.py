"""Kinds, actions, sections, hazard codes and catalog letters are enums whose values are what
JSON, scripts and comparisons see: a Snapshot and a Plan round-trip through JSON (as the
Dagster IO manager stores them) unchanged, and a model built from the catalog's plain letters
equals one validated into the enums. No server needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ddp_engine.codes import ConstraintType, FunctionKind, TriggerState
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import HazardCode, parse_allowed
from ddp_engine.model import Column, Constraint, Function, Kind, Snapshot, Table, Trigger
from ddp_engine.plan import make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.stepspec import Section

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def source_snapshot() -> Snapshot:
    table = Table(
        schema_name="public",
        name="t",
        columns=(Column("id", "integer", not_null=True), Column("a", "text")),
    )
    key = Constraint(
        schema_name="public",
        table="t",
        name="t_pkey",
        definition="PRIMARY KEY (id)",
        constraint_type=ConstraintType.PRIMARY_KEY,
        columns=("id",),
    )
    function = Function(
        schema_name="public",
        name="f",
        identity_args="",
        kind=FunctionKind.FUNCTION,
        body="() RETURNS integer LANGUAGE sql AS $$SELECT 1$$",
        result_type="integer",
    )
    return Snapshot(
        server_version=150000,
        tables=(table,),
        constraints=(key,),
        functions=(function,),
    )


def plan_of(source: Snapshot, target: Snapshot) -> Plan:
    return make_plan(
        source,
        target,
        source_label="s",
        target_label="t",
        target_schema="public",
        privileges=False,
        now=NOW,
    )


def test_the_catalog_letters_compare_equal_to_their_members() -> None:
    values = {"schema_name": "public", "table": "t", "name": "c", "definition": "CHECK (a > 0)"}
    read = Constraint.trusted(**values, constraint_type="c")  # as introspection builds it
    assert read.constraint_type is ConstraintType.CHECK
    validated = Constraint.model_validate_json(read.model_dump_json())
    assert read == validated and hash(read) == hash(validated)
    assert json.loads(read.model_dump_json())["constraint_type"] == "c"
    trigger = Trigger.model_validate(
        {"schema_name": "s", "table": "t", "name": "g", "definition": "CREATE TRIGGER ..."}
    )
    assert (
        trigger.enabled is TriggerState.ORIGIN
        and json.loads(trigger.model_dump_json())["enabled"] == "O"
    )


def test_a_snapshot_round_trips_through_json_with_its_fingerprint() -> None:
    snapshot = source_snapshot()
    again = Snapshot.model_validate_json(snapshot.model_dump_json())
    assert again == snapshot
    assert again.fingerprint() == snapshot.fingerprint()
    assert again.functions[0].kind is FunctionKind.FUNCTION


def test_a_plan_round_trips_through_json_and_shows_the_plain_values() -> None:
    plan = plan_of(source_snapshot(), Snapshot(server_version=150000))
    assert {c.kind for c in plan.changes} == {Kind.TABLE, Kind.CONSTRAINT, Kind.FUNCTION}
    assert all(c.action is Action.CREATE for c in plan.changes)
    again = Plan.model_validate_json(plan.model_dump_json())
    assert again == plan
    data = json.loads(plan.model_dump_json())
    assert {s["section"] for s in data["steps"]} >= {"TABLE", "CONSTRAINT", "FUNCTION/PROCEDURE"}
    assert {c["action"] for c in data["changes"]} == {"create"}
    assert plan.counts() == {Section.TABLE: 1, Section.CONSTRAINT: 1, Section.FUNCTION: 1}
    codes = {h.code for _, h in plan.hazards()}
    assert HazardCode.MAY_FAIL_ON_DATA in codes and "may_fail_on_data" in codes


def test_a_dropped_table_is_renamed_and_a_drop_is_a_drop_in_json() -> None:
    plan = plan_of(Snapshot(server_version=150000), source_snapshot())
    table_steps = [s for s in plan.steps if s.section is Section.TABLE]
    assert [s.action for s in table_steps] == [Action.RENAME]
    assert HazardCode.KEPT_AS_TOMBSTONE in {h.code for h in table_steps[0].hazards}
    assert any(c.startswith("DROP TABLE IF EXISTS") for c in plan.cleanup)
    assert Change.drop(("table", "public", "t", "")) in plan.changes


def test_allowed_hazard_codes_are_members() -> None:
    allowed = parse_allowed(["values_change,values_fail"])
    assert allowed == {HazardCode.VALUES_CHANGE, HazardCode.VALUES_FAIL}
    assert all(isinstance(code, HazardCode) for code in allowed)
