"""The code location loads, names what the docs name, and binds secrets by env-var name only."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import dagster as dg
import pytest

from ddp_dagster.assets import AlterSqlConfig, ApplyConfig
from ddp_dagster.definitions import (
    APPLY_JOB,
    DRIFT_JOB,
    DRIFT_SCHEDULE,
    SYNC_JOB,
    build_definitions,
    defs,
)
from ddp_dagster.pairs import PairsFileError, PairSpec, load_pairs_file
from ddp_dagster.resources import PostgresSchemaResource
from ddp_dagster.translator import Stage
from ddp_engine.errors import BadInput

STAGES = set(get_args(Stage))
ROOT = Path(__file__).resolve().parents[2]


def test_module_defs_load_without_any_env():
    dg.Definitions.validate_loadable(defs)
    assert {k.to_user_string() for k in defs.resolve_all_asset_keys()} == STAGES
    check_keys = defs.resolve_asset_graph().asset_check_keys
    assert {(k.asset_key.to_user_string(), k.name) for k in check_keys} == {
        ("schema_diff", "target_in_sync")
    }
    assert defs.resolve_assets_def("schema_diff").group_names_by_key[dg.AssetKey("schema_diff")]


def test_jobs_and_schedule():
    drift = defs.resolve_job_def(DRIFT_JOB)
    assert {k.to_user_string() for k in drift.asset_layer.executable_asset_keys} == STAGES - {
        "alter_sql",
        "applied_plan",
    }
    sync = defs.resolve_job_def(SYNC_JOB)
    assert {k.to_user_string() for k in sync.asset_layer.executable_asset_keys} == STAGES
    apply = defs.resolve_job_def(APPLY_JOB)
    assert {k.to_user_string() for k in apply.asset_layer.executable_asset_keys} == {"applied_plan"}
    checks = {
        (k.asset_key.to_user_string(), k.name)
        for k in apply.asset_layer.asset_graph.asset_check_keys
    }
    assert checks == {("schema_diff", "target_in_sync")}
    schedule = defs.resolve_schedule_def(DRIFT_SCHEDULE)
    assert schedule.cron_schedule == "0 * * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == DRIFT_JOB
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 1, 1, tzinfo=UTC))
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.run_config in ({}, None)  # no connection data in run config


def test_schedule_cron_from_env():
    env = {"DDP_DRIFT_CRON": "*/15 * * * *", "DDP_DRIFT_SCHEDULE_STATUS": "running"}
    schedule = build_definitions(environ=env).resolve_schedule_def(DRIFT_SCHEDULE)
    assert schedule.cron_schedule == "*/15 * * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        build_definitions(environ={"DDP_DRIFT_SCHEDULE_STATUS": "sometimes"})


def test_alter_sql_takes_sync_config():
    op = defs.resolve_assets_def("alter_sql").op
    assert op.config_schema.config_type.key  # typed config, fields below
    assert set(op.config_schema.config_type.fields) == set(AlterSqlConfig.model_fields)
    apply_op = defs.resolve_assets_def("applied_plan").op
    assert set(apply_op.config_schema.config_type.fields) == set(ApplyConfig.model_fields)


def test_resources_bind_env_vars_by_name():
    environ = {"SOURCE_DB_NAME": "x", "SOURCE_DB_PASSWORD": "hunter2", "SOURCE_DB_PORT": "6432"}
    resource = PostgresSchemaResource.from_env("SOURCE_DB_", environ)
    assert resource.database == dg.EnvVar("SOURCE_DB_NAME")
    assert resource.username == ""  # required and unset at load: this side's runs fail
    assert resource.unset == "SOURCE_DB_USER"
    with pytest.raises(BadInput) as unset:
        resource.settings()
    assert unset.value.reason.startswith("SOURCE_DB_USER not set when the code location loaded")
    complete = PostgresSchemaResource.from_env("SOURCE_DB_", environ | {"SOURCE_DB_USER": "u"})
    assert complete.username == dg.EnvVar("SOURCE_DB_USER") and complete.unset == ""
    assert resource.password == dg.EnvVar("SOURCE_DB_PASSWORD")
    assert resource.port == dg.EnvVar.int("SOURCE_DB_PORT")
    assert resource.host == "" and resource.schema_name == "public"  # unset: the defaults
    assert "hunter2" not in repr(resource)


def test_pairs_file_builds_prefixed_groups(tmp_path):
    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        "pairs:\n"
        "  sales: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_}\n"
        "  billing: {source_env: BILLING_SRC_DB_, target_env: BILLING_TGT_DB_,"
        " all_schemas: true}\n"
    )
    built = build_definitions(environ={"DDP_PAIRS_FILE": str(pairs)})
    dg.Definitions.validate_loadable(built)
    keys = {k.to_user_string() for k in built.resolve_all_asset_keys()}
    expected = STAGES | {f"{p}/{a}" for p in ("sales", "billing") for a in STAGES}
    assert keys == expected
    checks = {k.asset_key.to_user_string() for k in built.resolve_asset_graph().asset_check_keys}
    assert checks == {"schema_diff", "sales/schema_diff", "billing/schema_diff"}
    groups = built.resolve_assets_def(dg.AssetKey(["sales", "schema_diff"])).group_names_by_key
    assert set(groups.values()) == {"sales"}
    drift = built.resolve_job_def(DRIFT_JOB)
    assert len(drift.asset_layer.executable_asset_keys) == 12  # 3 pairs: catalog, snapshots, diff


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pairs:\n  sales: {source_env: S_, target_env: T_, password: x}\n", "Extra inputs"),
        ("pairs:\n  Sales!: {source_env: S_, target_env: T_}\n", "name"),
        ("pairs:\n  ddp: {source_env: S_, target_env: T_}\n", "reserved"),
        ("pairs:\n  sales: {source_env: lower_, target_env: T_}\n", "source_env"),
        ("pairs: [\n", "not valid YAML"),
    ],
)
def test_pairs_file_errors(tmp_path, text, message):
    path = tmp_path / "pairs.yaml"
    path.write_text(text)
    with pytest.raises(PairsFileError, match=message):
        load_pairs_file(path)


def test_pairs_file_without_default(tmp_path):
    path = tmp_path / "pairs.yaml"
    path.write_text("include_default: false\npairs:\n  a: {source_env: A_S_, target_env: A_T_}\n")
    assert load_pairs_file(path) == [PairSpec(name="a", source_env="A_S_", target_env="A_T_")]


def test_engine_never_imports_dagster():
    code = "import sys, ddp_engine.sync, ddp_engine.cli; assert 'dagster' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_workspace_yaml_validates(tmp_path):
    """What a newcomer runs: ``dagster definitions validate -w workspace.yaml``."""
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env={"PATH": str(dagster.parent), "DAGSTER_HOME": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation successful for code location ddp" in done.stdout + done.stderr


def test_one_apply_per_target_at_a_time(tmp_path):
    """Each pair's sync and apply jobs carry its target's tag, applied_plan sits in the
    target's pool, and dagster.yaml limits both to one per target."""
    import yaml

    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        "include_default: false\n"
        "pairs:\n"
        "  sales: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_}\n"
        "  sales_eu: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_}\n"
        "  billing: {source_env: BILLING_SRC_DB_, target_env: BILLING_TGT_DB_}\n"
    )
    environ = {
        "DDP_PAIRS_FILE": str(pairs),
        "SALES_TGT_DB_NAME": "prod db",
        "SALES_TGT_DB_HOST": "db.internal",
    }
    built = build_definitions(environ=environ)
    tags = {
        name: built.resolve_job_def(name).tags.get("ddp/target")
        for name in ("sales_apply_job", "sales_eu_sync_job", "billing_apply_job", APPLY_JOB)
    }
    assert tags == {
        "sales_apply_job": "db.internal_5432_prod_db",
        "sales_eu_sync_job": "db.internal_5432_prod_db",  # the same target: one at a time
        "billing_apply_job": "billing_tgt_db",  # NAME unset at load: the prefix
        APPLY_JOB: None,  # several targets: the pool below serialises the applies
    }
    apply_op = built.resolve_assets_def(dg.AssetKey(["sales", "applied_plan"])).op
    assert apply_op.pool == "ddp_target_db.internal_5432_prod_db"

    instance_yaml = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    instance_yaml.pop("storage")  # the PostgreSQL storage has a test of its own
    with dg.instance_for_test(overrides=instance_yaml) as instance:
        config = instance.get_concurrency_config()
    [limit] = config.run_queue_config.tag_concurrency_limits
    assert limit == {"key": "ddp/target", "limit": 1, "value": {"applyLimitPerUniqueValue": True}}
    assert config.pool_config.default_pool_limit == 1
