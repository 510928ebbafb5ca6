"""The diff is a stage of its own: the planner orders the Changes it is given (no server)."""

from __future__ import annotations

from datetime import UTC, datetime

from ddp_engine.diff import Action, Change, diff
from ddp_engine.model import Column, Snapshot, Table, View
from ddp_engine.plan import make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.registry import Section

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SOURCE = Snapshot(
    server_version=150000,
    tables=(Table(schema_name="public", name="t", columns=(Column("a", "integer"),)),),
)
TARGET = Snapshot(server_version=150000)


def plan(changes: tuple[Change, ...] | None = None) -> Plan:
    return make_plan(
        SOURCE,
        TARGET,
        source_label="s",
        target_label="t",
        target_schema="public",
        privileges=False,
        now=NOW,
        changes=changes,
    )


def test_diff_says_what_differs_and_nothing_about_sql() -> None:
    changes = diff(SOURCE, TARGET)
    assert changes == (
        Change(action=Action.CREATE, kind="table", key=("table", "public", "t", "")),
    )
    assert diff(SOURCE, SOURCE) == ()


def test_the_planner_orders_the_changes_it_is_given() -> None:
    assert plan(diff(SOURCE, TARGET)) == plan()
    assert [s.note for s in plan().steps] == ["Create missing table t"]
    assert plan(()).is_empty  # given no changes, it makes no steps of its own


def test_a_view_on_a_retyped_column_is_dropped_first_and_recreated_after_saying_why() -> None:
    """The generators say what each change takes; the planner rebuilds what stands on the
    retyped column and orders the drop, the type change and the creation."""
    view = View(schema_name="public", name="v", definition=" SELECT t.a FROM public.t;", owner="o")
    edge = (("view", "public", "v", ""), ("column", "public", "t", "a"))

    def side(data_type: str) -> Snapshot:
        table = Table(schema_name="public", name="t", columns=(Column("a", data_type),))
        return Snapshot(server_version=150000, tables=(table,), views=(view,), dependencies=(edge,))

    steps = make_plan(
        side("bigint"),
        side("integer"),
        source_label="s",
        target_label="t",
        target_schema="public",
        privileges=False,
        now=NOW,
    ).steps
    assert [(s.section, s.action) for s in steps] == [
        (Section.VIEW, Action.DROP),
        (Section.COLUMN, Action.ALTER),
        (Section.VIEW, Action.CREATE),
    ]
    assert steps[0].note == "Drop view v to recreate it"
    assert steps[2].note == "Recreate view v (it stands on something that changes)"
    assert steps[1].statements == (
        'ALTER TABLE "public"."t" ALTER COLUMN "a" TYPE bigint USING "a"::bigint',
    )
