"""What the README promises, tested as a user would meet it (issue 14).

Each test names the README's claim it holds the code to, and is written to fail when the code
stops keeping it (a flag that is ignored, output that is printed anyway, a lock that covers
less than the README says, drift after an apply that exits 0).
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from ddp_engine.apply import apply_plan
from ddp_engine.errors import DdpError
from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server
from tests.helpers import CATALOG_QUERIES, TAMPER, ddp, side_args

README = Path(__file__).resolve().parents[1] / "README.md"
ROLE = "ddp_claims_reader"


def both(server: Server, source: str, target: str, schema: str = "public") -> list[str]:
    return [
        *side_args(server, "source", source, schema),
        *side_args(server, "target", target, schema),
    ]


def ensure_role(server: Server) -> None:
    # cluster-wide: an earlier test or another worker may have made it
    with server.connect() as conn, contextlib.suppress(psycopg.errors.DuplicateObject):
        conn.execute(f'CREATE ROLE "{ROLE}" NOLOGIN')


@pytest.fixture
def pair(make_db) -> tuple[str, str]:
    """(source, target): the source has a table the target lacks."""
    return (
        make_db("CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int);"),
        make_db("CREATE TABLE users (id int PRIMARY KEY);"),
    )


# -- `--no-privileges` | leave GRANT/REVOKE out of the comparison ----------------------------


def test_no_privileges_leaves_grants_out(server, make_db, tmp_path: Path) -> None:
    ensure_role(server)
    source = make_db(f'CREATE TABLE t (a int); GRANT SELECT ON t TO "{ROLE}";')
    target = make_db("CREATE TABLE t (a int);")
    args = both(server, source, target)
    with_privileges = ddp("sync", *args, "--dry-run", "--exit-code", cwd=tmp_path)
    assert with_privileges.returncode == 2, with_privileges.stderr
    assert f'GRANT SELECT ON TABLE "public"."t" TO "{ROLE}"' in with_privileges.stdout
    without = ddp("sync", *args, "--dry-run", "--exit-code", "--no-privileges", cwd=tmp_path)
    assert without.returncode == 0, without.stdout + without.stderr
    assert "GRANT" not in without.stdout


# -- `--env PATH` | file of SOURCE_DB_*, TARGET_DB_*, OUTPUT_FILE ----------------------------


def test_env_path_is_the_file_read(server, pair, tmp_path: Path) -> None:
    """The file is not named .env and is not above the working directory: only the flag can
    find it (a run without the flag has no credentials)."""
    source, target = pair
    conf, work = tmp_path / "conf", tmp_path / "work"
    conf.mkdir()
    work.mkdir()
    (conf / "settings.env").write_text(
        f"SOURCE_DB_HOST={server.host}\nSOURCE_DB_PORT={server.port}\nSOURCE_DB_NAME={source}\n"
        f"SOURCE_DB_USER={server.user}\nTARGET_DB_HOST={server.host}\n"
        f"TARGET_DB_PORT={server.port}\nTARGET_DB_NAME={target}\nTARGET_DB_USER={server.user}\n"
        "OUTPUT_FILE=from_the_file.sql\n"
    )
    flagged = ddp("sync", "--env", str(conf / "settings.env"), cwd=work)
    assert flagged.returncode == 0, flagged.stderr
    assert (work / "from_the_file.sql").read_text().count('CREATE TABLE "public"."orders"') == 1
    unflagged = ddp("sync", cwd=work)
    assert unflagged.returncode not in (0, 2)
    assert "credentials are required" in unflagged.stderr
    assert not (work / "alter.sql").exists()


# -- `--quiet` | print only errors ------------------------------------------------------------


def test_quiet_prints_nothing_but_errors(server, pair, tmp_path: Path) -> None:
    source, target = pair
    quiet = ddp("sync", *both(server, source, target), "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert "Schema Sync Script" in (tmp_path / "alter.sql").read_text()
    loud = ddp("sync", *both(server, source, target), cwd=tmp_path)
    assert "Script written to alter.sql" in loud.stdout  # what quiet leaves out
    failed = ddp("sync", *both(server, source, "ddp_test_no_such_db"), "--quiet", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("DDP SYNC failed") and failed.stderr.count("\n") == 1


# -- `--format` | `sql` (default); `json` writes the plan (changes, hazards, ...) --------------


def test_format_defaults(server, pair, tmp_path: Path) -> None:
    source, target = pair
    default = ddp("sync", *both(server, source, target), cwd=tmp_path)
    assert default.returncode == 0, default.stderr
    assert (tmp_path / "alter.sql").read_text().startswith("-- ====")
    assert not (tmp_path / "alter.json").exists()
    (tmp_path / "alter.sql").unlink()
    as_json = ddp("sync", *both(server, source, target), "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert not (tmp_path / "alter.sql").exists()
    plan = json.loads((tmp_path / "alter.json").read_text())
    assert {"changes", "hazards", "steps", "in_sync"} <= plan.keys()
    assert plan["in_sync"] is False
    statements = [s for step in plan["steps"] for s in step["statements"]]
    assert any(s.startswith('CREATE TABLE "public"."orders"') for s in statements)


# -- Ctrl-C ends `ddp sync` with exit code 130 (143 on SIGTERM) ---------------------------------


class SilentServer:
    """A TCP port that accepts connections and never answers: a sync waits on it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_sync_exits_with_the_shells_code(
    signum: int, code: int, server, make_db, tmp_path: Path
) -> None:
    silent = SilentServer()
    try:
        args = [
            *side_args(server, "target", make_db("")),
            "--source-host", "127.0.0.1", "--source-port", str(silent.port),
            "--source-database", "x", "--source-username", "x",
        ]  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "ddp_engine.cli", "sync", *args],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert silent.accepted.wait(30), "ddp sync never connected"
        time.sleep(0.5)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        silent.close()
    assert "Traceback" not in stdout + stderr
    if signum == signal.SIGTERM and process.returncode == -signum:
        # not caught outside an embedded server: the process ends by the signal itself, which
        # a shell reports as 128 + 15 (what the README promises), with nothing printed
        assert (stdout, stderr) == ("", "")
        return
    assert process.returncode == code, stdout + stderr
    assert stderr.startswith("DDP SYNC interrupted") and stderr.count("\n") == 1


