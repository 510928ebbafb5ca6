"""The Dagster face never shows the password, tested where a message does quote it: the apply
fails on a default whose text is the password's, and the server's error repeats that text."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ddp_dagster.assets import PairAssets
from tests.dagster.conftest import run_config

SECRET = "Sekr1t-dagster-9c2e"


def test_an_apply_failure_that_quotes_the_password_is_scrubbed(
    make_pair, default_assets: PairAssets, tmp_path: Path
) -> None:
    pair = make_pair(
        source_sql=f"CREATE TABLE t (id int, a int DEFAULT ('{SECRET}'::text)::integer);",
        target_sql="CREATE TABLE t (id int); INSERT INTO t VALUES (1);",
    )
    a = default_assets
    resources = pair.resources(a.pair, tmp_path / "storage")
    resources[a.pair.target_resource_key] = pair.resource(pair.target, password=SECRET)
    result = dg.materialize(
        [*a.assets, a.target_in_sync],
        resources=resources,
        run_config=run_config(a, tmp_path, dry_run=False),
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert 'invalid input syntax for type integer: "***"' in message
    # the script in alter_sql's metadata holds the source's default, text and all (schema
    # content, shown for review); nothing the apply says may repeat it
    assert SECRET not in repr([e for e in result.all_events if e.step_key == "applied_plan"])
    assert SECRET not in repr([e for e in result.all_events if e.step_key is None])
