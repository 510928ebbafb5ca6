"""The code location: one asset group per schema pair, the drift job and its schedule.

Loaded by ``workspace.yaml`` (``dagster dev``, ``dagster-webserver``, ``dagster-daemon``) and by
``dagster ... -m ddp_dagster.definitions``. Environment read here, at load time:

- ``DDP_PAIRS_FILE``: optional YAML of extra schema pairs (see :mod:`ddp_dagster.pairs`);
- ``DDP_DRIFT_CRON`` (default ``0 * * * *``, hourly), ``DDP_DRIFT_TIMEZONE`` (default ``UTC``)
  and ``DDP_DRIFT_SCHEDULE_STATUS`` (``stopped``, the default, or ``running``);
- ``DDP_STORAGE_DIR``: optional folder for the JSON files of the IO manager (default: the
  instance's storage folder).

Connection values (``SOURCE_DB_*``, ``TARGET_DB_*``, and each pair's prefixes) are bound as
``dg.EnvVar`` and read when a run starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import dagster as dg

from ddp_dagster.assets import IO_MANAGER_KEY, PairAssets, build_pair_assets
from ddp_dagster.io_manager import JsonIOManager
from ddp_dagster.pairs import PairSpec, pairs_from_env

DRIFT_JOB = "schema_drift_job"
SYNC_JOB = "schema_sync_job"
APPLY_JOB = "schema_apply_job"
DRIFT_SCHEDULE = "schema_drift_schedule"
DEFAULT_CRON = "0 * * * *"


def build_definitions(
    pairs: Sequence[PairSpec] | None = None, environ: Mapping[str, str] | None = None
) -> dg.Definitions:
    """Definitions for ``pairs`` (default: from ``DDP_PAIRS_FILE``, else the default pair)."""
    environ = os.environ if environ is None else environ
    pairs = list(pairs) if pairs is not None else pairs_from_env(environ)
    built: list[PairAssets] = [build_pair_assets(pair) for pair in pairs]

    resources: dict[str, object] = {
        IO_MANAGER_KEY: JsonIOManager(base_dir=environ.get("DDP_STORAGE_DIR") or None)
    }
    for pair_assets in built:
        resources.update(pair_assets.resources())

    drift_job = dg.define_asset_job(
        DRIFT_JOB,
        selection=dg.AssetSelection.assets(*[k for b in built for k in b.drift_keys]),
        description="Read both schemas of every pair, diff them and run target_in_sync "
        "(nothing is written or applied).",
    )
    sync_job = dg.define_asset_job(
        SYNC_JOB,
        selection=dg.AssetSelection.assets(*[a for b in built for a in b.assets]),
        description="Snapshots, diff, the reviewed plan and its apply for every pair (a dry "
        "run unless applied_plan's config says dry_run: false).",
    )
    apply_job = dg.define_asset_job(
        APPLY_JOB,
        selection=dg.AssetSelection.assets(*[b.applied_plan for b in built])
        | dg.AssetSelection.checks(*[b.target_in_sync for b in built]),
        description="Apply the plan alter_sql materialised (as reviewed, never planned again; "
        "refused if the target changed since), then evaluate target_in_sync again. Needs "
        "applied_plan's config dry_run: false.",
    )
    status = environ.get("DDP_DRIFT_SCHEDULE_STATUS", "stopped").strip().lower()
    if status not in ("running", "stopped"):
        raise dg.DagsterInvalidDefinitionError(
            f"DDP_DRIFT_SCHEDULE_STATUS must be 'running' or 'stopped', not {status!r}"
        )
    drift_schedule = dg.ScheduleDefinition(
        name=DRIFT_SCHEDULE,
        job=drift_job,
        cron_schedule=environ.get("DDP_DRIFT_CRON") or DEFAULT_CRON,
        execution_timezone=environ.get("DDP_DRIFT_TIMEZONE") or "UTC",
        default_status=(
            dg.DefaultScheduleStatus.RUNNING
            if status == "running"
            else dg.DefaultScheduleStatus.STOPPED
        ),
        description="Runs schema_drift_job; target_in_sync fails when a target has drifted.",
    )
    return dg.Definitions(
        assets=[a for b in built for a in b.assets],
        asset_checks=[b.target_in_sync for b in built],
        jobs=[drift_job, sync_job, apply_job],
        schedules=[drift_schedule],
        resources=resources,
    )


defs = build_definitions()
