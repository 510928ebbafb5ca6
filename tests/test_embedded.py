"""The embedded server leaves nothing behind, and a failing SQL file says where it failed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from ddp_engine.embedded import (
    EmbeddedServer,
    create_database,
    embedded_server,
    load_sql,
    split_sql,
)
from ddp_engine.embedded import server as server_module
from ddp_engine.errors import DdpError
from tests.helpers import processes_of

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux")


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


pytestmark = pytest.mark.skipif(not LINUX, reason="scans /proc")


# --------------------------------------------------------------------------------------------
# Lifecycle


def test_start_and_stop_leave_no_process_and_no_directory() -> None:
    with embedded_server() as server:
        assert server.host == "127.0.0.1" and server.user == "postgres"
        with psycopg.connect(server.conninfo()) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None and int(version[0]) >= 180000
        running = processes_of(server.pid, server.data_dir)
        assert server.pid in running and len(running) > 1  # postmaster and its workers
        assert server.base_dir.is_dir()
    assert processes_of(server.pid, server.data_dir) == []
    assert not server.base_dir.exists()


def test_exception_in_block_still_cleans_up() -> None:
    seen: list[EmbeddedServer] = []
    with pytest.raises(RuntimeError, match="boom"), embedded_server() as server:
        seen.append(server)
        raise RuntimeError("boom")
    assert processes_of(seen[0].pid, seen[0].data_dir) == []
    assert not seen[0].base_dir.exists()


CHILD = textwrap.dedent(
    """
    import sys, time
    from ddp_engine.embedded import embedded_server
    with embedded_server() as server:
        print(server.pid, server.data_dir, server.base_dir, flush=True)
        time.sleep(120)
    """
)


def start_child() -> tuple[subprocess.Popen[str], int, Path, Path]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        pytest.fail(f"child did not start a server: {proc.stderr.read() if proc.stderr else ''}")
    pid, data_dir, base_dir = line.split()
    return proc, int(pid), Path(data_dir), Path(base_dir)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_run_leaves_nothing(signum: int) -> None:
    proc, pid, data_dir, base_dir = start_child()
    try:
        assert pid in processes_of(pid, data_dir)
        proc.send_signal(signum)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0  # interrupted, not a normal exit
    assert processes_of(pid, data_dir) == []
    assert not base_dir.exists()


def test_killed_owner_is_cleaned_up_by_the_next_start() -> None:
    """SIGKILL runs no cleanup: the server dies with its parent (Linux parent-death signal, or
    the stale-directory sweep), and the next start removes the directory."""
    proc, pid, data_dir, base_dir = start_child()
    proc.kill()
    proc.wait()
    assert wait_until(lambda: processes_of(pid, data_dir) == [], timeout=15)
    assert base_dir.exists()
    server_module.sweep_stale_dirs()
    assert not base_dir.exists()


@pytest.mark.parametrize("taken", [2, 5])
def test_a_port_taken_meanwhile_is_tried_again_then_given_up_in_one_line(
    taken: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another process may bind the free port we picked before postgres does: another port is
    tried, five in all; when every one was taken the start fails with one line."""
    tried: list[int] = []

    def start(*args: object) -> tuple[str, None]:
        port = args[3]
        assert isinstance(port, int)
        tried.append(port)
        if len(tried) <= taken:
            raise server_module._PortTaken(port)
        return "postgres", None

    monkeypatch.setattr(server_module, "_start_postgres", start)
    if taken < 5:
        started = server_module._start_on_a_free_port(tmp_path, tmp_path, tmp_path, None, {}, 1.0)
        assert started == ("postgres", tried[-1], None)
        assert len(tried) == taken + 1
        return
    with pytest.raises(DdpError) as caught:
        server_module._start_on_a_free_port(tmp_path, tmp_path, tmp_path, None, {}, 1.0)
    assert caught.value.message == "DDP SYNC failed: the embedded PostgreSQL found no free port"
    assert len(tried) == 5


# --------------------------------------------------------------------------------------------
# Loading SQL


@pytest.fixture(scope="module")
def pg() -> Iterator[EmbeddedServer]:
    """One embedded server for the loading tests (conftest's ``server`` may be a local one)."""
    with embedded_server() as running:
        yield running


_counter = iter(range(10_000))


