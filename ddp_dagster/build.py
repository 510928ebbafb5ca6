"""Building the code location's definitions from schema pairs (``ddp_dagster.definitions``
holds the built ``defs``; the ``DdpSchemaPairs`` component builds its own from YAML).

Used by ``ddp_dagster.definitions`` (what ``workspace.yaml`` loads) and by the component. What
it reads from the environment, at load time:

- ``DDP_PAIRS_FILE``: optional YAML of extra schema pairs (see :mod:`ddp_dagster.pairs`) and
  fleets (:mod:`ddp_dagster.fleets`);
- ``DDP_DRIFT_SEVERITY`` (``error`` or ``warn``) and ``DDP_FAIL_ON_DRIFT`` (``false``): how
  ``target_in_sync`` reports drift, for every pair that does not say;
- ``DDP_DRIFT_CRON`` (default ``0 * * * *``, hourly), ``DDP_DRIFT_TIMEZONE`` (default ``UTC``)
  and ``DDP_DRIFT_SCHEDULE_STATUS`` (``stopped``, the default, or ``running``);
- ``DDP_DRIFT_WEBHOOK_SENSOR_STATUS`` (``stopped`` or ``running``) for the webhook sensor
  (:mod:`ddp_dagster.alerts`), and ``DDP_FLEET_SENSOR_STATUS`` for the sensors that add a
  dynamic fleet's partitions (:mod:`ddp_dagster.fleets`);
- ``DDP_STORAGE_DIR``: optional folder for the JSON files of the IO manager (default: the
  instance's storage folder).

Connection values (``SOURCE_DB_*``, ``TARGET_DB_*``, and each pair's prefixes) are bound as
``dg.EnvVar`` and read when a run starts. A pair whose required variables (``*_NAME``,
``*_USER``) are unset at load is reported in one line; the location still loads, and only that
pair's runs fail.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

import dagster as dg

from ddp_dagster.alerts import build_drift_webhook_sensor
from ddp_dagster.assets import IO_MANAGER_KEY, build_pair_assets
from ddp_dagster.fleet_assets import build_fleet_assets
from ddp_dagster.fleets import FleetSpec, build_fleet_sensor, fleet_defaults, fleets_from_env
from ddp_dagster.io_manager import JsonIOManager
from ddp_dagster.jobs import (
    APPLY_JOB,
    DEFAULT_CRON,
    DRIFT_JOB,
    DRIFT_SCHEDULE,
    SYNC_JOB,
    all_jobs_and_schedules,
    fleet_jobs,
)
from ddp_dagster.pair_context import pair_resources
from ddp_dagster.pairs import PairSpec, pairs_from_env
from ddp_dagster.resources import missing_variables
from ddp_dagster.translator import DdpTranslator

__all__ = ["APPLY_JOB", "DRIFT_JOB", "DRIFT_SCHEDULE", "SYNC_JOB", "build_definitions"]

log = logging.getLogger("ddp_dagster")


def status_from(environ: Mapping[str, str], name: str) -> bool:
    """``running`` (True) or ``stopped`` (False, the default) from ``name``."""
    status = environ.get(name, "stopped").strip().lower()
    if status not in ("running", "stopped"):
        raise dg.DagsterInvalidDefinitionError(
            f"{name} must be 'running' or 'stopped', not {status!r}"
        )
    return status == "running"


def report_unset(pairs: Sequence[PairSpec], environ: Mapping[str, str]) -> None:
    """One line per pair whose required variables are unset (its runs fail, naming them)."""
    for pair in pairs:
        unset = missing_variables(pair.source_env, environ)
        unset += missing_variables(pair.target_env, environ, pair.target_required)
        if unset:
            what = "fleet" if isinstance(pair, FleetSpec) else "pair"
            log.warning(
                "DDP: %s %s: %s not set; this %s's runs fail until %s set and the code "
                "location is reloaded (the other pairs run)",
                what,
                pair.group_name,
                ", ".join(unset),
                what,
                "it is" if len(unset) == 1 else "they are",
            )


def build_definitions(
    pairs: Sequence[PairSpec] | None = None,
    environ: Mapping[str, str] | None = None,
    translator: DdpTranslator | None = None,
    fleets: Sequence[FleetSpec] | None = None,
) -> dg.Definitions:
    """Definitions for ``pairs`` (default: from ``DDP_PAIRS_FILE``, else the default pair)
    and ``fleets`` (default: the file's), their assets named by ``translator`` (default:
    :class:`DdpTranslator`)."""
    environ = os.environ if environ is None else environ
    pairs = list(pairs) if pairs is not None else pairs_from_env(environ)
    if fleets is None:
        fleets = fleets_from_env(environ, fleet_defaults(environ))
    report_unset([*pairs, *fleets], environ)
    built = [build_pair_assets(pair, environ, translator) for pair in pairs]
    fleet_sets = [build_fleet_assets(fleet, translator) for fleet in fleets]

    resources: dict[str, object] = {
        IO_MANAGER_KEY: JsonIOManager(base_dir=environ.get("DDP_STORAGE_DIR") or None)
    }
    for spec in [*pairs, *fleets]:
        resources.update(pair_resources(spec, environ))

    running = status_from(environ, "DDP_DRIFT_SCHEDULE_STATUS")
    jobs, schedules = all_jobs_and_schedules(
        built,
        cron=environ.get("DDP_DRIFT_CRON") or DEFAULT_CRON,
        timezone=environ.get("DDP_DRIFT_TIMEZONE") or "UTC",
        status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
    )
    sensor = build_drift_webhook_sensor(  # pairs only: a fleet's drift is its diff's metadata
        {b.pair.group_name: b.target_in_sync.check_key for b in built},
        default_status=(
            dg.DefaultSensorStatus.RUNNING
            if status_from(environ, "DDP_DRIFT_WEBHOOK_SENSOR_STATUS")
            else dg.DefaultSensorStatus.STOPPED
        ),
    )
    sensor_status = (
        dg.DefaultSensorStatus.RUNNING
        if status_from(environ, "DDP_FLEET_SENSOR_STATUS")
        else dg.DefaultSensorStatus.STOPPED
    )
    return dg.Definitions(
        assets=[a for b in built for a in b.assets] + [a for f in fleet_sets for a in f.assets],
        asset_checks=[b.target_in_sync for b in built],
        jobs=[*jobs, *(job for f in fleet_sets for job in fleet_jobs(f))],
        schedules=schedules,
        sensors=[sensor]
        + [build_fleet_sensor(f.fleet, sensor_status) for f in fleet_sets if f.fleet.dynamic],
        resources=resources,
    )
