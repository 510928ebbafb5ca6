"""SQL files in place of a live database: ``--source-sql`` / ``--target-sql`` (shadow databases).

A team keeps its desired schema as ``.sql`` files in git; a newcomer has no second database.
Either way the engine only knows how to read a live catalog, so the files are loaded into a
throwaway database (a *shadow database*) on the embedded PostgreSQL and that database is
introspected exactly like a live one: there is no second, SQL-parsing code path whose idea of
the schema could differ from the server's.

One embedded server serves both sides (starting one costs about a second), and it is started
only when a side needs it, so a plain live-to-live ``ddp sync`` never touches the embedded
binaries. Leaving the context stops the server and removes its temporary directory, also on an
error, Ctrl-C or SIGTERM (see :func:`ddp_engine.embedded.embedded_server`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ddp_engine.errors import BadInput
from ddp_engine.settings import ConnectionSettings

__all__ = ["SHADOW_DATABASES", "ShadowSides", "shadow_sources"]

#: Database name per side on the embedded server. Fixed names are safe (each run has a fresh
#: server) and make the script header say where the schema came from.
SHADOW_DATABASES = {"source": "ddp_shadow_source", "target": "ddp_shadow_target"}


@dataclass(frozen=True)
class ShadowSides:
    """Settings of the sides loaded from SQL files; None for a side that is a live database."""

    source: ConnectionSettings | None
    target: ConnectionSettings | None


def _check_path(side: str, path: str | os.PathLike[str]) -> Path:
    """Fail before starting a server when the path cannot be loaded (a typo costs no startup)."""
    resolved = Path(path)
    if resolved.is_dir():
        if not any(p.suffix == ".sql" and p.is_file() for p in resolved.iterdir()):
            raise BadInput(f"DDP SYNC failed: --{side}-sql: no .sql files in {resolved}")
    elif not resolved.is_file():
        raise BadInput(f"DDP SYNC failed: --{side}-sql: {resolved} does not exist")
    return resolved


@contextlib.contextmanager
def shadow_sources(
    source_sql: str | os.PathLike[str] | None = None,
    target_sql: str | os.PathLike[str] | None = None,
    *,
    source_schema: str | None = None,
    target_schema: str | None = None,
) -> Iterator[ShadowSides]:
    """Load the given SQL files into shadow databases and yield their connection settings.

    ``source_sql`` / ``target_sql`` is a ``.sql`` file or a directory whose ``.sql`` files are
    applied in name order (``001_init.sql``, ``002_orders.sql``, ...), as ``psql -v
    ON_ERROR_STOP=1 -f`` would run them. A file that fails raises :class:`DdpError` with the
    file, the line and the server's message. The schema compared on a shadow side is
    ``source_schema`` / ``target_schema`` (default ``public``), so files that create their own
    schema can be compared with ``--source-schema``.

    When neither path is given no server starts and both sides are None.
    """
    paths = {"source": source_sql, "target": target_sql}
    schemas = {"source": source_schema or "public", "target": target_schema or "public"}
    wanted = {side: _check_path(side, p) for side, p in paths.items() if p is not None}
    if not wanted:
        yield ShadowSides(source=None, target=None)
        return
    # Imported here: a sync of two live databases never starts a server (a fifth of start-up).
    from ddp_engine.embedded import create_database, embedded_server, load_sql

    with embedded_server() as server:
        settings: dict[str, ConnectionSettings] = {}
        for side, path in wanted.items():
            database = SHADOW_DATABASES[side]
            create_database(server, database)
            load_sql(server, database, path)
            settings[side] = ConnectionSettings(
                host=server.host,
                port=server.port,
                user=server.user,
                database=database,
                schema_name=schemas[side],
            )
        yield ShadowSides(source=settings.get("source"), target=settings.get("target"))
