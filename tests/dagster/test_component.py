"""The DdpSchemaPairs component in a dg project (examples/dg_project): ``dg check defs``
passes, ``dg list defs`` shows each pair's assets, and a defs.yaml holding a value where a
prefix belongs fails the check naming the key."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dg_project"


def dg(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``dg ...`` in ``cwd`` with this interpreter's environment, a throwaway DAGSTER_HOME and
    no pair variables set."""
    bin_dir = Path(sys.executable).parent
    return subprocess.run(
        [str(bin_dir / "dg"), *args],
        cwd=cwd,
        env={"PATH": str(bin_dir), "DAGSTER_HOME": str(home), "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dg_check_and_list_defs_on_the_example_project(tmp_path):
    checked = dg("check", "defs", "--use-active-venv", cwd=EXAMPLE, home=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr
    # unset variables are reported, one line per pair, and do not fail the load
    assert "DDP: pair sales: SALES_SOURCE_DB_NAME" in checked.stderr + checked.stdout
    # a fleet's target needs no database variable: its partitions name the databases
    assert (
        "DDP: fleet tenants: TENANT_SOURCE_DB_NAME, TENANT_SOURCE_DB_USER, "
        "TENANT_TARGET_DB_USER not set" in checked.stderr + checked.stdout
    )

    listed = dg("list", "defs", "--json", cwd=EXAMPLE, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for key in ("sales/schema_diff", "billing/applied_plan", "tenants/schema_diff"):
        assert key in listed.stdout
    # the fleet: one asset set over partitions, and the sensor that adds them
    assert "tenants_databases_sensor" in listed.stdout
    assert "tenants/applied_plan" not in listed.stdout


def test_a_value_in_defs_yaml_fails_the_check(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))
    defs_yaml = project / "ddp_fleet" / "defs" / "pairs" / "defs.yaml"
    defs_yaml.write_text(
        defs_yaml.read_text().replace("      drift_severity: warn", "      password: hunter2")
    )
    checked = dg("check", "defs", "--use-active-venv", cwd=project, home=tmp_path)
    assert checked.returncode != 0
    out = checked.stdout + checked.stderr
    assert "pairs.billing.password: Extra inputs are not permitted" in out
    assert "hunter2" not in out
