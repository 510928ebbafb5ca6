"""Real-PostgreSQL fixtures: every test gets databases of its own (prefix ``ddp_test_``).

The server is the one at PGHOST/PGPORT (default 127.0.0.1:5432, user postgres); where none
answers, tests/pg_server.py starts an embedded one. Nothing here mocks the database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, SyncResult, compare

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "migra"


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


@pytest.fixture(scope="session")
def server() -> Server:
    try:
        from tests.pg_server import server_for_tests
    except ImportError:  # pragma: no cover - the embedded fallback is optional here
        return Server(
            os.environ.get("PGHOST", "127.0.0.1"),
            int(os.environ.get("PGPORT", "5432")),
            os.environ.get("PGUSER", "postgres"),
        )
    host, port, user = server_for_tests()
    return Server(host, port, user)


@pytest.fixture
def make_db(server: Server) -> Iterator[Callable[[str], str]]:
    """A factory of fresh databases, dropped after the test."""
    created: list[str] = []

    def make(sql: str = "") -> str:
        name = f"ddp_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        if sql:
            load(server, name, sql)
        return name

    yield make
    with server.connect() as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
) -> SyncResult:
    return compare(
        server.settings(source_db, source_schema),
        server.settings(target_db, target_schema),
        SyncOptions(all_schemas=all_schemas),
    )


@pytest.fixture
def converge(
    server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> Callable[..., SyncResult]:
    """Load target SQL and source SQL, sync, apply with psql, assert the second sync is empty.

    ``check(source_db, target_db, script)`` runs between the apply and the second sync (the
    corpus tests compare with the independent checker's fingerprint there).
    """

    def run(
        target_sql: str | bytes,
        source_sql: str | bytes,
        all_schemas: bool = False,
        check: Callable[[str, str, str], None] | None = None,
        skip_unloadable: bool = False,
    ) -> SyncResult:
        target, source = make_db(""), make_db("")
        try:
            load(server, target, target_sql)
            load(server, source, source_sql)
        except psycopg.Error as exc:
            if not skip_unloadable:
                raise
            # a corpus case this server cannot hold (ICU collations, a missing extension)
            pytest.skip(f"fixture does not load on this server: {exc}")
        first = sync(server, source, target, all_schemas=all_schemas)
        try:
            apply_script(server, target, first.script, tmp_path)
        except subprocess.CalledProcessError as exc:
            raise AssertionError(f"script failed:\n{exc.stderr}\n{first.script}") from None
        if check is not None:
            check(source, target, first.script)
        second = sync(server, source, target, all_schemas=all_schemas)
        assert second.plan.is_empty, (
            f"not converged: {[c.label + ' ' + c.action for c in second.plan.changes]}\n"
            f"{first.script}\n---\n{second.script}"
        )
        return first

    return run


def ensure_roles(server: Server, case: Path) -> None:
    """Create (NOLOGIN) the cluster-wide roles a corpus case's meta.json names."""
    meta = case / "meta.json"
    roles = json.loads(meta.read_text()).get("roles", []) if meta.is_file() else []
    with server.connect() as conn:
        for role in roles:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
