"""``ddp demo`` and ``--source-sql``/``--target-sql`` as a user runs them, on real servers.

Each run gets its own TMPDIR so that "no directory left behind" and "no server process left"
are checked for exactly that run, even while other tests start embedded servers in parallel.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.helpers import assert_nothing_left, ddp_env, processes_of
from tests.helpers import ddp_isolated as ddp
from tests.pg_server import local_server

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scans /proc")


@pytest.fixture
def run_tmp() -> Iterator[Path]:
    """A TMPDIR for one ddp run, world-traversable (as root the server runs as ``nobody``)."""
    path = Path(tempfile.mkdtemp(prefix="ddp-test-run-"))
    path.chmod(0o1777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


# --------------------------------------------------------------------------------------------
# ddp demo


def test_demo_runs_end_to_end_and_leaves_nothing(run_tmp: Path, tmp_path: Path) -> None:
    result = ddp("demo", run_tmp=run_tmp, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "prod now matches dev" in out
    assert "ALTER TABLE" in out and "END OF SCHEMA SYNC SCRIPT" in out
    # rows of the dropped table and values of the dropped column are still there, renamed
    assert re.search(
        r'newsletter_signups +3 rows -> +3 +\(now table "newsletter_signups_dropped_', out
    )
    assert re.search(r'column fax: 2 values -> 2 +\(now column "fax_dropped_', out)
    assert "DATA LOST" not in out and "MISSING" not in out
    started = re.search(r"in (\S*ddp-pg-\S+)\n", out)
    assert started is not None
    assert f"Stopped the server and removed {started.group(1)}." in out
    assert not Path(started.group(1)).exists()
    assert_nothing_left(run_tmp)


def test_sigint_mid_demo_leaves_nothing(run_tmp: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ddp_engine.cli", "demo"],
        cwd=tmp_path,
        env=ddp_env(run_tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # printed once the server runs, before the databases
        assert "Started PostgreSQL" in first, first
        base_dir = Path(first.rsplit(" in ", 1)[1].strip())
        assert base_dir.is_dir() and processes_of(-1, base_dir) != []
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        "DDP DEMO interrupted: the server was stopped and its directory removed"
    ]
    assert not base_dir.exists()
    assert_nothing_left(run_tmp)


# --------------------------------------------------------------------------------------------
# --source-sql / --target-sql


A_SQL = """
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    nickname text
);
CREATE INDEX users_email_idx ON users (email);
"""

B_SQL = """
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL
);
"""


def test_sql_files_dry_run_prints_the_script_from_b_to_a(run_tmp: Path, tmp_path: Path) -> None:
    a = write(tmp_path / "a.sql", A_SQL)
    b = write(tmp_path / "b.sql", B_SQL)
    result = ddp(
        "sync", "--source-sql", str(a), "--target-sql", str(b), "--dry-run",
        run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'ALTER TABLE "public"."users" ADD COLUMN "nickname" text;' in result.stdout
    assert (
        'CREATE INDEX "users_email_idx" ON "public"."users" USING btree (email);' in result.stdout
    )
    assert (tmp_path / "alter.sql").read_text() in result.stdout  # written, not applied
    assert_nothing_left(run_tmp)


def test_sql_directory_loads_in_name_order(run_tmp: Path, tmp_path: Path) -> None:
    """020 references 010's table: only name order loads; 030 alters what 020 created."""
    schema = tmp_path / "schema"
    write(schema / "020_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, "
          "customer_id int REFERENCES customers (id));\n")  # fmt: skip
    write(schema / "010_customers.sql", "CREATE TABLE customers (id int PRIMARY KEY);\n")
    write(schema / "030_add_note.sql", "ALTER TABLE orders ADD COLUMN note text;\n")
    write(schema / "README.md", "not SQL: ignored\n")
    empty = write(tmp_path / "empty.sql", "-- nothing yet\n")
    result = ddp(
        "sync", "--source-sql", str(schema), "--target-sql", str(empty), "--dry-run",
        run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'CREATE TABLE "public"."customers"' in out
    assert 'CREATE TABLE "public"."orders"' in out
    assert '"note" text' in out
    assert_nothing_left(run_tmp)


def test_failing_sql_file_gives_file_line_and_exit_1(run_tmp: Path, tmp_path: Path) -> None:
    write(tmp_path / "schema" / "001_ok.sql", "CREATE TABLE a (id int);\n")
    write(
        tmp_path / "schema" / "002_bad.sql",
        """
        -- orders
        CREATE TABLE b (id int);
        CREATE TABLE c (
            id int,
            b_id nosuchtype
        );
        """,
    )
    good = write(tmp_path / "good.sql", "CREATE TABLE a (id int);\n")
    result = ddp(
        "sync", "--source-sql", "schema", "--target-sql", str(good), "--dry-run",
        run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        'DDP SYNC failed: schema/002_bad.sql line 5: type "nosuchtype" does not exist '
        "(loaded on PostgreSQL 18, the embedded PostgreSQL)"
    ]
    assert_nothing_left(run_tmp)


def test_sql_side_refuses_connection_flags(run_tmp: Path, tmp_path: Path) -> None:
    a = write(tmp_path / "a.sql", A_SQL)
    result = ddp(
        "sync", "--source-sql", str(a), "--source-database", "x", "--target-sql", str(a),
        run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 64  # a usage error (EX_USAGE)
    assert result.stderr.strip() == "Error: --source-sql cannot be combined with --source-database"


# --------------------------------------------------------------------------------------------
# Across versions: source on the embedded PostgreSQL 18, target on the local server


CROSS_SOURCE = """
CREATE TABLE customers (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    phone varchar(30),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    total numeric(12, 2) NOT NULL CHECK (total >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END;
$$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW big_orders AS SELECT id, customer_id, total FROM orders WHERE total > 100;
"""

CROSS_TARGET = """
CREATE TABLE customers (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email varchar(100) NOT NULL UNIQUE,
    fax text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    total numeric(8, 2) NOT NULL CHECK (total >= 0)
);
CREATE TABLE legacy (id int PRIMARY KEY, note text);
INSERT INTO customers (email, fax) VALUES ('a@example.com', '123'), ('b@example.com', NULL);
INSERT INTO orders (customer_id, total) VALUES (1, 10.5), (2, 250);
INSERT INTO legacy VALUES (1, 'keep me');
"""


def test_cross_version_sql_source_to_local_server(run_tmp: Path, tmp_path: Path) -> None:
    local = local_server()
    if local is None:
        pytest.skip("no local PostgreSQL answers at PGHOST/PGPORT (default 127.0.0.1:5432)")
    database = f"ddp_test_{uuid.uuid4().hex[:12]}"
    admin = {"host": local.host, "port": local.port, "user": local.user, "autocommit": True}
    with psycopg.connect(dbname="postgres", **admin) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(dbname=database, **admin) as conn:
            conn.execute(CROSS_TARGET.encode())
            row = conn.execute("SHOW server_version_num").fetchone()
        assert row is not None
        source = write(tmp_path / "schema.sql", CROSS_SOURCE)
        target = [
            "--target-host", local.host, "--target-port", str(local.port),
            "--target-database", database, "--target-username", local.user,
        ]  # fmt: skip
        first = ddp(
            "sync", "--source-sql", str(source), *target, "--apply", "--output", "alter.sql",
            run_tmp=run_tmp, cwd=tmp_path,
        )  # fmt: skip
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Applied: the target now matches the source." in first.stdout
        second = ddp(
            "sync", "--source-sql", str(source), *target, "--dry-run", "--exit-code",
            run_tmp=run_tmp, cwd=tmp_path,
        )  # fmt: skip
        assert second.returncode == 0, second.stdout + second.stderr
        assert "in sync" in second.stdout
        with psycopg.connect(dbname=database, **admin) as conn:
            kept = conn.execute(
                "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders),"
                " (SELECT count(*) FROM pg_class WHERE relname LIKE 'legacy_dropped_%')"
            ).fetchone()
        assert kept == (2, 2, 1)
    finally:
        with psycopg.connect(dbname="postgres", **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert_nothing_left(run_tmp)


def test_nothing_left_helper_sees_a_running_server(run_tmp: Path) -> None:
    """Guard against a vacuous check: while a server runs in run_tmp, the helper finds it."""
    env = ddp_env(run_tmp)
    code = (
        "import time\nfrom ddp_engine.embedded import embedded_server\n"
        "with embedded_server() as s:\n    print(s.base_dir, flush=True)\n    time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        with pytest.raises(AssertionError):
            assert_nothing_left(run_tmp)
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        deadline = time.monotonic() + 10
        while processes_of(-1, run_tmp) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_nothing_left(run_tmp)
