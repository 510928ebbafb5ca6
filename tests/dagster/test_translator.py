"""A DdpTranslator names the assets: keys, groups, owners, tags and kinds, and every job,
check and run still works under the new names."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import dagster as dg
import pytest

from ddp_dagster.definitions import APPLY_JOB, DRIFT_JOB, build_definitions
from ddp_dagster.pairs import PairSpec
from ddp_dagster.translator import DdpTranslator, Stage


class TeamTranslator(DdpTranslator):
    """As the translator's docstring shows it."""

    def get_asset_spec(self, pair: PairSpec, stage: Stage) -> dg.AssetSpec:
        spec = super().get_asset_spec(pair, stage)
        return spec.replace_attributes(
            key=spec.key.with_prefix("schemas"),
            group_name=f"db_{spec.group_name}",
            owners=["team:platform"],
            tags={"tier": "gold"},
        )


def test_the_default_translator_keeps_the_documented_names():
    spec = DdpTranslator().get_asset_spec(PairSpec(name="sales"), "alter_sql")
    assert spec.key == dg.AssetKey(["sales", "alter_sql"]) and spec.group_name == "sales"
    assert DdpTranslator().get_asset_spec(PairSpec(), "schema_diff").key == dg.AssetKey(
        "schema_diff"
    )


def test_a_translator_changes_keys_groups_owners_and_tags(make_pair, tmp_path, monkeypatch):
    pair = make_pair()
    for name, value in pair.env(PairSpec(name="sales")).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    defs = build_definitions(pairs=[PairSpec(name="sales")], translator=TeamTranslator())
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert keys == {f"schemas/sales/{s}" for s in get_args(Stage)}
    diff = defs.resolve_assets_def(dg.AssetKey(["schemas", "sales", "schema_diff"]))
    [spec] = diff.specs
    assert spec.group_name == "db_sales" and spec.owners == ["team:platform"]
    assert spec.tags["tier"] == "gold" and "postgres" in spec.kinds
    checks = {k.asset_key.to_user_string() for k in defs.resolve_asset_graph().asset_check_keys}
    assert checks == {"schemas/sales/schema_diff"}
    apply = defs.resolve_job_def(APPLY_JOB)
    assert {k.to_user_string() for k in apply.asset_layer.executable_asset_keys} == {
        "schemas/sales/applied_plan"
    }

    result = defs.resolve_job_def(DRIFT_JOB).execute_in_process()
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_key == dg.AssetKey(["schemas", "sales", "schema_diff"])
    assert evaluation.passed is False
    assert Path(tmp_path / "storage" / "schemas" / "sales" / "schema_diff.json").is_file()


@pytest.mark.parametrize("stage", ["source_schema", "applied_plan"])
def test_asset_args_leave_unset_attributes_to_dagster(stage):
    args = DdpTranslator().asset_args(PairSpec(), stage)
    assert args["owners"] is None and args["tags"] is None and args["kinds"] == {"postgres"}
