"""Data checks: what each kind of check counts in the target's rows, and the recount inside apply."""

from __future__ import annotations

import pytest

from ddp_engine.apply import apply_plan
from ddp_engine.errors import DdpError
from ddp_engine.plan_model import Plan
from tests.db.conftest import Pair


def _findings(plan: Plan) -> list[tuple[str, int | None, bool, str | None]]:
    return [
        (f.check, f.count, f.fails, f.hazard.code if f.hazard else None) for f in plan.data_checks
    ]


def test_counts_of_the_checks_that_fail_a_step(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.p (id int PRIMARY KEY);"
        "CREATE TABLE {s}.t (id int NOT NULL, name text NOT NULL, p int, v int,"
        " CONSTRAINT t_name_key UNIQUE (name), CONSTRAINT t_v_check CHECK (v > 0),"
        " CONSTRAINT t_p_fkey FOREIGN KEY (p) REFERENCES {s}.p (id));",
        "CREATE TABLE {s}.p (id int PRIMARY KEY); INSERT INTO {s}.p VALUES (1);"
        "CREATE TABLE {s}.t (id int NOT NULL, name text, p int, v int);"
        "INSERT INTO {s}.t VALUES (1, NULL, 1, 1), (2, 'a', 2, -1), (3, 'a', 3, -2),"
        " (4, 'b', NULL, NULL), (5, 'c', 1, 5);",
    )
    plan = pair.compare().plan
    assert sorted(_findings(plan)) == [
        ("check", 2, True, None),
        ("fk", 2, True, None),
        ("not_null", 1, True, None),
        ("unique", 1, True, None),
    ]
    messages = {f.check: f.message for f in plan.data_checks}
    assert messages["not_null"] == "1 row(s) hold NULL in name: this step will fail"
    assert messages["unique"] == "1 duplicated key(s) in (name): this step will fail"
    assert messages["check"] == "2 row(s) violate the check: this step will fail"
    assert messages["fk"] == "2 row(s) reference no existing key: this step will fail"


def test_counts_that_find_nothing_do_not_fail(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int NOT NULL, name text NOT NULL UNIQUE, extra int NOT NULL);",
        "CREATE TABLE {s}.t (id int NOT NULL, name text); INSERT INTO {s}.t VALUES (1, 'a');",
    )
    plan = pair.compare().plan
    assert sorted(_findings(plan)) == [
        ("not_null", 0, False, None),
        ("rows", 1, True, None),
        ("unique", 0, False, None),
    ]


def test_type_change_counts_values_that_fail_and_that_change(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n integer, m numeric(4,1));",
        "CREATE TABLE {s}.t (id int, n text, m numeric(5,2));"
        "INSERT INTO {s}.t VALUES (1, '1', 1.25), (2, 'x', 2.5), (3, 'y', 3.75), (4, '4', 1),"
        " (5, '5', 2);",
    )
    plan = pair.compare().plan
    assert sorted(_findings(plan)) == [
        ("convert", 2, False, "values_change"),
        ("convert", 2, True, "values_fail"),
    ]
    assert plan.refused() == ["values_change", "values_fail"]


def test_type_change_that_keeps_every_value_blocks_nothing(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n bigint);",
        "CREATE TABLE {s}.t (id int, n integer); INSERT INTO {s}.t VALUES (1, 1), (2, -7);",
    )
    plan = pair.compare().plan
    assert _findings(plan) == [("convert", 0, False, None)]
    assert plan.refused() == []


def test_removed_enum_label_in_use_fails(pair: Pair) -> None:
    pair.load(
        "CREATE TYPE {s}.mood AS ENUM ('sad', 'ok'); CREATE TABLE {s}.t (m {s}.mood);",
        "CREATE TYPE {s}.mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE {s}.t (m {s}.mood);"
        "INSERT INTO {s}.t VALUES ('happy'), ('happy'), ('ok');",
    )
    plan = pair.compare().plan
    assert _findings(plan) == [("labels", 2, True, "values_fail")]


