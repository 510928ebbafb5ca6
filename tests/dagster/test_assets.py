"""The four assets and the check, materialised in-process against real databases."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.assets import AlterSqlConfig, ApplyConfig, PairAssets
from ddp_dagster.io_manager import PydanticJsonIOManager
from ddp_dagster.plans import AppliedPlan, ReviewedPlan
from ddp_engine.introspect import introspect
from ddp_engine.model import Snapshot
from ddp_engine.planfile import load_plan_file
from ddp_engine.sync import SchemaDiff
from tests.conftest import load
from tests.dagster.conftest import check_results, metadata


def test_drift_fails_check_and_dry_run_writes_only_the_files(make_pair, materialize, tmp_path):
    pair = make_pair()
    result = materialize(pair)
    assert result.success

    source = result.output_for_node("source_schema")
    assert isinstance(source, Snapshot)
    src_meta = metadata(result, "source_schema")
    assert src_meta["objects_by_kind"]["tables"] == 2
    assert src_meta["server_version"] == source.server_version
    assert src_meta["introspection_seconds"] >= 0
    assert "password" not in str(src_meta["where"]).lower()

    # The diff is a stage of its own: the changes, no SQL.
    found = result.output_for_node("schema_diff")
    assert isinstance(found, SchemaDiff) and not found.is_empty
    changes = {(c.action, c.kind, c.label) for c in found.changes}
    assert ("create", "table", "public.orders") in changes
    assert ("create", "column", "public.customers.email") in changes
    assert {action for action, _, _ in changes} == {"create"}
    diff_meta = metadata(result, "schema_diff")
    assert diff_meta["in_sync"] is False
    assert diff_meta["changes_by_kind"]["table"] == {"create": 1}
    assert "| create | table | public.orders |" in diff_meta["changes_table"]

    check = check_results(result)["target_in_sync"]
    assert check.passed is False
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert "create table public.orders" in check.metadata["drifted_objects"].value

    # alter_sql materialises the reviewed plan: plan file and script, hazards as metadata.
    reviewed: ReviewedPlan = result.output_for_node("alter_sql")
    written = (tmp_path / "alter.sql").read_text()
    assert reviewed.script_path == str(tmp_path / "alter.sql")
    assert 'CREATE TABLE "public"."orders"' in written
    planfile = load_plan_file(reviewed.plan_path)
    assert planfile.script == written and planfile.digest == reviewed.digest
    assert planfile.target_fingerprint == found.target_fingerprint
    sql_meta = metadata(result, "alter_sql")
    assert sql_meta["statements"] == reviewed.statements > 0
    assert sql_meta["script"].startswith("```sql\n")
    assert isinstance(sql_meta["hazards"], list) and sql_meta["blocking_hazards"] == []
    # its paths are path values of their own, beside the IO manager's "path"
    [mat] = result.asset_materializations_for_node("alter_sql")
    assert isinstance(mat.metadata["script_path"], dg.PathMetadataValue)
    assert mat.metadata["plan_path"].value == reviewed.plan_path
    assert mat.metadata["path"].value.endswith("alter_sql.json")

    # Dry run: the apply checked the plan and executed nothing on the target.
    applied: AppliedPlan = result.output_for_node("applied_plan")
    assert applied.dry_run and not applied.applied and applied.in_sync_after is None
    target, _ = introspect(pair.resource(pair.target).settings(), "target")
    assert target.counts()["tables"] == 1

    # The IO manager's files are readable JSON that round-trips.
    stored = tmp_path / "storage" / "schema_diff.json"
    assert SchemaDiff.model_validate_json(stored.read_text()) == found


def test_in_sync_pair_passes_the_check(make_pair, materialize):
    pair = make_pair(source_sql="CREATE TABLE t (id int PRIMARY KEY);", target_sql="")
    load(pair.server, pair.target, "CREATE TABLE t (id int PRIMARY KEY);")
    result = materialize(pair)
    check = check_results(result)["target_in_sync"]
    assert check.passed is True
    assert metadata(result, "schema_diff")["changes"] == 0
    assert result.output_for_node("alter_sql").statements == 0


def test_sync_with_apply_turns_the_check_green_in_the_same_run(make_pair, materialize):
    pair = make_pair()
    applied = materialize(pair, dry_run=False)
    outcome: AppliedPlan = applied.output_for_node("applied_plan")
    assert outcome.applied and outcome.in_sync_after is True
    assert outcome.statements == applied.output_for_node("alter_sql").statements
    assert metadata(applied, "applied_plan")["in_sync_after_apply"] is True
    # The diff was made before the apply; the check ran after it, on the target as it is now.
    assert not applied.output_for_node("schema_diff").is_empty
    check = check_results(applied)["target_in_sync"]
    assert check.passed is True and check.metadata["after_apply"].value is True

    again = materialize(pair)
    assert check_results(again)["target_in_sync"].passed is True
    assert again.output_for_node("schema_diff").is_empty


def test_stale_plan_is_refused(make_pair, materialize, default_assets: PairAssets):
    pair = make_pair()
    assert materialize(pair).success
    load(pair.server, pair.target, "CREATE TABLE late_arrival (id int);")
    # Materialise applied_plan alone: it loads the stored (now stale) reviewed plan.
    for dry_run in (True, False):
        result = materialize(
            pair, dry_run=dry_run, selection=[default_assets.applied_plan.key], raise_on_error=False
        )
        assert not result.success
        [failure] = [e for e in result.all_events if e.is_step_failure]
        message = failure.step_failure_data.user_failure_data.description
        assert "target changed since the plan was made" in message
        assert "materialise this pair's schema_diff" in message and "ddp sync" not in message
    target, _ = introspect(pair.resource(pair.target).settings(), "target")
    assert target.counts()["tables"] == 2  # customers + late_arrival, nothing applied


def test_connection_error_is_one_line_without_password(make_pair, default_assets, tmp_path):
    pair = make_pair()
    secret = "pw-Zq81-never-shown"
    resources = pair.resources(default_assets.pair, tmp_path)
    resources["source_db"] = pair.resource("ddp_test_no_such_database", password=secret)
    result = dg.materialize(
        [default_assets.source_schema],
        resources=resources,
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert "does not exist" in message and "\n" not in message
    assert secret not in repr(result.all_events)


def test_direct_invocation(make_pair, default_assets: PairAssets, tmp_path: Path):
    """The assets and the check are callable without a run (Dagster's unit-test recipe)."""
    pair = make_pair()
    resources = pair.resources(default_assets.pair, tmp_path)
    context = dg.build_asset_context(resources=resources)
    snap = default_assets.source_schema(context).value
    assert isinstance(snap, Snapshot) and snap.counts()["tables"] == 2

    target = default_assets.target_schema(context).value
    found = default_assets.schema_diff(context, source_schema=snap, target_schema=target).value
    assert isinstance(found, SchemaDiff) and not found.is_empty
    check_context = dg.build_asset_check_context(instance=dg.DagsterInstance.ephemeral())
    [check] = default_assets.target_in_sync(check_context, schema_diff=found)
    assert check.passed is False and check.metadata["changes"].value == len(found.changes)


def test_io_manager_rejects_non_models(tmp_path):
    manager = PydanticJsonIOManager(base_path=tmp_path)
    context = dg.build_output_context(asset_key=dg.AssetKey("x"))
    with pytest.raises(TypeError, match="pydantic models only"):
        manager.dump_to_path(context, {"a": 1}, manager._base_path / "x.json")  # noqa: SLF001


def test_config_defaults():
    assert ApplyConfig().dry_run is True and ApplyConfig().allow_hazards == []
    assert AlterSqlConfig().output_path == ""


def test_named_pairs_each_get_their_own_check(make_pair, tmp_path, monkeypatch):
    """Two pairs from a pairs file: prefixed keys, own resources (EnvVar), own check."""
    from ddp_dagster.definitions import DRIFT_JOB, build_definitions
    from ddp_dagster.pairs import load_pairs_file

    drifting, in_sync = make_pair(), make_pair(source_sql="", target_sql="")
    pairs_file = tmp_path / "pairs.yaml"
    pairs_file.write_text(
        "include_default: false\n"
        "pairs:\n"
        "  sales: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_}\n"
        "  billing: {source_env: BILLING_SRC_DB_, target_env: BILLING_TGT_DB_}\n"
    )
    specs = load_pairs_file(pairs_file)
    for pair, spec in zip((drifting, in_sync), specs, strict=True):
        for name, value in pair.env(spec).items():
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    defs = build_definitions(pairs=specs)
    result = defs.resolve_job_def(DRIFT_JOB).execute_in_process()
    assert result.success
    passed = {e.asset_key.to_user_string(): e.passed for e in result.get_asset_check_evaluations()}
    assert passed == {"sales/schema_diff": False, "billing/schema_diff": True}
    assert (tmp_path / "storage" / "sales" / "schema_diff.json").is_file()


def test_alter_sql_metadata_carries_the_data_checks(make_pair, materialize):
    """The same data checks as `ddp sync`: planted NULLs are counted before anyone applies."""
    pair = make_pair(
        "CREATE TABLE t (id int, email text NOT NULL);",
        "CREATE TABLE t (id int, email text); INSERT INTO t VALUES (1, NULL), (2, NULL), (3, 'a');",
    )
    result = materialize(pair)
    sql_meta = metadata(result, "alter_sql")
    assert sql_meta["data_checks_failing"] == 1
    [finding] = sql_meta["data_checks"]
    assert finding["count"] == 2 and finding["fails"] is True
