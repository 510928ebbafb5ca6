"""PostgreSQL 18 VIRTUAL generated columns: read as VIRTUAL, created as VIRTUAL, and changed
STORED <-> VIRTUAL the way PostgreSQL allows (on the embedded PostgreSQL 18)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from ddp_engine.errors import DdpError
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests.conftest import Server
from tests.trust.conftest import Canary

TABLE = "CREATE SCHEMA shop; CREATE TABLE shop.t (a int NOT NULL{extra});"
ROWS = "INSERT INTO shop.t (a) VALUES (1), (2), (3);"


@pytest.fixture(scope="module")
def pg18() -> Iterator[Server]:
    from ddp_engine.embedded import embedded_server

    try:
        with embedded_server() as embedded:
            with psycopg.connect(embedded.conninfo()) as conn:
                if conn.info.server_version < 180000:
                    pytest.skip("the embedded PostgreSQL is older than 18")
            yield Server(embedded.host, embedded.port, embedded.user)
    except DdpError as exc:
        pytest.skip(f"no PostgreSQL 18 can start here: {exc.message}")


@pytest.fixture
def db18(pg18: Server) -> Callable[[str], str]:
    def make(sql: str) -> str:
        name = f"ddp_test_{uuid.uuid4().hex[:12]}"
        with pg18.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        with pg18.connect(name) as conn:
            conn.execute(sql.encode())
        return name

    return make


def column(extra: str) -> str:
    return TABLE.format(extra=extra)


def sync18(server: Server, source: str, target: str) -> SyncResult:
    return compare(server.settings(source, "shop"), server.settings(target, "shop"), SyncOptions())


def converge18(server: Server, source: str, target: str) -> SyncResult:
    first = sync18(server, source, target)
    with server.connect(target) as conn, conn.transaction():
        conn.execute(first.script.encode())
    second = sync18(server, source, target)
    assert second.plan.is_empty, second.script
    return first


def values(server: Server, database: str) -> list[tuple[int, int | None]]:
    with server.connect(database) as conn:
        return conn.execute("SELECT a, b FROM shop.t ORDER BY a").fetchall()


def generated_kind(server: Server, database: str) -> str:
    with server.connect(database) as conn:
        row = conn.execute(
            "SELECT attgenerated::text FROM pg_catalog.pg_attribute "
            "WHERE attrelid = 'shop.t'::pg_catalog.regclass AND attname = 'b'"
        ).fetchone()
    assert row is not None
    return str(row[0])


VIRTUAL = ", b int GENERATED ALWAYS AS (a * 2) VIRTUAL"
STORED = ", b int GENERATED ALWAYS AS (a * 2) STORED"


@pytest.mark.parametrize(
    ("target_extra", "source_extra", "kind"),
    [
        ("", VIRTUAL, "v"),
        (STORED, VIRTUAL, "v"),
        (VIRTUAL, STORED, "s"),
        (VIRTUAL, ", b int GENERATED ALWAYS AS (a * 3) VIRTUAL", "v"),
    ],
    ids=["added", "stored_to_virtual", "virtual_to_stored", "new_expression"],
)
def test_virtual_generated_columns_converge(
    pg18: Server,
    db18: Callable[[str], str],
    canary: Canary,
    target_extra: str,
    source_extra: str,
    kind: str,
) -> None:
    source = db18(column(source_extra))
    target = db18(column(target_extra) + ROWS)
    shadows = Canary(pg18, canary.record)
    shadows.plant(target, "public")
    snapshot = sync18(pg18, source, target).source
    [b] = [c for c in snapshot.tables[0].columns if c.name == "b"]
    assert b.virtual == (kind == "v")
    first = converge18(pg18, source, target)
    assert "VIRTUAL" in first.script or kind == "s"
    assert generated_kind(pg18, target) == kind
    factor = 3 if "a * 3" in source_extra else 2
    assert values(pg18, target) == [(a, a * factor) for a in (1, 2, 3)]
    shadows.assert_silent()


def test_virtual_to_plain_keeps_the_values(pg18: Server, db18: Callable[[str], str]) -> None:
    source = db18(column(", b int"))
    target = db18(column(VIRTUAL) + ROWS)
    first = converge18(pg18, source, target)
    assert generated_kind(pg18, target) == ""
    assert values(pg18, target) == [(1, 2), (2, 4), (3, 6)]
    assert first.plan.cleanup  # the virtual column is kept under a renamed name


#: A trigger the application relies on: it stamps every UPDATE (and records that it ran).
STAMP = """
CREATE TABLE shop.fired (who text);
CREATE FUNCTION shop.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO shop.fired VALUES (current_user);
  NEW.a := NEW.a + 100;
  RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON shop.t FOR EACH ROW EXECUTE FUNCTION shop.stamp();
"""


def test_virtual_to_plain_fires_no_trigger(pg18: Server, db18: Callable[[str], str]) -> None:
    """Moving the computed values into a plain column is ddp's, not an application's UPDATE:
    the table's triggers (run with ddp's rights, and free to change other columns) never fire."""
    source = db18(column(", b int") + STAMP)
    target = db18(column(VIRTUAL) + ROWS + STAMP)
    converge18(pg18, source, target)
    assert values(pg18, target) == [(1, 2), (2, 4), (3, 6)]
    with pg18.connect(target) as conn:
        assert conn.execute("SELECT who FROM shop.fired").fetchall() == []
