"""apply_plan and apply_and_verify: all or nothing, refused when it must be, the lock per database."""

from __future__ import annotations

import pytest

from ddp_engine.apply import apply_plan, lock_id, main_part
from ddp_engine.errors import DdpError, StepsWouldFail
from ddp_engine.sync import SyncOptions, apply_and_verify
from tests.db.conftest import Pair

TABLE = "CREATE TABLE {s}.t (id int PRIMARY KEY, name text);"


def test_apply_converges_and_counts_its_statements(pair: Pair) -> None:
    pair.load(TABLE + "CREATE INDEX t_name ON {s}.t (name); CREATE TABLE {s}.u (id int);", TABLE)
    result = pair.compare()
    applied = apply_plan(pair.target, result.plan, result.script)
    assert applied.applied
    assert applied.statements == 2
    assert pair.compare().plan.is_empty


def test_empty_plan_applies_nothing(pair: Pair) -> None:
    pair.load(TABLE, TABLE)
    result = pair.compare()
    applied = apply_plan(pair.target, result.plan, result.script)
    assert (applied.applied, applied.statements) == (False, 0)


def test_apply_and_verify_returns_the_fresh_plan(pair: Pair) -> None:
    pair.load(TABLE + "ALTER TABLE {s}.t ADD COLUMN x date;", TABLE)
    result = pair.compare()
    assert not result.plan.is_empty
    assert apply_and_verify(result.plan, pair.source, pair.target).after.is_empty
    assert pair.target_rows(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = {n} "
        "AND column_name = 'x'"
    ) == [(1,)]


def test_blocking_hazard_is_refused_unless_allowed(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, name text) PARTITION BY LIST (id);",
        "CREATE TABLE {s}.t (id int, name text); INSERT INTO {s}.t VALUES (1, 'a');",
    )
    result = pair.compare()
    with pytest.raises(DdpError, match="blocking hazard.*data_not_carried"):
        apply_plan(pair.target, result.plan, result.script)
    assert pair.target_rows("SELECT count(*) FROM {s}.t") == [(1,)]
    assert apply_plan(pair.target, result.plan, result.script, frozenset({"data_not_carried"}))
    assert pair.compare().plan.is_empty


def test_plan_without_fingerprint_is_refused(pair: Pair) -> None:
    pair.load(TABLE, "")
    result = pair.compare(fingerprint=False)
    assert result.plan.target_fingerprint == ""
    with pytest.raises(DdpError, match="without the target's fingerprint"):
        apply_plan(pair.target, result.plan, result.script)
    assert not pair.target_has("t")


def test_target_changed_after_the_plan_is_refused(pair: Pair) -> None:
    pair.load(TABLE, "")
    result = pair.compare()
    pair.on_target("CREATE TABLE {s}.other (id int)")
    with pytest.raises(DdpError) as refused:
        apply_plan(pair.target, result.plan, result.script)
    assert refused.value.message == (
        "DDP SYNC failed: the target changed since the plan was made; "
        "run ddp sync again to make a fresh plan"
    )


def test_lock_is_one_per_database_and_refuses_a_second_apply(pair: Pair) -> None:
    other_schema = pair.target.model_copy(update={"schema_name": "elsewhere"})
    other_database = pair.target.model_copy(update={"database": "another"})
    assert lock_id(pair.target) == lock_id(other_schema)
    assert lock_id(pair.target) != lock_id(other_database)
    pair.load(TABLE, "")
    result = pair.compare()
    with pair.connect() as holder:
        holder.execute("SELECT pg_catalog.pg_advisory_lock(%s)", (lock_id(pair.target),))
        with pytest.raises(DdpError) as refused:
            apply_plan(pair.target, result.plan, result.script)
        assert refused.value.message == (
            "DDP SYNC failed: another ddp sync is applying to the target database; "
            "try again when it has finished"
        )
    assert apply_plan(pair.target, result.plan, result.script).applied
    with pair.connect() as after:  # released when the apply ends
        got = after.execute(
            "SELECT pg_catalog.pg_try_advisory_lock(%s)", (lock_id(pair.target),)
        ).fetchone()
        assert got == (True,)


