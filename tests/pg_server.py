"""Where the tests find PostgreSQL: the configured server if one answers, else an embedded one.

``pytest`` must pass on a machine with no PostgreSQL at all (issue 3), and use the local server
where there is one (faster to reach, and a second major version for cross-version tests).
The embedded server is started at most once per test process and stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from pathlib import Path
from typing import NamedTuple

import psycopg

from ddp_engine.embedded import EmbeddedServer, embedded_server
from tests.ci_guard import in_ci

FORCE_EMBEDDED_ENV = "DDP_TEST_EMBEDDED"  # "1": ignore any local server (as on a bare machine)


class TestServer(NamedTuple):
    """(host, port, user) of a server the tests may create databases on (no password needed,
    or one libpq finds itself: PGPASSWORD, .pgpass)."""

    host: str
    port: int
    user: str


_embedded: TestServer | None = None
_stack: contextlib.ExitStack | None = None

#: "<version> (<where>)" of every server this process's tests reached (printed by ci_guard).
VERSIONS: set[str] = set()

#: Where Debian's PostgreSQL packages keep a cluster's configuration.
CLUSTERS = Path("/etc/postgresql")


def _record(conn: psycopg.Connection, where: str) -> None:
    row = conn.execute("SELECT pg_catalog.current_setting('server_version')").fetchone()
    VERSIONS.add(f"{row[0] if row else '?'} ({where})")


def local_server(timeout: float = 3.0) -> TestServer | None:
    """The server at PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres) if it answers."""
    if os.environ.get(FORCE_EMBEDDED_ENV) == "1":
        return None
    address = TestServer(
        host=os.environ.get("PGHOST") or "127.0.0.1",
        port=int(os.environ.get("PGPORT") or 5432),
        user=os.environ.get("PGUSER") or "postgres",
    )
    try:
        conn = psycopg.connect(
            host=address.host,
            port=address.port,
            user=address.user,
            dbname=os.environ.get("PGDATABASE") or "postgres",
            connect_timeout=max(2, round(timeout)),  # libpq's minimum is 2 s
        )
    except psycopg.Error:
        return None
    with conn:
        _record(conn, f"local {address.host}:{address.port}")
    return address


def local_cluster_exists() -> bool:
    """Whether this machine has a PostgreSQL cluster of its own (which CI must use)."""
    return any(CLUSTERS.glob("*/*/postgresql.conf"))


def embedded_for_tests() -> TestServer:
    """The session's embedded server, started on first use and stopped when the process exits."""
    global _embedded, _stack
    if _embedded is None:
        stack = contextlib.ExitStack()
        server: EmbeddedServer = stack.enter_context(embedded_server())
        atexit.register(stack.close)
        _stack = stack
        _embedded = TestServer(server.host, server.port, server.user)
        with psycopg.connect(server.conninfo()) as conn:
            _record(conn, "embedded")
    return _embedded


def server_for_tests() -> TestServer:
    """(host, port, user): the local server if it answers within ~3 s, else the embedded one.

    Under CI a local cluster that exists but does not answer is an error, not a quiet switch
    to the embedded server (whose version would leave the cross-version tests without a second
    server)."""
    local = local_server()
    if (
        local is None
        and in_ci()
        and local_cluster_exists()
        and not os.environ.get(FORCE_EMBEDDED_ENV)
    ):
        raise RuntimeError(
            f"CI: a local PostgreSQL cluster exists ({CLUSTERS}) but does not answer at "
            f"{os.environ.get('PGHOST') or '127.0.0.1'}:{os.environ.get('PGPORT') or 5432}"
        )
    return local or embedded_for_tests()


def stop_embedded() -> None:
    """Stop the session's embedded server now (e.g. from pytest_sessionfinish); idempotent."""
    global _embedded, _stack
    if _stack is not None:
        stack, _stack, _embedded = _stack, None, None
        atexit.unregister(stack.close)
        stack.close()
