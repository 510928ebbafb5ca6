"""The ``ddp sync`` command as a user runs it: options, env, .env, messages, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Server


def ddp(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    clean.pop("OUTPUT_FILE", None)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def side_args(server: Server, side: str, database: str, schema: str = "public") -> list[str]:
    return [
        f"--{side}-host",
        server.host,
        f"--{side}-port",
        str(server.port),
        f"--{side}-database",
        database,
        f"--{side}-username",
        server.user,
        f"--{side}-schema",
        schema,
    ]


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


def test_dry_run_prints_and_writes_nothing(server, pair, tmp_path) -> None:
    source, target = pair
    result = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--dry-run",
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert "CREATE TABLE" in result.stdout
    assert not (tmp_path / "alter.sql").exists()


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
    result = ddp("sync", *args, cwd=tmp_path)
    assert result.returncode == 1
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
