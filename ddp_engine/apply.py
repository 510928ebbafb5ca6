"""Run a script on the target in one transaction, then prove it worked with a fresh diff.

Guards: a session advisory lock so that two syncs never apply to one database at once, and a
fingerprint check so that a plan made from a target that has since changed is refused. The
online part of an ``--online`` plan (CONCURRENTLY, VALIDATE) runs after the transaction, one
statement at a time, as PostgreSQL requires.
"""

from __future__ import annotations

import hashlib

import psycopg
from pydantic import BaseModel, ConfigDict

from ddp_engine.connect import SessionLimits, connect, scrub
from ddp_engine.datacheck import recheck
from ddp_engine.errors import ApplyFailed, DdpError, PlanRefused, StepsWouldFail, TargetChanged
from ddp_engine.hazards import HazardCode
from ddp_engine.introspect import read_snapshot
from ddp_engine.plan_model import Plan
from ddp_engine.render import prelude
from ddp_engine.scope import ReadScope
from ddp_engine.settings import ConnectionSettings


class ApplyResult(BaseModel):
    """What applying did."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    statements: int


def lock_id(settings: ConnectionSettings) -> int:
    """A stable advisory-lock number for one database (any schema of it)."""
    digest = hashlib.sha256(f"ddp:{settings.database}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def main_part(plan: Plan, script: str) -> str:
    """What runs inside the transaction: the whole script, or all but the online part."""
    if not any(step.online for step in plan.steps):
        return script
    statements = [f"{sql};" for s in plan.steps if not s.online for sql in s.statements]
    return "\n".join([*prelude(plan), *statements])


def apply_plan(
    settings: ConnectionSettings,
    plan: Plan,
    script: str,
    allowed: frozenset[HazardCode] = frozenset(),
    limits: SessionLimits | None = None,
    read_scope: ReadScope | None = None,
) -> ApplyResult:
    """Apply ``script`` (rendered from ``plan``) to the target, all or nothing.

    A plan with a blocking hazard code that ``allowed`` does not hold is refused before any
    statement runs, and so is one whose data checks counted rows a step would fail on (the
    apply could only end in an error, and the online part runs outside the transaction); the
    value checks are counted again inside the transaction, first (rows may have changed since
    the plan), and refuse the same way. ``read_scope``: what the plan's read of the target
    left out, left out again when the target is read to compare.
    """
    if plan.is_empty:
        return ApplyResult(applied=False, statements=0)
    blocking = plan.refused(allowed)
    if blocking:
        raise PlanRefused(blocking)
    failing = [f for f in plan.data_checks if f.fails and f.hazard is None]
    if failing:
        first = failing[0]
        reason = first.message.removesuffix(": this step will fail")
        raise StepsWouldFail(first.note, reason, len(failing) - 1)
    if not plan.target_fingerprint:
        raise DdpError(
            "this plan was made without the target's fingerprint and cannot "
            "be applied; make it again with SyncOptions(fingerprint=True)"
        )
    with connect(settings, "target", limits) as conn:
        conn.autocommit = True
        got = conn.execute(
            "SELECT pg_catalog.pg_try_advisory_lock(%s)", (lock_id(settings),)
        ).fetchone()
        if not got or not got[0]:
            raise ApplyFailed(
                "another ddp sync is applying to the target database; "
                "try again when it has finished"
            )
        try:
            conn.autocommit = False
            current = read_snapshot(
                conn, settings.schema_name, plan.all_schemas, read_scope=read_scope
            )
            if current.fingerprint() != plan.target_fingerprint:
                raise TargetChanged("the target changed since the plan was made")
            conn.read_only = False
            conn.isolation_level = None
            try:
                with conn.transaction(), conn.cursor() as cur:
                    recheck(conn, plan, allowed)
                    cur.execute(main_part(plan, script).encode())
            except psycopg.Error as exc:
                raise ApplyFailed(
                    "applying the script failed and nothing was changed: "
                    + _one_line(exc, settings)
                ) from None
            _run_online(conn, plan, settings)
        finally:
            if not conn.closed:
                conn.autocommit = True
                conn.execute("SELECT pg_catalog.pg_advisory_unlock(%s)", (lock_id(settings),))
    return ApplyResult(applied=True, statements=sum(len(s.statements) for s in plan.steps))


def _one_line(exc: psycopg.Error, settings: ConnectionSettings) -> str:
    return scrub(" ".join(str(exc).split()), settings)


def _run_online(conn: psycopg.Connection, plan: Plan, settings: ConnectionSettings) -> None:
    """The online part: each statement on its own (CONCURRENTLY cannot run in a transaction)."""
    statements = [sql for step in plan.steps if step.online for sql in step.statements]
    if not statements:
        return
    conn.autocommit = True
    for setting in prelude(plan):
        conn.execute(setting.rstrip(";").encode())
    for sql in statements:
        try:
            conn.execute(sql.encode())
        except psycopg.Error as exc:
            raise ApplyFailed(
                "the main part was applied, but an online statement failed: "
                + _one_line(exc, settings),
                finish=True,
            ) from None