def test_failing_statement_changes_nothing(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int PRIMARY KEY, name text NOT NULL); CREATE TABLE {s}.u (id int);",
        "CREATE TABLE {s}.t (id int PRIMARY KEY, name text); INSERT INTO {s}.t VALUES (1, NULL);",
    )
    result = pair.compare(data_checks=False)  # uncounted: the server finds the NULL
    with pytest.raises(DdpError) as failed:
        apply_plan(pair.target, result.plan, result.script)
    assert failed.value.message.startswith(
        "DDP SYNC failed: applying the script failed and nothing was changed: "
    )
    assert "\n" not in failed.value.message  # the server's DETAIL line joined into one
    assert not pair.target_has("u")


def test_a_step_the_data_checks_say_will_fail_is_not_started(pair: Pair) -> None:
    """Counted rows on which a step fails (a NOT NULL over a NULL; a NOT NULL column added
    anew where no cast carries the old values): the apply refuses before taking a lock."""
    pair.load(
        "CREATE TABLE {s}.t (id int PRIMARY KEY, name text NOT NULL, at timestamp NOT NULL);"
        "CREATE TABLE {s}.u (id int);",
        "CREATE TABLE {s}.t (id int PRIMARY KEY, name text, at bigint NOT NULL);"
        "INSERT INTO {s}.t VALUES (1, NULL, 5);",
    )
    result = pair.compare()
    with pytest.raises(StepsWouldFail) as failed:
        apply_plan(pair.target, result.plan, result.script, frozenset({"data_not_carried"}))
    assert "(and 1 more step(s))" in failed.value.message  # both steps counted
    assert not pair.target_has("u")
    assert pair.target_rows("SELECT * FROM {s}.t") == [(1, None, 5)]


def test_online_part_runs_after_the_transaction(pair: Pair) -> None:
    pair.load(TABLE + "CREATE INDEX t_name ON {s}.t (name); CREATE TABLE {s}.u (id int);", TABLE)
    result = pair.compare(online=True)
    main = main_part(result.plan, result.script)
    assert "CONCURRENTLY" not in main
    assert "CREATE TABLE" in main
    assert main.splitlines()[-1].endswith(";")
    assert main.startswith("SET lock_timeout = '10s';\n")  # the session settings first
    assert apply_plan(pair.target, result.plan, result.script).applied
    assert pair.compare().plan.is_empty


def test_failing_online_statement_says_the_main_part_was_applied(pair: Pair) -> None:
    pair.load(
        TABLE + "CREATE INDEX t_inverse ON {s}.t ((1 / id)); CREATE TABLE {s}.u (id int);",
        TABLE + "INSERT INTO {s}.t VALUES (0, 'a');",
    )
    result = pair.compare(online=True)
    with pytest.raises(DdpError) as failed:
        apply_plan(pair.target, result.plan, result.script)
    assert failed.value.reason == (
        "the main part was applied, but an online statement failed: division by zero"
    )
    assert failed.value.message.endswith("(run ddp sync again to finish)")
    assert pair.target_has("u")


def test_script_without_online_part_is_applied_whole(pair: Pair) -> None:
    pair.load(TABLE, "")
    result = pair.compare()
    assert main_part(result.plan, result.script) == result.script


def test_an_unreachable_target_is_named_as_the_target(pair: Pair) -> None:
    pair.load(TABLE, "")
    result = pair.compare()
    gone = pair.target.model_copy(update={"database": "ddp_test_no_such_database"})
    with pytest.raises(DdpError) as failed:
        apply_plan(gone, result.plan, result.script)
    assert "target database" in failed.value.message
    assert "source" not in failed.value.message


def test_a_re_read_that_waits_too_long_names_the_lock_holder(pair: Pair) -> None:
    locked = (
        "CREATE TABLE {s}.t (id int PRIMARY KEY, code text DEFAULT 'x' CHECK (code <> ''));"
        "CREATE INDEX t_code ON {s}.t (code);"
    )
    pair.load(locked + "CREATE TABLE {s}.u (id int);", locked)
    result = pair.compare(lock_timeout="1s")
    with pair.connect() as holder:
        holder.autocommit = False
        holder.execute(f'LOCK TABLE "{pair.target_schema}".t IN ACCESS EXCLUSIVE MODE')
        with pytest.raises(DdpError) as blocked:
            apply_and_verify(result.plan, pair.source, pair.target, SyncOptions(lock_timeout="1s"))
        holder.rollback()
    message = blocked.value.message
    assert message.startswith(
        "DDP SYNC failed: reading the target database gave up after --lock-timeout 1s: "
        f"{pair.target_schema}.t is locked (ACCESS EXCLUSIVE) by pid "
    )
    assert not pair.target_has("u")
