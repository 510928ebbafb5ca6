"""Order rules of partitioned tables, inheritance children and generated columns."""

from __future__ import annotations

from ddp_engine.model import Key
from tests.engine import objects as o
from tests.engine.kit import col, plan_of, snapshot, statements, table

T = '"public"."t"'
#: The expression of a generated column calls ``g``: pg_depend's edge runs from the column's
#: pg_attrdef entry (keyed as its default) to the function.
GENERATED_DEPS: tuple[tuple[Key, Key], ...] = (
    (("default", "public", "t", "twice"), ("function", "public", "g(integer)", "")),
)


def _position(found: list[str], prefix: str) -> int:
    """Index of the first statement starting with ``prefix`` (fails the test if none)."""
    return next(i for i, s in enumerate(found) if s.startswith(prefix))


def test_a_new_generated_column_comes_after_the_function_its_expression_calls() -> None:
    twice = col("twice", generated="public.g(id)")
    source = snapshot(table("t", col("id"), twice), o.SQL_FN, dependencies=GENERATED_DEPS)
    found = statements(plan_of(source, snapshot(table("t", col("id")))))
    function = _position(found, 'CREATE OR REPLACE FUNCTION "public"."g"')
    column = _position(found, f'ALTER TABLE {T} ADD COLUMN "twice"')
    assert function < column, found


def test_a_new_table_with_a_generated_column_comes_after_the_function_it_calls() -> None:
    twice = col("twice", generated="public.g(id)")
    source = snapshot(table("t", col("id"), twice), o.SQL_FN, dependencies=GENERATED_DEPS)
    found = statements(plan_of(source, snapshot()))
    assert _position(found, "CREATE OR REPLACE FUNCTION") < _position(found, "CREATE TABLE"), found


def test_a_recomputed_generated_column_comes_after_its_new_function() -> None:
    source = snapshot(
        table("t", col("id"), col("twice", generated="public.g(id)")),
        o.SQL_FN,
        dependencies=GENERATED_DEPS,
    )
    target = snapshot(table("t", col("id"), col("twice", generated="(id * 2)")))
    found = statements(plan_of(source, target))
    function = _position(found, 'CREATE OR REPLACE FUNCTION "public"."g"')
    assert function < _position(found, f'ALTER TABLE {T} ADD COLUMN "twice"'), found
