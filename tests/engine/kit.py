"""Hand-built snapshots and the one doorway the engine tests use to reach the engine.

Every test of ``tests/engine`` builds its Snapshots here and calls the engine only through
``changes_of``, ``plan_of`` and ``script_of``: when the planner's entry changes, this module changes, not the
tests. No server is involved anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ddp_engine.diff import Change, diff
from ddp_engine.model import Column, Key, Schema, Snapshot, Table
from ddp_engine.plan import make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.render import render_script

#: The fixed moment of every plan: tombstone names are ``<name>_dropped_<STAMP>``.
NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
STAMP = "2026-01-02T03-04-05-678Z"
PUBLIC = Schema(name="public")


def snapshot(
    *objects: Any, dependencies: tuple[tuple[Key, Key], ...] = (), **kinds: Any
) -> Snapshot:
    """A PostgreSQL 15 snapshot of schema ``public`` holding ``objects`` (sorted into their
    kind by type) plus any ``kinds`` given by Snapshot attribute name."""
    by_attr: dict[str, list[Any]] = {}
    for obj in objects:
        by_attr.setdefault(_ATTR[type(obj).__name__], []).append(obj)
    values: dict[str, Any] = {"schemas": (PUBLIC,)}
    values.update({attr: tuple(objs) for attr, objs in by_attr.items()})
    values.update(kinds)
    return Snapshot(server_version=150000, dependencies=dependencies, **values)


_ATTR = {
    "Schema": "schemas",
    "Extension": "extensions",
    "Collation": "collations",
    "UserType": "types",
    "Sequence": "sequences",
    "Table": "tables",
    "View": "views",
    "Function": "functions",
    "Constraint": "constraints",
    "Index": "indexes",
    "Trigger": "triggers",
    "Policy": "policies",
    "Unsupported": "unsupported",
}


def col(name: str, data_type: str = "integer", **fields: Any) -> Column:
    return Column(name=name, data_type=data_type, **fields)


def table(name: str, *columns: Column, **fields: Any) -> Table:
    """A table of schema ``public`` with the owner's default privileges only."""
    fields.setdefault("acl", OWNER_TABLE_ACL)
    return Table(schema_name="public", name=name, columns=columns, **fields)


#: What a table's owner holds by default on PostgreSQL 15 (no GRANT needed on creation).
OWNER_TABLE_ACL = ("<owner>=arwdDxt",)


def plan_of(source: Snapshot, target: Snapshot, **options: Any) -> Plan:
    """The engine's plan from ``target`` to ``source`` at the fixed moment ``NOW``."""
    options.setdefault("target_schema", "public")
    options.setdefault("now", NOW)
    return make_plan(source, target, source_label="dev", target_label="prod", **options)


def changes_of(source: Snapshot, target: Snapshot, **options: Any) -> list[Change]:
    """What differs between ``target`` and ``source``, before any SQL."""
    return list(diff(source, target, **options))


def statements(plan: Plan) -> list[str]:
    """Every statement of the plan's steps, in order."""
    return [s for step in plan.steps for s in step.statements]


def hazard_codes(plan: Plan) -> list[str]:
    """The hazard codes of the plan's steps, in step order."""
    return [h.code for _, h in plan.hazards()]


def script_of(plan: Plan) -> str:
    return render_script(plan)


def is_subsequence(expected: list[str], actual: list[str]) -> bool:
    """Whether ``expected`` appears in ``actual`` in that order (others may come between)."""
    remaining = iter(actual)
    return all(any(item == found for found in remaining) for item in expected)


@dataclass(frozen=True)
class Case:
    """One acceptance case: bring ``target`` to ``source``.

    ``statements``: the plan's statements exactly, in order (``None``: not checked as a whole);
    ``contains``: statements that must appear in this order, others allowed between;
    ``hazards``: the hazard codes of the steps, in step order; ``cleanup``: the cleanup part;
    ``checks``: what the data checks of the steps count (datacheck.py), in step order;
    ``warnings``: what the plan says it could not do, as the script's WARNING comments.
    """

    name: str
    source: Snapshot
    target: Snapshot
    statements: list[str] | None = None
    contains: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    checks: list[tuple[str, ...]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


def check_case(case: Case) -> None:
    """Plan the case and compare with what it expects; both directions of a miss say which."""
    plan = plan_of(case.source, case.target, **case.options)
    found = statements(plan)
    if case.statements is not None:
        assert found == case.statements
    assert is_subsequence(case.contains, found), found
    assert hazard_codes(plan) == case.hazards
    assert list(plan.cleanup) == case.cleanup
    assert [step.check for step in plan.steps if step.check] == case.checks
    assert list(plan.warnings) == case.warnings
    assert {step.action for step in plan.steps} <= ACTIONS
    # the script holds every statement, each ended, in the plan's order
    script, at = script_of(plan), 0
    for statement in found:
        at = script.index(f"\n{statement};\n", at) + len(statement)


#: What a step does; drops and renames come first within a section (plan.Planner.add).
ACTIONS = {"create", "drop", "alter", "rename", "detach"}
