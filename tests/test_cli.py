"""The ``ddp sync`` command as a user runs it: options, env, .env, messages, exit codes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.helpers import ddp, side_args


@pytest.fixture
def pair(server: Server, make_db) -> tuple[str, str]:
    source = make_db(
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);"
        "CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users);"
    )
    target = make_db(
        "CREATE TABLE users (id serial PRIMARY KEY, email text, old text);"
        "INSERT INTO users (email, old) VALUES ('a@b', 'keep me');"
    )
    return source, target


def test_help_lists_every_seed_option(tmp_path: Path) -> None:
    out = ddp("sync", "--help", cwd=tmp_path).stdout
    for side in ("source", "target"):
        for name in ("host", "port", "database", "username", "password", "schema"):
            assert f"--{side}-{name}" in out
    for option in ("--env", "--output", "--dry-run", "--apply", "--exit-code", "--all-schemas"):
        assert option in out


def test_default_writes_alter_sql_and_summary(server, pair, tmp_path) -> None:
    source, target = pair
    result = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    script = (tmp_path / "alter.sql").read_text()
    assert "-- Schema Sync Script" in script and "-- Dev Schema:" in script
    assert "-- Prod Schema:" in script and "-- Generated:" in script
    sections = [
        "TABLE OPERATIONS",
        "COLUMN OPERATIONS",
        "FUNCTION/PROCEDURE OPERATIONS",
        "CONSTRAINT OPERATIONS",
        "INDEX OPERATIONS",
        "TRIGGER OPERATIONS",
    ]
    positions = [script.index(s) for s in sections]
    assert positions == sorted(positions)
    assert script.rstrip().endswith(
        "-- END OF SCHEMA SYNC SCRIPT\n-- ===========================================".rstrip()
    )
    assert "Script written to alter.sql" in result.stdout
    assert '"old_dropped_' in script and "-- ALTER TABLE" in script  # renamed; DROP in cleanup


def test_dry_run_plans_writes_the_script_and_applies_nothing(server, pair, tmp_path) -> None:
    """A dry run means what it means in Dagster: plan, write the script, apply nothing (the
    summary and the script are also printed)."""
    source, target = pair
    args = [*side_args(server, "source", source), *side_args(server, "target", target)]
    result = ddp("sync", *args, "--dry-run", cwd=tmp_path)
    assert result.returncode == 0
    assert "CREATE TABLE" in result.stdout
    written = (tmp_path / "alter.sql").read_text()
    assert written and result.stdout.endswith(written)
    assert "Script written to alter.sql" in result.stderr
    assert ddp("sync", *args, "--dry-run", "--exit-code", cwd=tmp_path).returncode == 2


def test_apply_then_in_sync_and_rows_kept(server, pair, tmp_path) -> None:
    source, target = pair
    args = [*side_args(server, "source", source), *side_args(server, "target", target)]
    applied = ddp("sync", *args, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "now matches the source" in applied.stdout
    with server.connect(target) as conn:
        row = conn.execute("SELECT * FROM users").fetchone()
        columns = [d.name for d in conn.execute("SELECT * FROM users").description]
    assert row is not None and "keep me" in row
    assert any(c.startswith("old_dropped_") for c in columns)
    again = ddp("sync", *args, "--exit-code", cwd=tmp_path)
    assert again.returncode == 0
    assert "in sync" in again.stdout


def test_exit_code_two_on_drift(server, pair, tmp_path) -> None:
    source, target = pair
    result = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--exit-code",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 2


def test_env_and_dotenv_with_precedence(server, pair, tmp_path) -> None:
    source, target = pair
    (tmp_path / "sub").mkdir()
    (tmp_path / ".env").write_text(
        f"SOURCE_DB_HOST={server.host}\nSOURCE_DB_PORT={server.port}\nSOURCE_DB_NAME=nope\n"
        f"SOURCE_DB_USER={server.user}\nTARGET_DB_HOST={server.host}\n"
        f"TARGET_DB_PORT={server.port}\nTARGET_DB_NAME={target}\nTARGET_DB_USER={server.user}\n"
        "OUTPUT_FILE=from_env.sql\n"
    )
    # environment beats .env (SOURCE_DB_NAME), and .env is found from a subdirectory
    result = ddp("sync", cwd=tmp_path / "sub", env={"SOURCE_DB_NAME": source})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sub" / "from_env.sql").is_file()
    # a flag beats both
    result = ddp(
        "sync", "--output", "flag.sql", cwd=tmp_path / "sub", env={"SOURCE_DB_NAME": source}
    )
    assert (tmp_path / "sub" / "flag.sql").is_file()
    # --env PATH names the file explicitly
    explicit = ddp(
        "sync",
        "--env",
        str(tmp_path / ".env"),
        "--dry-run",
        cwd=tmp_path,
        env={"SOURCE_DB_NAME": source},
    )
    assert explicit.returncode == 0


@pytest.mark.parametrize("side", ["source", "target"])
def test_missing_credentials_message(side: str, server, tmp_path) -> None:
    args = side_args(server, "source", "x") + side_args(server, "target", "y")
    index = args.index(f"--{side}-username")
    del args[index : index + 2]
    result = ddp("sync", *args, "--exit-code", cwd=tmp_path)
    assert result.returncode == 64  # a usage error, never 2 (drift)
    assert result.stderr.strip() == f"Error: {side.capitalize()} database credentials are required."


def test_missing_schema_message(server, pair, tmp_path) -> None:
    source, target = pair
    result = ddp(
        "sync",
        *side_args(server, "source", source, "invalid_schema"),
        *side_args(server, "target", target),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == 'DDP SYNC failed: schema "invalid_schema" does not exist'


def test_refused_port_one_line_no_password(server, tmp_path) -> None:
    result = ddp(
        "sync",
        "--source-host",
        "127.0.0.1",
        "--source-port",
        "1",
        "--source-database",
        "d",
        "--source-username",
        "u",
        "--source-password",
        "s3cret-Pa55",
        *side_args(server, "target", "postgres"),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("DDP SYNC failed:")
    assert "refused" in lines[0]
    assert "s3cret-Pa55" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_unknown_database_message(server, tmp_path) -> None:
    result = ddp(
        "sync",
        *side_args(server, "source", "ddp_test_does_not_exist"),
        *side_args(server, "target", "postgres"),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "source" in result.stderr


def test_cross_schema_in_one_database(server: Server, make_db, tmp_path) -> None:
    db = make_db(
        "CREATE SCHEMA dev_schema; CREATE SCHEMA prod_schema;"
        "CREATE TABLE dev_schema.orders (id serial PRIMARY KEY, qty int DEFAULT 1);"
        "CREATE TABLE dev_schema.items (o int REFERENCES dev_schema.orders);"
        "CREATE VIEW dev_schema.v AS SELECT id FROM dev_schema.orders;"
    )
    args = [
        *side_args(server, "source", db, "dev_schema"),
        *side_args(server, "target", db, "prod_schema"),
    ]
    result = ddp("sync", *args, "--apply", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    script = (tmp_path / "alter.sql").read_text()
    assert "dev_schema" not in script.split("-- Prod Schema")[1]
    with server.connect(db) as conn:
        default = conn.execute(
            "SELECT pg_get_expr(adbin, adrelid, false) FROM pg_attrdef "
            "WHERE adrelid = 'prod_schema.orders'::regclass"
        ).fetchone()
        ref = conn.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint "
            "WHERE conrelid = 'prod_schema.items'::regclass"
        ).fetchone()
    assert default is not None and "prod_schema.orders_id_seq" in default[0]
    assert ref is not None and ref[0] == "prod_schema.orders"


def test_same_schema_same_database_is_in_sync(server, make_db, tmp_path) -> None:
    db = make_db("CREATE TABLE t (a int);")
    result = ddp(
        "sync",
        *side_args(server, "source", db),
        *side_args(server, "target", db),
        "--exit-code",
        cwd=tmp_path,
    )
    assert result.returncode == 0 and "in sync" in result.stdout


def test_engine_never_imports_dagster() -> None:
    code = "import ddp_engine.cli, ddp_engine.sync, sys; assert 'dagster' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_json_plan_is_stable_and_matches_the_script(server, pair, tmp_path) -> None:
    import json

    source, target = pair
    args = [*side_args(server, "source", source), *side_args(server, "target", target)]
    first = ddp("sync", *args, "--format", "json", "--dry-run", cwd=tmp_path)
    second = ddp("sync", *args, "--format", "json", "--dry-run", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    for plan in (a, b):
        plan.pop("generated_at"), plan.pop("stamp")
    assert json.dumps(a["changes"]) == json.dumps(b["changes"])
    assert [s["note"] for s in a["steps"]] == [s["note"] for s in b["steps"]]
    assert a["in_sync"] is False and a["hazards"]
    assert any(f["check"] == "not_null" for f in a["data_checks"])
    script = ddp("sync", *args, "--dry-run", cwd=tmp_path).stdout
    for step in a["steps"]:
        for statement in step["statements"]:
            if "dropped_" not in statement:  # renamed names carry the run's timestamp
                assert statement in script


def test_online_timeouts_and_no_data_checks_flags(server, pair, tmp_path) -> None:
    source, target = pair
    args = [*side_args(server, "source", source), *side_args(server, "target", target)]
    result = ddp(
        "sync",
        *args,
        "--dry-run",
        "--online",
        "--lock-timeout",
        "3s",
        "--statement-timeout",
        "5min",
        "--no-data-checks",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "SET lock_timeout = '3s';" in result.stdout
    assert "SET statement_timeout = '5min';" in result.stdout
    assert "DATA CHECK" not in result.stdout and "data check" not in result.stdout
    assert "NOT VALID" in result.stdout  # NOT NULL through a validated check, online


# --------------------------------------------------------------------------------------------
# Usage errors: exit 64 (EX_USAGE), one line; 2 stays the code of drift


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sync", "--no-such-option"], "DDP SYNC failed: No such option"),
        (["sync", "--source-sslmode", "bogus"], "DDP SYNC failed: Invalid value for"),
        (["sync", "--source-port"], "DDP SYNC failed: Option '--source-port' requires"),
        (["no-such-command"], "DDP failed: No such command"),
        (["sync", "--dry-run", "--apply"], "DDP SYNC failed: --dry-run and --apply"),
        (["sync", "--all-schemas", "--target-schema", "s"], "cannot be combined with --target"),
        (["sync", "--all-schemas", "--source-schema", "s"], "cannot be combined with --source"),
        (["sync", "--env", "/nonexistent.env"], "Error: .env file not found"),
        (["sync", "--source-sql", "a.sql", "--source-host", "h"], "cannot be combined"),
        (["sync", "--source-sql", "missing.sql", "--target-sql", "a.sql"], "does not exist"),
    ],
)
def test_usage_errors_exit_64(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE t (a int);\n")
    if args[0] == "sync":  # --exit-code given: a usage error must still not read as drift
        args = ["sync", "--exit-code", *args[1:]]
    result = ddp(*args, cwd=tmp_path)
    assert result.returncode == 64, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TARGET_DB_SSLMODE": "bogus"},
            "DDP SYNC failed: TARGET_DB_SSLMODE must be one of disable, allow, prefer, require, "
            "verify-ca, verify-full",
        ),
        ({"SOURCE_DB_PORT": "five"}, "DDP SYNC failed: SOURCE_DB_PORT must be a number"),
    ],
)
def test_bad_setting_from_the_environment_names_it(
    env: dict[str, str], message: str, server: Server, tmp_path: Path
) -> None:
    creds = {
        f"{side}_DB_{key}": value
        for side in ("SOURCE", "TARGET")
        for key, value in (("NAME", "postgres"), ("USER", server.user), ("HOST", server.host))
    }
    result = ddp("sync", "--exit-code", cwd=tmp_path, env={**creds, **env})
    assert result.returncode == 64
    assert result.stderr.strip() == message
    assert "pydantic" not in result.stderr


def test_all_schemas_with_schema_settings_from_env_and_dotenv(server, pair, tmp_path) -> None:
    """The seed's .env names TARGET_DB_SCHEMA=public; --all-schemas still works with it."""
    source, target = pair
    flags = side_args(server, "source", source)[:-2] + side_args(server, "target", target)[:-2]
    (tmp_path / ".env").write_text("SOURCE_DB_SCHEMA=public\n")
    result = ddp(
        "sync", *flags, "--all-schemas", "--dry-run", cwd=tmp_path,
        env={"TARGET_DB_SCHEMA": "public"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE" in result.stdout


# --------------------------------------------------------------------------------------------
# Passwords given as flags leave the process title


@pytest.mark.parametrize("module", ["ddp_engine", "ddp_engine.cli"])
def test_password_flags_are_hidden_from_the_process_title(module: str, tmp_path: Path) -> None:
    """While ddp waits on a server that accepts and never answers, other users' ``ps`` and
    /proc/<pid>/cmdline show no password (``ddp_engine`` is what the ``ddp`` script runs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", module, "sync",
            "--source-host", "127.0.0.1", "--source-port", str(port),
            "--source-database", "d", "--source-username", "u",
            "--source-password", "Flag-S3cret one",
            "--target-host", "127.0.0.1", "--target-port", str(port),
            "--target-database", "d", "--target-username", "u",
            "--target-password=Flag-S3cret-two",
        ],
        cwd=tmp_path,
        env={**clean, "PGCONNECT_TIMEOUT": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        listener.settimeout(20)
        held, _ = listener.accept()  # ddp is connecting: its own code has run
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()
        ps = subprocess.run(
            ["ps", "-ww", "-o", "args=", "-p", str(proc.pid)], capture_output=True, text=True
        ).stdout
    finally:
        proc.kill()
        proc.wait()
        listener.close()
    held.close()
    for seen in (cmdline, ps):
        assert "Flag-S3cret" not in seen and "one" not in seen.split()
        assert "--source-password ***" in seen and "--target-password=***" in seen
        assert "--source-database d" in seen  # the rest of the command line is kept


# --------------------------------------------------------------------------------------------
# .env: found within the project only, and only when no other user can write it

CREDENTIALS_ENV = "SOURCE_DB_NAME=postgres\nSOURCE_DB_USER={user}\nSOURCE_DB_HOST={host}\n"


def env_layout(server: Server, tmp_path: Path) -> tuple[list[str], Path]:
    """A .env above ``project/`` giving the source's credentials, and target flags."""
    (tmp_path / ".env").write_text(CREDENTIALS_ENV.format(user=server.user, host=server.host))
    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    return side_args(server, "target", "postgres"), work


def test_dotenv_found_upward_until_the_project_root(server: Server, tmp_path: Path) -> None:
    args, work = env_layout(server, tmp_path)
    found = ddp("sync", *args, "--dry-run", cwd=work, env={"HOME": "/nonexistent"})
    assert found.returncode == 0, found.stderr  # no project root: the .env above is read
    for marker in ("pyproject.toml", ".git"):
        root = tmp_path / "project" / marker
        root.mkdir() if marker == ".git" else root.write_text("")
        stopped = ddp("sync", *args, "--dry-run", cwd=work, env={"HOME": "/nonexistent"})
        assert stopped.returncode == 64, marker
        assert "Source database credentials are required" in stopped.stderr
        root.rmdir() if marker == ".git" else root.unlink()


def test_dotenv_search_stops_at_home(server: Server, tmp_path: Path) -> None:
    args, work = env_layout(server, tmp_path)
    result = ddp("sync", *args, "--dry-run", cwd=work, env={"HOME": str(tmp_path / "project")})
    assert result.returncode == 64
    assert "Source database credentials are required" in result.stderr


def test_dotenv_search_never_reads_the_filesystem_root(tmp_path: Path, monkeypatch) -> None:
    from ddp_engine.settings import find_env_file

    looked: list[str] = []
    original = Path.is_file

    def is_file(self: Path) -> bool:
        looked.append(str(self))
        return original(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    find_env_file(deep, home=Path("/nonexistent"))
    assert str(deep / ".env") in looked and str(tmp_path / ".env") in looked
    assert "/.env" not in looked


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
@pytest.mark.parametrize("how", ["found", "--env"])
def test_dotenv_writable_by_others_is_refused(
    mode: int, how: str, server: Server, tmp_path: Path
) -> None:
    args, work = env_layout(server, tmp_path)
    path = tmp_path / ".env"
    path.chmod(mode)
    extra = ["--env", str(path)] if how == "--env" else []
    result = ddp("sync", *args, *extra, "--dry-run", cwd=work, env={"HOME": "/nonexistent"})
    assert result.returncode == 64
    assert result.stderr == (
        f"DDP SYNC failed: {path} is writable by other users; make it yours alone: "
        f"chmod go-w {path}\n"
    )
    path.chmod(0o600)
    fixed = ddp("sync", *args, *extra, "--dry-run", cwd=work, env={"HOME": "/nonexistent"})
    assert fixed.returncode == 0, fixed.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_dotenv_of_another_user_is_refused(server: Server, tmp_path: Path) -> None:
    args, work = env_layout(server, tmp_path)
    path = tmp_path / ".env"
    os.chown(path, 65534, 65534)
    result = ddp("sync", *args, "--dry-run", cwd=work, env={"HOME": "/nonexistent"})
    assert result.returncode == 64
    assert result.stderr.startswith(f"DDP SYNC failed: {path} belongs to another user")
    assert "chmod 600" in result.stderr and result.stderr.count("\n") == 1


def test_ddp_alone_prints_help_and_exits_64(tmp_path: Path) -> None:
    result = ddp(cwd=tmp_path)
    assert result.returncode == 64
    assert "sync" in result.stderr and "Traceback" not in result.stderr
