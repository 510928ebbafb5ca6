"""The sync doorway: labels, options, the plan made from both reads."""

from __future__ import annotations

import gc

from ddp_engine.sync import SyncOptions, compare, label, no_cycle_collection
from tests.db.conftest import Pair


def test_script_header_names_each_side_without_secrets(pair: Pair) -> None:
    pair.load("CREATE TABLE {s}.t (id int);", "")
    result = pair.compare()
    where = f"{pair.database}@{pair.server.host}:{pair.server.port}"
    assert result.plan.source_label == f"{pair.source_schema} ({where})"
    assert result.plan.target_label == f"{pair.target_schema} ({where})"
    assert label(pair.target, True) == f"{where} (all schemas)"
    assert result.plan.stamp == "2026-01-02T03-04-05-678Z"
    assert result.script.startswith("-- ====")
    assert f"-- Prod Schema: {pair.target_schema} ({where})" in result.script
    assert result.source_seconds > 0 and result.target_seconds > 0


def test_source_is_relabelled_to_the_target_schema(pair: Pair) -> None:
    pair.load("CREATE TABLE {s}.t (id int); CREATE VIEW {s}.v AS SELECT id FROM {s}.t;", "")
    result = pair.compare()
    creates = [s for step in result.plan.steps for s in step.statements]
    assert all(pair.source_schema not in s for s in creates)
    assert any(f'"{pair.target_schema}"."v"' in s for s in creates)


def test_options_reach_the_plan(pair: Pair) -> None:
    pair.load(
        "CREATE TABLE {s}.t (id int, n bigint); GRANT SELECT ON {s}.t TO PUBLIC;",
        "CREATE TABLE {s}.t (id int, n integer);",
    )
    plan = pair.compare(lock_timeout="3s", statement_timeout="9s").plan
    assert (plan.lock_timeout, plan.statement_timeout) == ("3s", "9s")
    assert any(s.section == "PRIVILEGE" for s in plan.steps)
    assert plan.target_fingerprint != ""
    assert plan.time_zone  # read with the type change: the script converts under it
    quiet = pair.compare(privileges=False, fingerprint=False).plan
    assert not any(s.section == "PRIVILEGE" for s in quiet.steps)
    assert quiet.target_fingerprint == ""


def test_target_snapshot_is_the_target(pair: Pair) -> None:
    pair.load("CREATE TABLE {s}.a (id int);", "CREATE TABLE {s}.b (id int);")
    result = pair.compare()
    assert [t.name for t in result.source.tables] == ["a"]
    assert [t.name for t in result.target.tables] == ["b"]


def test_limits_take_the_lock_and_read_timeouts() -> None:
    limits = SyncOptions(lock_timeout="4s", read_timeout="7s", statement_timeout="1s").limits()
    assert (limits.lock_timeout, limits.statement_timeout) == ("4s", "7s")


def test_cycle_collection_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with no_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_column_back_to_its_types_storage_converges(pair: Pair) -> None:
    """The catalog reads a column's storage only where it is not its type's own: a target
    column set to EXTERNAL, whose source keeps text's default, must be set back."""
    from ddp_engine.sync import apply_and_verify

    pair.load(
        "CREATE TABLE {s}.t (id int, n text, m text);"
        "ALTER TABLE {s}.t ALTER COLUMN m SET STORAGE MAIN;",
        "CREATE TABLE {s}.t (id int, n text, m text);"
        "ALTER TABLE {s}.t ALTER COLUMN n SET STORAGE EXTERNAL;",
    )
    result = pair.compare()
    assert [c.fields for c in result.plan.changes] == [("storage",), ("storage",)]
    assert apply_and_verify(result.plan, pair.source, pair.target).after.changes == ()
    assert pair.target_rows(
        "SELECT attname, attstorage FROM pg_catalog.pg_attribute WHERE attrelid = "
        "'{s}.t'::regclass AND attname IN ('n', 'm') ORDER BY attname"
    ) == [("m", "m"), ("n", "x")]


def test_snapshots_read_apart_are_planned_with_the_targets_fingerprint(pair: Pair) -> None:
    """As the Dagster assets call it: snapshots read first, the plan made from them."""
    from ddp_engine.introspect import introspect
    from ddp_engine.sync import plan_from_snapshots

    pair.load(
        "CREATE TABLE {s}.t (id int); CREATE TABLE {s}.u (id int);", "CREATE TABLE {s}.t (id int);"
    )
    source, _ = introspect(pair.source, "source")
    target, _ = introspect(pair.target, "target")
    plan = plan_from_snapshots(source, target, pair.source, pair.target, SyncOptions())
    assert plan.target_fingerprint == target.fingerprint()
    assert [c.label for c in plan.changes] == [f"{pair.target_schema}.u"]
    written = plan_from_snapshots(
        source, target, pair.source, pair.target, SyncOptions(fingerprint=False)
    )
    assert written.target_fingerprint == ""


def test_a_schema_compared_with_itself_is_in_sync(pair: Pair) -> None:
    """No relabelling: the lookups made while reading are the planner's own."""
    pair.load("", "CREATE TABLE {s}.t (id int PRIMARY KEY, n int CHECK (n > 0));")
    result = compare(pair.target, pair.target, SyncOptions())
    assert result.plan.is_empty
    assert result.plan.changes == ()
