"""Dagster applies the reviewed plan: the apply job applies exactly what alter_sql materialised,
with the op key the README documents for a named pair, and the check turns green in that run;
a target changed since the plan is refused, and nothing is applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddp_dagster.definitions import APPLY_JOB, SYNC_JOB, build_definitions
from ddp_dagster.pairs import load_pairs_file
from ddp_engine.introspect import introspect
from ddp_engine.planfile import load_plan_file
from tests.conftest import load
from tests.dagster.conftest import check_results

#: As the README shows it for the pair named "sales".
APPLY_CONFIG = {"ops": {"sales__applied_plan": {"config": {"dry_run": False}}}}


@pytest.fixture
def sales(make_pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The "sales" pair from a pairs file, its variables set; runs write under tmp_path."""
    pair = make_pair()
    pairs_file = tmp_path / "pairs.yaml"
    pairs_file.write_text(
        "include_default: false\n"
        "pairs:\n"
        "  sales: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_}\n"
    )
    [spec] = load_pairs_file(pairs_file)
    for name, value in pair.env(spec).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.chdir(tmp_path)
    return pair, build_definitions(pairs=[spec])


def tables(pair) -> set[str]:
    target, _ = introspect(pair.resource(pair.target).settings(), "target")
    return {t.name for t in target.tables}


def test_the_apply_job_applies_the_materialised_plan_and_the_check_turns_green(sales, tmp_path):
    pair, defs = sales
    planned = defs.resolve_job_def(SYNC_JOB).execute_in_process()
    assert planned.success
    assert check_results(planned)["target_in_sync"].passed is False
    reviewed = planned.output_for_node("sales__alter_sql")
    assert reviewed.plan_path == str(tmp_path / "alter_sales.plan.json")
    assert tables(pair) == {"customers"}  # the sync job's default is a dry run

    applied = defs.resolve_job_def(APPLY_JOB).execute_in_process(run_config=APPLY_CONFIG)
    assert applied.success
    outcome = applied.output_for_node("sales__applied_plan")
    assert outcome.applied and outcome.in_sync_after is True
    assert outcome.digest == load_plan_file(reviewed.plan_path).digest
    assert outcome.statements == reviewed.statements
    check = check_results(applied)["target_in_sync"]
    assert check.passed is True and check.metadata["after_apply"].value is True
    assert tables(pair) == {"customers", "orders"}

    drift = defs.resolve_job_def(SYNC_JOB).execute_in_process()
    assert check_results(drift)["target_in_sync"].passed is True


def test_the_apply_job_refuses_a_target_changed_since_the_plan(sales):
    pair, defs = sales
    assert defs.resolve_job_def(SYNC_JOB).execute_in_process().success
    load(pair.server, pair.target, "CREATE TABLE late_arrival (id int);")

    refused = defs.resolve_job_def(APPLY_JOB).execute_in_process(
        run_config=APPLY_CONFIG, raise_on_error=False
    )
    assert not refused.success
    [failure] = [e for e in refused.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert message.startswith("DDP failed: the target changed since the plan was made")
    assert "materialise this pair's schema_diff and alter_sql again" in message
    assert "ddp sync" not in message
    assert tables(pair) == {"customers", "late_arrival"}
    assert "target_in_sync" not in check_results(refused)  # skipped: nothing was applied


def test_a_plan_file_edited_after_review_is_refused(sales):
    pair, defs = sales
    planned = defs.resolve_job_def(SYNC_JOB).execute_in_process()
    path = Path(planned.output_for_node("sales__alter_sql").plan_path)
    path.write_text(path.read_text().replace('"orders"', '"orders2"'))

    refused = defs.resolve_job_def(APPLY_JOB).execute_in_process(
        run_config=APPLY_CONFIG, raise_on_error=False
    )
    assert not refused.success
    [failure] = [e for e in refused.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert "was changed after it was written (its digest does not match)" in message
    assert message.endswith("materialise this pair's schema_diff and alter_sql again")
    assert tables(pair) == {"customers"}
