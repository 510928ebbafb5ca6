"""The code location: one asset group per schema pair, the jobs, schedules and drift alerts.

Loaded by ``workspace.yaml`` (``dagster dev``, ``dagster-webserver``, ``dagster-daemon``) and by
``dagster ... -m ddp_dagster.definitions``. Environment read here, at load time:

- ``DDP_PAIRS_FILE``: optional YAML of extra schema pairs (see :mod:`ddp_dagster.pairs`);
- ``DDP_DRIFT_SEVERITY`` (``error`` or ``warn``) and ``DDP_FAIL_ON_DRIFT`` (``false``): how
  ``target_in_sync`` reports drift, for every pair that does not say;
- ``DDP_DRIFT_CRON`` (default ``0 * * * *``, hourly), ``DDP_DRIFT_TIMEZONE`` (default ``UTC``)
  and ``DDP_DRIFT_SCHEDULE_STATUS`` (``stopped``, the default, or ``running``);
- ``DDP_DRIFT_WEBHOOK_SENSOR_STATUS`` (``stopped`` or ``running``) for the webhook sensor
  (:mod:`ddp_dagster.alerts`);
- ``DDP_STORAGE_DIR``: optional folder for the JSON files of the IO manager (default: the
  instance's storage folder).

Connection values (``SOURCE_DB_*``, ``TARGET_DB_*``, and each pair's prefixes) are bound as
``dg.EnvVar`` and read when a run starts. A pair whose required variables (``*_NAME``,
``*_USER``) are unset at load is reported in one line; the location still loads, and only that
pair's runs fail.
"""

from ddp_dagster.build import (
    APPLY_JOB,
    DRIFT_JOB,
    DRIFT_SCHEDULE,
    SYNC_JOB,
    build_definitions,
)

__all__ = ["APPLY_JOB", "DRIFT_JOB", "DRIFT_SCHEDULE", "SYNC_JOB", "build_definitions", "defs"]

defs = build_definitions()
