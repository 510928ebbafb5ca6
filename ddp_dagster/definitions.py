"""The code location: one asset group per schema pair, the jobs, schedules and drift alerts.

Loaded by ``workspace.yaml`` (``dagster dev``, ``dagster-webserver``, ``dagster-daemon``) and by
``dagster ... -m ddp_dagster.definitions``. What it reads from the environment when it loads is
listed in :mod:`ddp_dagster.build`, which builds it.
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
