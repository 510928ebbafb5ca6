"""Real-PostgreSQL fixtures: every test gets databases of its own (prefix ``ddp_test_``).

The server is the one at PGHOST/PGPORT (default 127.0.0.1:5432, user postgres); where none
answers, tests/pg_server.py starts an embedded one. Nothing here mocks the database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests import pg_server
from tests.ci_guard import (  # noqa: F401  (hooks: a run under CI=true cannot shrink silently)
    pytest_collection_modifyitems,
    pytest_collectreport,
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
)
from tests.judge import judge
from tests.values import capture, load_rows, lost_values


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True
        )

    def settings(self, database: str, schema: str = "public") -> ConnectionSettings:
        return ConnectionSettings(
            host=self.host, port=self.port, user=self.user, database=database, schema_name=schema
        )


@pytest.fixture(autouse=True)
def _postgresql_used(request: pytest.FixtureRequest) -> Iterator[None]:
    """Report the servers this process's tests reached (ci_guard prints them at the end)."""
    yield
    request.node.user_properties.extend(("postgresql", v) for v in sorted(pg_server.VERSIONS))


@pytest.fixture(scope="session")
def server() -> Server:
    host, port, user = pg_server.server_for_tests()
    return Server(host, port, user)


class Databases:
    """Fresh databases (``ddp_test_<random>``) on one server, dropped by ``close``."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.created: list[str] = []

    def make(self, sql: str | bytes = "") -> str:
        name = f"ddp_test_{uuid.uuid4().hex[:12]}"
        with self.server.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        if sql:
            load(self.server, name, sql)
        return name

    def close(self) -> None:
        with self.server.connect() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def make_db(server: Server) -> Iterator[Callable[[str], str]]:
    """A factory of fresh databases, dropped after the test."""
    databases = Databases(server)
    yield databases.make
    databases.close()


def load(server: Server, database: str, sql: str | bytes) -> None:
    if not sql:
        return
    with server.connect(database) as conn:
        conn.execute(sql if isinstance(sql, bytes) else sql.encode())


def apply_script(server: Server, database: str, script: str, tmp_path: Path) -> None:
    """Apply as a person would: psql -v ON_ERROR_STOP=1 --single-transaction -f."""
    path = tmp_path / f"script-{uuid.uuid4().hex[:6]}.sql"
    path.write_text(script)
    if shutil.which("psql"):
        subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-h",
                server.host,
                "-p",
                str(server.port),
                "-U",
                server.user,
                "-d",
                database,
                "-f",
                str(path),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    else:
        with server.connect(database) as conn, conn.transaction():
            conn.execute(script.encode())


def sync(
    server: Server,
    source_db: str,
    target_db: str,
    *,
    all_schemas: bool = False,
    source_schema: str = "public",
    target_schema: str = "public",
    source_server: Server | None = None,
    shadow: Server | None = None,
) -> SyncResult:
    """Compare ``source_db`` (on ``source_server``, else ``server``) with ``target_db``;
    ``shadow``: the server where texts are settled when the majors differ."""
    return compare(
        (source_server or server).settings(source_db, source_schema),
        server.settings(target_db, target_schema),
        SyncOptions(
            all_schemas=all_schemas,
            shadow_url=shadow
            and f"postgresql://{shadow.user}@{shadow.host}:{shadow.port}/postgres",
        ),
    )


def converge_on(
    target_server: Server,
    source_server: Server,
    tmp_path: Path,
    target_sql: str | bytes,
    source_sql: str | bytes,
    all_schemas: bool = False,
    check: Callable[[str, str, str], None] | None = None,
    skip_unloadable: bool = False,
    values: bool = True,
) -> SyncResult:
    """Load target SQL and source SQL, sync, apply with psql; then three judges must agree.

    - the independent judge (tests/judge.py: its own catalog reading, tombstones left out)
      finds the target equal to the source;
    - every value of the rows generated into the target before the apply (tests/values.py:
      rows that the source's tables also take and store alike, so the sync must carry them
      over unchanged) is still there after it, tombstoned tables and columns under their
      new names (``values=False`` for a case that must run on empty tables, with a reason);
    - DDP's own second sync is empty.

    The two sides may live on servers of different major versions: the target's server is
    then also the shadow where texts are settled (``--shadow-url``). ``check(source_db,
    target_db, script)`` runs between the apply and the judges.
    """
    targets, sources = Databases(target_server), Databases(source_server)
    try:
        target, source = targets.make(), sources.make()
        try:
            load(target_server, target, target_sql)
            load(source_server, source, source_sql)
        except psycopg.Error as exc:
            if not skip_unloadable:
                raise
            # a corpus case this server cannot hold (ICU collations, a missing extension)
            pytest.skip(f"fixture does not load on this server: {exc}")
        before = None
        if values:
            with target_server.connect(target) as conn, source_server.connect(source) as twin:
                load_rows(conn, source=twin)
                before = capture(conn)

        def again() -> SyncResult:
            return sync(
                target_server,
                source,
                target,
                all_schemas=all_schemas,
                source_server=source_server,
                shadow=None if source_server == target_server else target_server,
            )

        first = again()
        try:
            apply_script(target_server, target, first.script, tmp_path)
        except subprocess.CalledProcessError as exc:
            raise AssertionError(f"script failed:\n{exc.stderr}\n{first.script}") from None
        if check is not None:
            check(source, target, first.script)
        with (
            source_server.connect(source) as source_conn,
            target_server.connect(target) as target_conn,
        ):
            errors = judge(source_conn, target_conn)
            assert not errors, (
                "the judge finds differences:\n" + "\n".join(errors) + ("\n" + first.script)
            )
            if before is not None:
                lost = lost_values(before, target_conn)
                assert not lost, "values lost:\n" + "\n".join(lost) + "\n" + first.script
        second = again()
        assert second.plan.is_empty, (
            f"not converged: {[c.label + ' ' + c.action for c in second.plan.changes]}\n"
            f"{first.script}\n---\n{second.script}"
        )
        return first
    finally:
        targets.close()
        sources.close()


@pytest.fixture
def converge(server: Server, tmp_path: Path) -> Callable[..., SyncResult]:
    """``converge(target_sql, source_sql, ...)``: converge_on with both sides on ``server``."""

    def run(target_sql: str | bytes, source_sql: str | bytes, **options: Any) -> SyncResult:
        return converge_on(server, server, tmp_path, target_sql, source_sql, **options)

    return run


def ensure_roles(server: Server, case: Path) -> None:
    """Create (NOLOGIN) the cluster-wide roles a corpus case's meta.json names."""
    meta = case / "meta.json"
    roles = json.loads(meta.read_text()).get("roles", []) if meta.is_file() else []
    with server.connect() as conn:
        for role in roles:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
