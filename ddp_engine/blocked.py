"""Why a read gave up waiting: the relation and the session holding a lock on it.

A read (introspect.py) or an apply's check of the target waits at most ``--lock-timeout`` for
a lock and ``--read-timeout`` for a query; when it gives up, the user is told what blocked it,
found in a fresh short session through pg_locks and pg_stat_activity.
"""

from __future__ import annotations

import psycopg

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.errors import DdpError
from ddp_engine.queries import query_text
from ddp_engine.settings import ConnectionSettings

#: How long the look-up of a blocking process may itself take (it reads no user relation).
_BLOCKERS_LIMITS = SessionLimits(lock_timeout="2s", statement_timeout="10s")


def blocked_read(
    settings: ConnectionSettings,
    side: str,
    all_schemas: bool,
    limits: SessionLimits,
    exc: psycopg.Error,
) -> str:
    """One line for a read that gave up waiting: the relation and the process holding an
    ACCESS EXCLUSIVE lock on it (pid, user, application, since when), found in a fresh short
    session through pg_locks and pg_stat_activity; else what timed out."""
    waited = (
        f"--lock-timeout {limits.lock_timeout}"
        if isinstance(exc, psycopg.errors.LockNotAvailable)
        else f"--read-timeout {limits.statement_timeout}"
    )
    row = None
    try:
        with connect(settings, side, _BLOCKERS_LIMITS) as conn:
            params = {"schemas": [settings.schema_name], "all": all_schemas}
            row = conn.execute(query_text("blockers"), params).fetchone()
    except (psycopg.Error, DdpError):
        pass  # the look-up is a courtesy: the read's own failure is what counts
    if row is None:
        return (
            f"DDP SYNC failed: reading the {side} database gave up after {waited}: "
            f"{' '.join(str(exc).split())}"
        )
    schema_name, relation, oid, pid, user, application, since = row
    table = f"{schema_name}.{relation}" if relation else f"relation {oid}"
    return (
        f"DDP SYNC failed: reading the {side} database gave up after {waited}: {table} is "
        f"locked (ACCESS EXCLUSIVE) by pid {pid} (user {user or '?'}, application "
        f"{application or '?'}, in a transaction since {since or '?'}); "
        "try again when it ends, or end that session"
    )
