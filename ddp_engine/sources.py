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

from ddp_engine.errors import BadInput, DdpError, SourceSqlFailed
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sqlfiles import sql_files

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
    """Fail before starting a server when the path cannot be loaded (a typo costs no startup):
    a missing path, a folder without .sql files, a dangling or unreadable file in it."""
    resolved = Path(path)
    try:
        sql_files(resolved)
    except BadInput as exc:
        raise BadInput(f"--{side}-sql: {exc.reason}") from None
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
    ON_ERROR_STOP=1 -f`` would run them, but with psql's meta-commands limited to a short list
    (see :mod:`ddp_engine.sqlfiles`) and as :data:`~ddp_engine.embedded.LOADER_ROLE`, a role
    that owns the shadow databases and is no superuser: a schema file is code from a
    repository, and must not reach the machine it is loaded on. A file that fails raises
    :class:`SourceSqlFailed` with the file, the line and the server's message. The schema
    compared on a shadow side is ``source_schema`` / ``target_schema`` (default ``public``), so
    files that create their own schema can be compared with ``--source-schema``.

    When neither path is given no server starts and both sides are None.
    """
    paths = {"source": source_sql, "target": target_sql}
    schemas = {"source": source_schema or "public", "target": target_schema or "public"}
    wanted = {side: _check_path(side, p) for side, p in paths.items() if p is not None}
    if not wanted:
        yield ShadowSides(source=None, target=None)
        return
    # Imported here: a sync of two live databases never starts a server (a fifth of start-up).
    from ddp_engine.embedded import (
        create_database,
        create_loader_role,
        embedded_server,
        load_sql,
    )

    with embedded_server() as server:
        loader = create_loader_role(server)
        settings: dict[str, ConnectionSettings] = {}
        for side, path in wanted.items():
            database = SHADOW_DATABASES[side]
            create_database(server, database, owner=loader)
            try:
                load_sql(server, database, path, user=loader)
            except BadInput:
                raise
            except DdpError as exc:  # the file, the line, the server's message
                raise SourceSqlFailed(exc.reason) from None
            settings[side] = ConnectionSettings(
                host=server.host,
                port=server.port,
                user=loader,
                database=database,
                schema_name=schemas[side],
            )
        yield ShadowSides(source=settings.get("source"), target=settings.get("target"))
