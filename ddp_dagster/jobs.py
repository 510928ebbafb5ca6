"""Jobs and schedules: for all pairs at once, and for each pair on its own.

A pair's jobs touch only that pair's assets and resources, so a pair whose variables are
missing, or whose server is down, fails its own runs and leaves the others' runs green; the
all-pairs jobs run every pair and report each pair's steps on their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import dagster as dg

from ddp_dagster.assets import PairAssets
from ddp_dagster.fleet_assets import FleetAssets

if TYPE_CHECKING:  # what define_asset_job returns; Dagster exports no public name for it
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

DRIFT_JOB = "schema_drift_job"
SYNC_JOB = "schema_sync_job"
APPLY_JOB = "schema_apply_job"
DRIFT_SCHEDULE = "schema_drift_schedule"
DEFAULT_CRON = "0 * * * *"
#: The run tag naming a job's target (one pair's jobs): dagster.yaml limits the runs in
#: progress to one per value, so that two runs never apply to one target at once.
TARGET_TAG = "ddp/target"


def pair_job_name(pair_assets: PairAssets, job: str) -> str:
    """``sales_drift_job`` for the pair sales and ``schema_drift_job`` (``ddp_...`` for the
    default pair)."""
    return f"{pair_assets.pair.group_name}_{job.removeprefix('schema_')}"


def jobs_for(
    built: Sequence[PairAssets], names: Mapping[str, str], scope: str
) -> list[UnresolvedAssetJobDefinition]:
    """The drift, sync and apply jobs over ``built``, named by ``names`` (job → name); the
    sync and apply jobs of one pair carry its target's tag."""
    tags = {TARGET_TAG: built[0].target_tag} if len(built) == 1 else None
    drift = dg.define_asset_job(
        names[DRIFT_JOB],
        selection=dg.AssetSelection.assets(*[k for b in built for k in b.drift_keys]),
        description=f"Read both schemas of {scope}, diff them and run target_in_sync "
        "(nothing is written or applied).",
    )
    sync = dg.define_asset_job(
        names[SYNC_JOB],
        selection=dg.AssetSelection.assets(*[a.key for b in built for a in b.assets]),
        description=f"Snapshots, diff, the reviewed plan and its apply for {scope} (a dry run "
        "unless applied_plan's config says dry_run: false).",
        tags=tags,
    )
    apply = dg.define_asset_job(
        names[APPLY_JOB],
        selection=dg.AssetSelection.assets(*[b.applied_plan for b in built])
        | dg.AssetSelection.checks(*[b.target_in_sync for b in built]),
        description=f"Apply the plan alter_sql materialised for {scope} (as reviewed, never "
        "planned again; refused if the target changed since), then evaluate target_in_sync "
        "again. Needs applied_plan's config dry_run: false.",
        tags=tags,
    )
    return [drift, sync, apply]


def drift_schedule(
    name: str,
    job: UnresolvedAssetJobDefinition,
    cron: str,
    timezone: str,
    status: dg.DefaultScheduleStatus,
) -> dg.ScheduleDefinition:
    """A schedule running ``job`` (a drift job) on ``cron``."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone,
        default_status=status,
        description=f"Runs {job.name}; target_in_sync fails when a target has drifted.",
    )


def all_jobs_and_schedules(
    built: Sequence[PairAssets],
    cron: str,
    timezone: str,
    status: dg.DefaultScheduleStatus,
) -> tuple[list[UnresolvedAssetJobDefinition], list[dg.ScheduleDefinition]]:
    """The all-pairs jobs and schedule (``status``), and each pair's (stopped) when there are
    several pairs."""
    names = {job: job for job in (DRIFT_JOB, SYNC_JOB, APPLY_JOB)}
    jobs = jobs_for(built, names, "every pair")
    schedules = [drift_schedule(DRIFT_SCHEDULE, jobs[0], cron, timezone, status)]
    if len(built) > 1:
        for b in built:
            own = jobs_for([b], {job: pair_job_name(b, job) for job in names}, b.pair.group_name)
            jobs += own
            name = pair_job_name(b, DRIFT_SCHEDULE)
            stopped = dg.DefaultScheduleStatus.STOPPED
            schedules.append(drift_schedule(name, own[0], cron, timezone, stopped))
    return jobs, schedules


def fleet_jobs(fleet: FleetAssets) -> list[UnresolvedAssetJobDefinition]:
    """A fleet's drift job (``<fleet>_drift_job``: the snapshots and the diff) and plan job
    (``<fleet>_plan_job``: and a reviewed plan per target), over its partitions: a backfill
    of either is one run (the assets' single-run backfill policy)."""
    name = fleet.fleet.name
    return [
        dg.define_asset_job(
            f"{name}_drift_job",
            selection=dg.AssetSelection.assets(*fleet.drift_keys),
            description=f"Read the source and each target of fleet {name} (a partition "
            "each), diff them and list the drifted partitions (nothing is written).",
        ),
        dg.define_asset_job(
            f"{name}_plan_job",
            selection=dg.AssetSelection.assets(*[a.key for a in fleet.assets]),
            description=f"The drift job of fleet {name}, and a reviewed plan per target "
            "(scripts in alter_sql's output_dir; nothing is applied).",
        ),
    ]
