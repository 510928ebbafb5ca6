"""SQL files in place of a live database: ``--source-sql`` / ``--target-sql`` (shadow databases).

A team keeps its desired schema as ``.sql`` files in git; a newcomer has no second database.
Either way the engine only knows how to read a live catalog, so the files are loaded into a
throwaway database (a *shadow database*) and that database is introspected exactly like a live
one: there is no second, SQL-parsing code path whose idea of the schema could differ from the
server's.

What the files may use depends on the server that loads them, so the loading server follows
the target's major version where it can (ddp_engine.fidelity says in the plan where they were
loaded), in this order:

1. the ``--shadow-url`` server (``DDP_SHADOW_URL``), which must run the target's major
   version: ddp creates a database of a unique name there for each side, as the URL's role,
   and drops it on the way out;
2. PostgreSQL binaries of the target's major version on this machine (the embedded wheel's,
   ``DDP_SHADOW_BIN_DIRS``, the distributions' folders: ddp_engine.shadow.local_binaries);
3. the embedded PostgreSQL, whatever its version.

One server serves both sides (starting one costs about a second), and it is started only when a
side needs it, so a plain live-to-live ``ddp sync`` never touches the embedded binaries.
Leaving the context stops a server started here and removes its temporary directory, or drops
the databases made on the ``--shadow-url`` server, also on an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ddp_engine.connect import SessionLimits
from ddp_engine.errors import BadInput, DdpError, SourceSqlFailed
from ddp_engine.fidelity import LoadedOn
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
    #: Where the SQL files were loaded (None when no side is SQL files).
    loaded: LoadedOn | None = None


def _check_path(side: str, path: str | os.PathLike[str]) -> Path:
    """Fail before starting a server when the path cannot be loaded (a typo costs no startup):
    a missing path, a folder without .sql files, a dangling or unreadable file in it."""
    resolved = Path(path)
    try:
        sql_files(resolved)
    except BadInput as exc:
        raise BadInput(f"--{side}-sql: {exc.reason}") from None
    return resolved


@dataclass(frozen=True)
class _Loading:
    """The server SQL files are loaded on, and how each side gets its database there."""

    major: int
    where: str
    #: The server's maintenance database, as ddp's own role there.
    admin: ConnectionSettings
    #: The role files are loaded as on a server ddp started (None: the --shadow-url server,
    #: whose role loads them).
    loader: str | None


@contextlib.contextmanager
def _loading_server(
    target_major: int | None, shadow_url: str | None, limits: SessionLimits
) -> Iterator[_Loading]:
    """The server to load on (see the module's order), stopped on the way out if started."""
    # Imported here: a sync of two live databases never starts a server (a fifth of start-up).
    from ddp_engine.embedded import create_loader_role, embedded_server
    from ddp_engine.shadow import local_binaries, server_major, settings_from_url

    if shadow_url:
        url = settings_from_url(shadow_url)
        major = server_major(url, "shadow", limits)
        if target_major is not None and major != target_major:
            raise BadInput(
                f"the shadow server (--shadow-url) runs PostgreSQL {major}, the target "
                f"{target_major}: give a shadow of the target's major version"
            )
        yield _Loading(major, "the --shadow-url server", url, None)
        return
    binaries = local_binaries(target_major) if target_major is not None else None
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(embedded_server(bin_dir=binaries and binaries.bin_dir))
        except DdpError:
            if binaries is None or binaries.bin_dir is None:
                raise
            binaries = None  # local binaries that do not start: the embedded ones, and the note
            server = stack.enter_context(embedded_server())
        admin = ConnectionSettings(
            host=server.host, port=server.port, user=server.user, database="postgres"
        )
        where = binaries.where if binaries else "the embedded PostgreSQL"
        major = server_major(admin, "shadow", limits)
        yield _Loading(major, where, admin, create_loader_role(server))


@contextlib.contextmanager
def shadow_sources(
    source_sql: str | os.PathLike[str] | None = None,
    target_sql: str | os.PathLike[str] | None = None,
    *,
    source_schema: str | None = None,
    target_schema: str | None = None,
    live_target: ConnectionSettings | None = None,
    target_version: int | None = None,
    shadow_url: str | None = None,
    limits: SessionLimits | None = None,
) -> Iterator[ShadowSides]:
    """Load the given SQL files into shadow databases and yield their connection settings.

    ``source_sql`` / ``target_sql`` is a ``.sql`` file or a directory whose ``.sql`` files are
    applied in name order (``001_init.sql``, ``002_orders.sql``, ...), as ``psql -v
    ON_ERROR_STOP=1 -f`` would run them, but with psql's meta-commands limited to a short list
    (see :mod:`ddp_engine.sqlfiles`). On a server ddp starts they run as
    :data:`~ddp_engine.embedded.LOADER_ROLE`, a role that owns the shadow databases and is no
    superuser: a schema file is code from a repository, and must not reach the machine it is
    loaded on; on the ``--shadow-url`` server, as that URL's role. A file that fails raises
    :class:`SourceSqlFailed` with the file, the line, the server's message and its version
    (the target's major version, which the loading server should run: ``live_target``'s
    server's, else ``target_version``; a live target of another version is bad input). The
    schema compared on a shadow side is ``source_schema`` / ``target_schema`` (default
    ``public``), so files that create their own schema can be compared with
    ``--source-schema``.

    When neither path is given no server starts and both sides are None.
    """
    paths = {"source": source_sql, "target": target_sql}
    schemas = {"source": source_schema or "public", "target": target_schema or "public"}
    wanted = {side: _check_path(side, p) for side, p in paths.items() if p is not None}
    limits = limits or SessionLimits()
    target_major = target_version
    if live_target is not None and (wanted or target_version is not None):
        target_major = _live_major(live_target, target_version, limits)
    if not wanted:
        yield ShadowSides(source=None, target=None)
        return
    from ddp_engine.embedded.loader import StatementFailed, load_sql

    with (
        _loading_server(target_major, shadow_url, limits) as loading,
        contextlib.ExitStack() as stack,
    ):
        settings: dict[str, ConnectionSettings] = {}
        for side, path in wanted.items():
            database = _side_database(loading, side, schemas[side], limits, stack)
            try:
                load_sql(database, database.database, path, roles_by=loading.admin)
            except BadInput:
                raise
            except StatementFailed as exc:  # the file, the line, the message, and which server
                where = f"loaded on PostgreSQL {loading.major}, {loading.where}"
                raise SourceSqlFailed(f"{exc.reason} ({where})") from None
            except DdpError as exc:  # a meta-command refused, a file that cannot be read
                raise SourceSqlFailed(exc.reason) from None
            settings[side] = database
        yield ShadowSides(
            source=settings.get("source"),
            target=settings.get("target"),
            loaded=LoadedOn(
                sides=tuple(wanted),
                major=loading.major,
                where=loading.where,
                target_major=target_major,
            ),
        )


def _live_major(target: ConnectionSettings, given: int | None, limits: SessionLimits) -> int:
    """The live target's major version (one short session), which ``--target-version``, when
    given, must name."""
    from ddp_engine.shadow import server_major

    major = server_major(target, "target", limits)
    if given is not None and given != major:
        raise BadInput(
            f"--target-version {given} does not match the target, which runs PostgreSQL {major}"
        )
    return major


def _side_database(
    loading: _Loading,
    side: str,
    schema_name: str,
    limits: SessionLimits,
    stack: contextlib.ExitStack,
) -> ConnectionSettings:
    """A fresh database for ``side`` on the loading server, and the settings to read it with
    (and, on a server ddp started, to load it as: the loader role that owns it)."""
    from ddp_engine.embedded import create_database
    from ddp_engine.shadow import throwaway_database

    if loading.loader is None:
        return stack.enter_context(
            throwaway_database(loading.admin, schema_name, limits, prefix=SHADOW_DATABASES[side])
        )
    database = SHADOW_DATABASES[side]
    create_database(loading.admin, database, owner=loading.loader)
    return loading.admin.model_copy(
        update={"user": loading.loader, "database": database, "schema_name": schema_name}
    )
