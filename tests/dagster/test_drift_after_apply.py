"""The README's claim for the Dagster face: drift left after an apply fails the run
(as it fails ``ddp sync --apply``; tests/test_claims.py holds the CLI to it)."""

from __future__ import annotations

from tests.dagster.conftest import TARGET_SQL
from tests.helpers import TAMPER


def test_drift_left_after_an_apply_fails_the_materialisation(make_pair, materialize) -> None:
    """An event trigger in the target comments a table whenever DDL runs there: the apply
        succeeds, the target read after it still differs, and applied_plan must fail, naming it
    in Dagster's words."""
    pair = make_pair(target_sql=TARGET_SQL + TAMPER.replace("public.t", "public.customers"))
    result = materialize(pair, dry_run=False, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert "the plan was applied, but the target does not match the plan's source" in message
    assert message.endswith("materialise this pair's schema_diff to see what differs")
    assert "ddp sync" not in message
