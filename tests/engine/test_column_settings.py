"""A column's compression method and planner options (attoptions): set, changed and reset in
place, never by rewriting the table."""

from __future__ import annotations

from tests.engine.kit import col, hazard_codes, plan_of, snapshot, statements, table

COLUMN = 'ALTER TABLE "public"."t" ALTER COLUMN "we""ird\nname"'
NAME = 'we"ird\nname'


def test_compression_and_options_are_set_on_an_existing_column() -> None:
    source = table("t", col(NAME, "text", compression="l", options=("n_distinct=-0.2",)))
    plan = plan_of(snapshot(source), snapshot(table("t", col(NAME, "text"))))
    assert statements(plan) == [
        f"{COLUMN} SET COMPRESSION lz4",
        f"""{COLUMN} SET ("n_distinct" = '-0.2')""",
    ]
    assert hazard_codes(plan) == []


def test_options_the_source_lacks_are_reset_and_the_default_method_restored() -> None:
    target = table(
        "t",
        col(NAME, "text", compression="p", options=("n_distinct=5", "n_distinct_inherited=5")),
    )
    source = table("t", col(NAME, "text", options=("n_distinct=7",)))
    plan = plan_of(snapshot(source), snapshot(target))
    assert statements(plan) == [
        f"{COLUMN} SET COMPRESSION DEFAULT",
        f'{COLUMN} RESET ("n_distinct_inherited")',
        f"""{COLUMN} SET ("n_distinct" = '7')""",
    ]


def test_a_new_table_gets_its_columns_settings() -> None:
    source = table("t", col(NAME, "bytea", compression="p", options=("n_distinct=-1",)))
    found = statements(plan_of(snapshot(source), snapshot()))
    assert f"{COLUMN} SET COMPRESSION pglz" in found
    assert f"""{COLUMN} SET ("n_distinct" = '-1')""" in found
