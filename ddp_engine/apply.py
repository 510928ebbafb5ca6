"""Run a script on the target in one transaction, then prove it worked with a fresh diff.

Guards: a session advisory lock so that two syncs never apply to one database at once, and a
fingerprint check so that a plan made from a target that has since changed is refused.
"""

from __future__ import annotations

import hashlib

import psycopg
from pydantic import BaseModel, ConfigDict

from ddp_engine.connect import connect, scrub
from ddp_engine.errors import DdpError
from ddp_engine.introspect import read_snapshot
from ddp_engine.plan import Plan
from ddp_engine.settings import ConnectionSettings


class ApplyResult(BaseModel):
    """What applying did, and whether the target matched the source afterwards."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    statements: int


def lock_id(settings: ConnectionSettings) -> int:
    """A stable advisory-lock number for one database (any schema of it)."""
    digest = hashlib.sha256(f"ddp:{settings.database}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def apply_plan(settings: ConnectionSettings, plan: Plan, script: str) -> ApplyResult:
    """Apply ``script`` (rendered from ``plan``) to the target, all or nothing."""
    if plan.is_empty:
        return ApplyResult(applied=False, statements=0)
    with connect(settings, "target") as conn:
        conn.autocommit = True
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_id(settings),)).fetchone()
        if not got or not got[0]:
            raise DdpError(
                "DDP SYNC failed: another ddp sync is applying to the target database; "
                "try again when it has finished"
            )
        try:
            conn.autocommit = False
            current = read_snapshot(conn, settings.schema_name, plan.all_schemas)
            if current.fingerprint() != plan.target_fingerprint:
                raise DdpError(
                    "DDP SYNC failed: the target changed since the plan was made; "
                    "run ddp sync again to make a fresh plan"
                )
            conn.read_only = False
            conn.isolation_level = None
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(script.encode())
            except psycopg.Error as exc:
                message = scrub(" ".join(str(exc).split()), settings)
                raise DdpError(
                    f"DDP SYNC failed: applying the script failed and nothing was "
                    f"changed: {message}"
                ) from None
        finally:
            conn.autocommit = True
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_id(settings),))
    return ApplyResult(applied=True, statements=sum(len(s.statements) for s in plan.steps))