def test_data_checks_off_leave_value_checks_needing_consent(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n bigint, name text NOT NULL);",
        "CREATE TABLE {s}.t (id int, n integer, name text); INSERT INTO {s}.t VALUES (1, 1, NULL);",
    )
    plan = pair.compare(data_checks=False).plan
    assert _findings(plan) == [("convert", None, False, "values_change")]
    assert plan.data_checks[0].message == "not checked: data checks are off"


def test_a_spent_budget_says_so(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n bigint, name text NOT NULL);",
        "CREATE TABLE {s}.t (id int, n integer, name text); INSERT INTO {s}.t VALUES (1, 1, NULL);",
    )
    plan = pair.compare(data_check_budget=0.0).plan
    assert sorted(_findings(plan)) == [
        ("convert", None, False, "values_change"),
        ("not_null", None, False, None),
    ]
    assert all("time budget ran out" in f.message for f in plan.data_checks)


def test_check_calling_a_volatile_function_is_not_evaluated(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, CONSTRAINT t_id_check CHECK (id > random()));",
        "CREATE TABLE {s}.t (id int); INSERT INTO {s}.t VALUES (1);",
    )
    plan = pair.compare().plan
    assert [(f.check, f.count) for f in plan.data_checks] == [("check", None)]
    assert plan.data_checks[0].message.startswith("not checked: ")


def test_many_tables_are_counted_in_one_round_trip_each_right(pair: Pair) -> None:
    tables = range(5)
    pair.load(
        "".join(f"CREATE TABLE {{s}}.t{i} (id int NOT NULL);" for i in tables),
        "".join(
            f"CREATE TABLE {{s}}.t{i} (id int);"
            + "".join(f"INSERT INTO {{s}}.t{i} VALUES (NULL);" for _ in range(i))
            for i in tables
        ),
    )
    plan = pair.compare().plan
    counts = {plan.steps[f.step].key[2]: f.count for f in plan.data_checks}
    assert counts == {f"t{i}": i for i in tables}


def test_a_value_error_in_a_batch_is_counted_row_by_row(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n integer); CREATE TABLE {s}.u (id int NOT NULL);",
        "CREATE TABLE {s}.t (id int, n text); CREATE TABLE {s}.u (id int);"
        "INSERT INTO {s}.t VALUES (1, '99999999999'), (2, '5'); INSERT INTO {s}.u VALUES (NULL);",
    )
    plan = pair.compare().plan
    assert sorted(_findings(plan)) == [
        ("convert", 1, True, "values_fail"),
        ("not_null", 1, True, None),
    ]


def test_rows_changed_after_the_plan_are_counted_again_inside_the_apply(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n integer);",
        "CREATE TABLE {s}.t (id int, n text); INSERT INTO {s}.t VALUES (1, '1');",
    )
    result = pair.compare()
    assert result.plan.refused() == []
    pair.on_target("INSERT INTO {s}.t VALUES (2, 'x')")
    with pytest.raises(DdpError, match="counted again to apply"):
        # the fingerprint holds (only rows changed), the recount refuses
        apply_plan(pair.target, result.plan, result.script)
    assert pair.target_rows(
        "SELECT data_type FROM information_schema.columns WHERE column_name = 'n' "
        "AND table_schema = {n}"
    ) == [("text",)]
    with pytest.raises(DdpError, match="nothing was changed: invalid input syntax"):
        apply_plan(pair.target, result.plan, result.script, frozenset({"values_fail"}))


def test_data_checks_on_an_unreachable_target_name_the_target(pair: Pair) -> None:
    from ddp_engine.datacheck import run_data_checks

    pair.load(
        "CREATE TABLE {s}.t (id int NOT NULL);",
        "CREATE TABLE {s}.t (id int); INSERT INTO {s}.t VALUES (NULL);",
    )
    plan = pair.compare(data_checks=False).plan
    gone = pair.target.model_copy(update={"database": "ddp_test_no_such_database"})
    with pytest.raises(DdpError) as failed:
        run_data_checks(gone, plan)
    assert "target database" in failed.value.message