def fresh_db(pg: EmbeddedServer) -> str:
    name = f"t_{next(_counter)}"
    create_database(pg, name)
    return name


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_directory_loads_in_name_order(pg: EmbeddedServer, tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    write(
        schema / "020_orders.sql",
        """
        CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id));
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            NEW.id := NEW.id; -- a semicolon inside a dollar quote
            RETURN NEW;
        END;
        $body$;
        CREATE FUNCTION one() RETURNS int LANGUAGE sql
        BEGIN ATOMIC
            SELECT 1;
        END;
        INSERT INTO orders VALUES (1, 1);
        """,
    )
    write(schema / "010_customers.sql", "CREATE TABLE customers (id int PRIMARY KEY);\n")
    write(schema / "015_data.sql", "INSERT INTO customers VALUES (1); /* ; */ -- ;\n")
    write(schema / "notes.txt", "not SQL: ignored\n")
    db = fresh_db(pg)
    load_sql(pg, db, schema)
    with psycopg.connect(pg.conninfo(db)) as conn:
        row = conn.execute("SELECT count(*), one() FROM orders").fetchone()
    assert row == (1, 1)


def test_failing_file_names_file_line_and_message(
    pg: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "schema" / "005_ok.sql", "CREATE TABLE a (id int);\n")
    write(
        tmp_path / "schema" / "010_tables.sql",
        """
        -- tables
        CREATE TABLE b (id int);

        CREATE TABLE c (
            id int,
            b_id int REFERENCES x(id)
        );
        """,
    )
    db = fresh_db(pg)
    with pytest.raises(DdpError) as caught:
        load_sql(pg, db, "schema")
    assert caught.value.message == (
        'DDP SYNC failed: schema/010_tables.sql line 4: relation "x" does not exist'
    )


def test_error_position_points_at_the_line(pg: EmbeddedServer, tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.sql",
        """
        CREATE TABLE t (id int);
        SELECT 1; SELECT
            id,
            nosuch
        FROM t;
        """,
    )
    db = fresh_db(pg)
    with pytest.raises(DdpError) as caught:
        load_sql(pg, db, path)
    assert caught.value.message == (
        f'DDP SYNC failed: {path} line 4: column "nosuch" does not exist'
    )


def test_error_detail_is_kept(pg: EmbeddedServer, tmp_path: Path) -> None:
    path = write(
        tmp_path / "dup.sql",
        """
        CREATE TABLE t (id int PRIMARY KEY);
        INSERT INTO t VALUES (1);
        INSERT INTO t
            VALUES (1);
        """,
    )
    db = fresh_db(pg)
    with pytest.raises(DdpError) as caught:
        load_sql(pg, db, path)
    assert caught.value.message == (
        f"DDP SYNC failed: {path} line 3: duplicate key value violates unique constraint "
        '"t_pkey" (Key (id)=(1) already exists.)'
    )


def test_missing_path_and_empty_directory(pg: EmbeddedServer, tmp_path: Path) -> None:
    with pytest.raises(DdpError, match="does not exist"):
        load_sql(pg, "postgres", tmp_path / "nope.sql")
    with pytest.raises(DdpError, match=r"no \.sql files"):
        load_sql(pg, "postgres", tmp_path)


def test_create_database_twice_is_one_line(pg: EmbeddedServer) -> None:
    create_database(pg, "twice")
    with pytest.raises(DdpError) as caught:
        create_database(pg, "twice")
    assert caught.value.message == (
        'DDP SYNC failed: cannot create database "twice": database "twice" already exists'
    )


# --------------------------------------------------------------------------------------------
# Splitting (no server)


def test_split_sql_follows_psql() -> None:
    text = textwrap.dedent(
        """\
        -- comment; not a statement
        SELECT 'a;b', "x;y", E'\\';', $$;$$, $f$ $$ ; $f$;
        /* block /* nested ; */ still */ SELECT 2
          ;
        CREATE RULE r AS ON INSERT TO t DO (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));
        CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC
          SELECT CASE WHEN true THEN 1 END; SELECT 2;
        END;
        \\echo hi
        SELECT 3"""
    )
    statements = split_sql(text)
    assert [(s.start_line, s.end_line) for s in statements] == [
        (2, 2),
        (3, 4),
        (5, 5),
        (6, 8),
        (9, 9),
        (10, 10),
    ]
    assert statements[0].text == "SELECT 'a;b', \"x;y\", E'\\';', $$;$$, $f$ $$ ; $f$;"
    assert statements[1].text == "SELECT 2\n  ;"
    assert statements[4].text == "\\echo hi"
    assert statements[5].text == "SELECT 3"


# --------------------------------------------------------------------------------------------
# Who imports the server


def test_a_sync_of_live_databases_never_imports_the_embedded_server() -> None:
    """The server and its loader are imported only when a side is SQL files or the demo runs:
    a sync of two live databases does not pay for them at start-up."""
    code = (
        "import sys, ddp_engine.cli, ddp_engine.sync\n"
        "loaded = [m for m in sys.modules if m.startswith('ddp_engine.embedded')]\n"
        "assert not loaded, loaded"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
