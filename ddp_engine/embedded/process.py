"""The operating-system side of the embedded server: whom it runs as, its signals, its pids.

PostgreSQL refuses to run as root: when we are root the server runs as an unprivileged user
(``nobody``, or ``$DDP_EMBEDDED_OS_USER``) that owns the temporary directory; no user is created
and no permission outside the temporary directory is changed. While it runs, SIGTERM/SIGHUP
become :class:`Terminated` so that cleanup runs on ``kill`` or a closed terminal too, and
cleanup itself holds signals back so that a second Ctrl-C cannot cut it short.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ddp_engine.errors import DdpError

OS_USER_ENV = "DDP_EMBEDDED_OS_USER"


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM/SIGHUP while an embedded server runs.

    A KeyboardInterrupt subclass so that every handler written for Ctrl-C (finally blocks, the
    CLI, pytest) also cleans up on ``kill`` or a closed terminal, which by default would end the
    process without running any cleanup and leave the server behind.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


# ---------------------------------------------------------------------------------------------
# Running as an unprivileged user when we are root


@dataclass(frozen=True)
class RunAs:
    """The unprivileged OS user initdb and postgres run as when we are root."""

    uid: int
    gid: int
    name: str

    def popen_kwargs(self) -> dict[str, Any]:
        """What ``subprocess`` needs to start a program as this user (and no other group)."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def run_as_user() -> RunAs | None:
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
    return RunAs(entry.pw_uid, entry.pw_gid, name)


def chown_tree(path: Path, run_as: RunAs) -> None:
    os.chown(path, run_as.uid, run_as.gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), run_as.uid, run_as.gid)


# ---------------------------------------------------------------------------------------------
# Process helpers


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def parent_death_signal() -> Callable[[], None] | None:
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


def clean_env() -> dict[str, str]:
    """Our environment minus PG* variables, which would point initdb/postgres/psql elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_MESSAGES"] = "C"
    return env


def cmdline_mentions(pid: int, text: str) -> bool:
    try:
        return text.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def children_of(pid: int) -> list[int]:
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


# ---------------------------------------------------------------------------------------------
# Signals


@contextlib.contextmanager
def _handlers(
    names: tuple[str, ...], handler: Callable[[int, FrameType | None], None], *, over_all: bool
) -> Iterator[None]:
    """Install ``handler`` for the signals ``names`` (those this platform has) for the block,
    over every handler (``over_all``) or over default ones only; main thread only, since
    Python delivers signals there alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Any] = {}
    for name in names:
        signum = getattr(signal, name, None)
        if signum is not None and (over_all or signal.getsignal(signum) is signal.SIG_DFL):
            saved[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


@contextlib.contextmanager
def signals_raise_terminated() -> Iterator[None]:
    """Turn SIGTERM/SIGHUP into :class:`Terminated` while the server runs (main thread only).

    Only default handlers are replaced: a front end (Dagster, pytest plugins) that installed its
    own keeps it.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    with _handlers(("SIGTERM", "SIGHUP"), handler, over_all=False):
        yield


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM/SIGHUP during cleanup so that a second Ctrl-C cannot cut it short.

    A signal that arrives meanwhile is re-raised once cleanup is done.
    """
    pending: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    with _handlers(("SIGINT", "SIGTERM", "SIGHUP"), remember, over_all=True):
        yield
    if pending:
        signum = pending[0]
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(signum)
