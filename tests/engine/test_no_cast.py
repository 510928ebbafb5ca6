"""A type change no cast makes, planned on hand-built snapshots: the column is renamed away and
added anew (data_not_carried) and what stands on it is rebuilt on the new one; with the user's
conversion it is one ALTER ... USING, written as given, with a check of the rows it fails on."""

from __future__ import annotations

from collections.abc import Mapping

from ddp_engine.conversions import Conversion
from ddp_engine.model import Index
from ddp_engine.user_conversions import UserConversion
from tests.engine.kit import STAMP, col, hazard_codes, plan_of, snapshot, statements, table

ODD = 'we"ird\nat'
Q = '"we""ird\nat"'
QT = '"public"."ev"'
OLD = table("ev", col("id", not_null=True), col(ODD, "bigint"))
NEW = table("ev", col("id", not_null=True), col(ODD, "timestamp without time zone"))
INDEX = Index(schema_name="public", table="ev", name="ev_at", body=f"USING btree ({Q})")


def no_cast(pairs: set[tuple[str, str]]) -> Mapping[tuple[str, str], Conversion]:
    """The target's answer: no cast at all between the two types."""
    return {pair: Conversion("none", "text") for pair in pairs}


def test_no_cast_renames_the_column_away_and_adds_it_anew() -> None:
    deps = ((("index", "public", "ev_at", ""), ("column", "public", "ev", ODD)),)
    plan = plan_of(
        snapshot(NEW, INDEX),
        snapshot(OLD, INDEX, dependencies=deps),
        conversions=no_cast,
    )
    tombstone = f'"we""ird\nat_dropped_{STAMP}"'
    assert statements(plan) == [
        'DROP INDEX "public"."ev_at"',
        f"ALTER TABLE {QT} RENAME COLUMN {Q} TO {tombstone}",
        f"ALTER TABLE {QT} ADD COLUMN {Q} timestamp without time zone",
        f'CREATE INDEX "ev_at" ON {QT} USING btree ({Q})',
    ]
    assert "data_not_carried" in hazard_codes(plan)
    assert plan.refused() == ["data_not_carried"]
    assert list(plan.cleanup) == [f"ALTER TABLE {QT} DROP COLUMN IF EXISTS {tombstone};"]


def test_a_cast_through_text_between_types_of_one_kind_stays_in_place() -> None:
    def text(pairs: set[tuple[str, str]]) -> Mapping[tuple[str, str], Conversion]:
        return {pair: Conversion("text", "text") for pair in pairs}

    plan = plan_of(snapshot(NEW), snapshot(OLD), conversions=text)
    assert statements(plan) == [
        f"ALTER TABLE {QT} ALTER COLUMN {Q} TYPE timestamp without time zone "
        f"USING {Q}::pg_catalog.text::timestamp without time zone"
    ]


def test_the_users_conversion_is_written_as_given() -> None:
    given = UserConversion("public", "ev", ODD, f"to_timestamp({Q}) -- epoch seconds")
    plan = plan_of(snapshot(NEW), snapshot(OLD), conversions=no_cast, using=[given])
    assert statements(plan) == [
        f"ALTER TABLE {QT} ALTER COLUMN {Q} TYPE timestamp without time zone "
        f"USING (\nto_timestamp({Q}) -- epoch seconds\n)"
    ]
    assert plan.refused() == []
    (step,) = plan.steps
    assert step.check == (
        "using",
        "public",
        "ev",
        ODD,
        "timestamp without time zone",
        f"to_timestamp({Q}) -- epoch seconds",
    )