# -- `--apply` takes an advisory lock (two syncs never apply at once) ----------------------------


def test_two_applies_to_different_schemas_of_one_database_never_overlap(server, make_db) -> None:
    """One database, two schemas: while an apply to schema a is under way (held up by a
    lock), an apply to schema b is refused, not run beside it."""
    schemas = (
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (x int); CREATE TABLE b.t (x int);"
    )
    target = make_db(schemas)
    source = make_db(schemas.replace("(x int)", "(x int, y int)"))
    plans = {
        s: compare(server.settings(source, s), server.settings(target, s), SyncOptions())
        for s in ("a", "b")
    }
    outcome: list[object] = []
    with server.connect(target) as blocker:
        blocker.autocommit = False
        blocker.execute("LOCK TABLE a.t IN ACCESS EXCLUSIVE MODE")

        def first() -> None:
            try:
                outcome.append(
                    apply_plan(server.settings(target, "a"), plans["a"].plan, plans["a"].script)
                )
            except DdpError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=first)
        thread.start()
        with server.connect() as watcher:
            for _ in range(100):
                held = watcher.execute(
                    "SELECT count(*) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d"
                    " ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted"
                    " AND d.datname = %s",
                    (target,),
                ).fetchone()
                if held and held[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the first apply never took its advisory lock")
        with pytest.raises(DdpError, match="another ddp sync is applying"):
            apply_plan(server.settings(target, "b"), plans["b"].plan, plans["b"].script)
        blocker.rollback()
        thread.join(60)
    assert outcome and not isinstance(outcome[0], DdpError), outcome
    apply_plan(server.settings(target, "b"), plans["b"].plan, plans["b"].script)


# -- drift left after an apply fails the run --------------------------------------------------


def test_drift_left_after_an_apply_fails_the_cli(server, make_db, tmp_path: Path) -> None:
    """An event trigger in the target comments the table whenever DDL runs: the apply
    succeeds, the diff after it still differs, and the run must say so and fail."""
    source = make_db("CREATE TABLE t (x int, y int);")
    target = make_db("CREATE TABLE t (x int);" + TAMPER)
    result = ddp("sync", *both(server, source, target), "--apply", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "difference(s) remain" in result.stdout
    assert "Applied: the target now matches the source." not in result.stdout


# -- unsupported kinds are listed at the top of the script --------------------------------------


def test_unsupported_kinds_are_listed_never_skipped(server, make_db, tmp_path: Path) -> None:
    """Rules, operators, text search, statistics and foreign tables are synchronised; a kind
    DDP does not synchronise (a conversion) is listed, and blocks as not_synchronised."""
    source = make_db(
        "CREATE TABLE t (a int, b int);"
        "CREATE RULE r AS ON INSERT TO t WHERE a < 0 DO INSTEAD NOTHING;"
        "CREATE FUNCTION f(int, int) RETURNS bool LANGUAGE sql AS 'SELECT $1 = $2';"
        "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = f);"
        "CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.simple);"
        "CREATE STATISTICS st (dependencies) ON a, b FROM t;"
        "CREATE FOREIGN DATA WRAPPER w; CREATE SERVER srv FOREIGN DATA WRAPPER w;"
        "CREATE FOREIGN TABLE ft (a int) SERVER srv;"
        "CREATE CONVERSION conv FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;"
    )
    target = make_db("")
    result = ddp("sync", *both(server, source, target), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    script = result.stdout[result.stdout.index("-- ====") :]
    listed = script[script.index("Objects DDP does not synchronise") :].split("\n\n", 1)[0]
    assert re.search(r"^--   conversion ", listed, re.M), listed
    for kind in ("rule", "operator", "text search configuration", "statistics object"):
        assert not re.search(rf"^--   {kind} ", listed, re.M), (kind, listed)
    for created in ("CREATE RULE r", "CREATE OPERATOR public.===", "CREATE STATISTICS public.st"):
        assert created in script
    assert "CREATE FOREIGN TABLE public.ft" in script
    assert "not_synchronised" in script
    assert script.index("Objects DDP does not synchronise") < script.index("TABLE OPERATIONS")


# -- the query count the README states ----------------------------------------------------------


def test_readme_states_the_catalog_queries_per_side() -> None:

    stated = re.search(r"(\d+) catalog queries per side", README.read_text())
    assert stated, "the README no longer states the number of catalog queries"
    assert int(stated.group(1)) == CATALOG_QUERIES


# -- errors: one line on stderr, never a password ------------------------------------------------

SECRET = "Sekr1t-4f7a-pw"


def test_a_connection_error_that_quotes_the_password_is_scrubbed(
    server, make_db, tmp_path: Path
) -> None:
    """The server names the role it refused: here the role is the password's text, so the
    message reaching the user does contain it (a test that cannot reach such a message proves
    nothing about the scrubber)."""
    source = make_db("")
    args = [
        *side_args(server, "source", source),
        "--target-host", server.host, "--target-port", str(server.port),
        "--target-database", source, "--target-username", SECRET,
        "--target-password", SECRET,
    ]  # fmt: skip
    result = ddp("sync", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("DDP SYNC failed") and result.stderr.count("\n") == 1
    assert "role *** does not exist" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_an_apply_error_that_quotes_the_password_is_scrubbed(
    server, make_db, tmp_path: Path
) -> None:
    """A default whose text is the password's fails when the apply adds the column over a
    row: the server's message quotes it, the user's line must not."""
    source = make_db(f"CREATE TABLE t (id int, a int DEFAULT ('{SECRET}'::text)::integer);")
    target = make_db("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
    args = both(server, source, target) + ["--target-password", SECRET, "--apply"]
    result = ddp("sync", *args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "applying the script failed" in result.stderr
    assert 'invalid input syntax for type integer: "***"' in result.stderr
    assert SECRET not in result.stdout + result.stderr


# -- "one banner section per kind: SCHEMA, EXTENSION, ... PRIVILEGE" ------------------------------


def test_sections_come_in_the_readmes_order(server, make_db, tmp_path: Path) -> None:
    """Every section the README names, in its order, from a sync that touches each kind (the
    order is the README's text, not the engine's list, so either can be caught changing)."""
    ensure_role(server)
    stated = re.search(r"one banner section per kind:\s*(.*?)\s*\(", README.read_text(), re.S)
    assert stated, "the README no longer lists the script's sections"
    order = [s.strip() for s in stated.group(1).replace("\n", " ").split(",")]
    source = make_db(
        "CREATE SCHEMA extra; CREATE EXTENSION hstore; CREATE TYPE mood AS ENUM ('a');"
        "CREATE SEQUENCE s; CREATE TABLE t (a int, m mood, n int);"
        "CREATE TABLE kept (a int, added int);"
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
        "ALTER TABLE kept ADD CONSTRAINT kept_a_check CHECK (a > 0);"
        "CREATE INDEX kept_a ON kept (a);"
        "CREATE TRIGGER tr BEFORE INSERT ON kept FOR EACH ROW EXECUTE FUNCTION f();"
        "CREATE VIEW v AS SELECT a FROM kept;"
        "ALTER TABLE kept ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON kept USING (a > 0);"
        f'GRANT SELECT ON kept TO "{ROLE}";'
    )
    target = make_db("CREATE TABLE kept (a int);")
    args = [*side_args(server, "source", source, None), *side_args(server, "target", target, None)]
    result = ddp("sync", *args, "--all-schemas", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sections = re.findall(r"^-- (\S+) OPERATIONS$", result.stdout, re.M)
    assert sections == order, sections


# -- "Data checks count ... values that do not cast before a type change" (PostgreSQL 16+) --------


def test_cast_check_counts_the_values_that_do_not_convert_on_postgresql_16_or_later() -> None:
    """PostgreSQL 16+ counts with pg_input_is_valid (older servers stop at the first failure):
    on the embedded server (18), of five values two do not convert and two are counted."""
    from tests.pg_server import embedded_for_tests

    host, port, user = embedded_for_tests()
    embedded = Server(host, port, user)
    names = [f"ddp_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with embedded.connect() as conn:
        assert conn.info.server_version >= 160000
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    source, target = names
    try:
        with embedded.connect(source) as conn:
            conn.execute("CREATE TABLE t (code integer)")
        with embedded.connect(target) as conn:
            conn.execute("CREATE TABLE t (code text); INSERT INTO t VALUES ('1'), ('x'), (NULL),"
                         " ('2'), ('y'), ('3')")  # fmt: skip
        result = compare(embedded.settings(source), embedded.settings(target))
        [cast] = [f for f in result.plan.data_checks if f.check == "convert"]
        assert cast.count == 2 and cast.fails
    finally:
        with embedded.connect() as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
