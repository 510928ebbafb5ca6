"""The instance of dagster.yaml: runs and events land in PostgreSQL, in Dagster's own database,
and the password is nowhere in what Dagster stores or prints."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from ddp_dagster.definitions import DRIFT_JOB, SYNC_JOB, build_definitions
from ddp_dagster.instance import dagster_pg_url
from ddp_dagster.pairs import PairSpec
from tests.conftest import Server

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pw-3c1f9-unique-Do-Not-Leak"


def dagster_env(server: Server, dagster_db: str) -> dict[str, str]:
    return {
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_DB": dagster_db,
        "DAGSTER_PG_USERNAME": server.user,
    }


def home_with_dagster_yaml(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def rows_containing(server: Server, database: str, text: str) -> dict[str, int]:
    """Rows of every table of Dagster's database whose text form contains ``text``."""
    found: dict[str, int] = {}
    with server.connect(database) as conn:
        tables = conn.execute(
            "SELECT quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            query = f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s"  # noqa: S608
            (n,) = conn.execute(query, (f"%{text}%",)).fetchone()
            if n:
                found[table] = n
    return found


def files_containing(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def table_count(server: Server, database: str, sql: str, *params: object) -> int:
    with server.connect(database) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_url_from_env():
    assert dagster_pg_url({}) == "postgresql+psycopg2://postgres@localhost:5432/dagster"
    parts = {"DAGSTER_PG_USERNAME": "d", "DAGSTER_PG_PASSWORD": "p@ss", "DAGSTER_PG_DB": "x"}
    assert dagster_pg_url(parts) == "postgresql+psycopg2://d:p%40ss@localhost:5432/x"
    url = {"DAGSTER_PG_URL": "postgresql://u@h/db", "DAGSTER_PG_DB": "ignored"}
    assert dagster_pg_url(url) == "postgresql+psycopg2://u@h/db"


def test_run_lands_in_postgres_without_the_password(
    server, make_pair, dagster_db, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    pair = make_pair()
    env = dagster_env(server, dagster_db) | pair.env(PairSpec(), password=SECRET)
    env["OUTPUT_FILE"] = str(tmp_path / "alter.sql")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    home = home_with_dagster_yaml(tmp_path)
    defs = build_definitions()  # binds the env vars set above, by name

    instance = dg.DagsterInstance.from_config(str(home))
    try:
        assert type(instance.run_storage).__module__.startswith("dagster_postgres")
        result = defs.resolve_job_def(SYNC_JOB).execute_in_process(instance=instance)
        assert result.success
        [check] = result.get_asset_check_evaluations()
        assert check.passed is False  # the pair drifts

        run = instance.get_run_by_id(result.run_id)
        assert SECRET not in repr(run.run_config)
        assert run.run_config.get("resources", {}) == {}
        records = instance.get_records_for_run(result.run_id).records
        assert records and all(SECRET not in repr(r.event_log_entry) for r in records)
        key = dg.AssetCheckKey(dg.AssetKey("schema_diff"), "target_in_sync")
        assert instance.get_latest_asset_check_evaluation_record(key) is not None
    finally:
        instance.dispose()

    assert table_count(
        server, dagster_db, "SELECT count(*) FROM runs WHERE run_id = %s", run.run_id
    )
    assert table_count(
        server, dagster_db, "SELECT count(*) FROM event_logs WHERE run_id = %s", run.run_id
    ) == len(records)
    assert table_count(server, dagster_db, "SELECT count(*) FROM asset_keys") >= 4
    assert rows_containing(server, dagster_db, SECRET) == {}
    assert files_containing(home, SECRET) == []
    assert (home / "storage" / "schema_diff.json").is_file()
    # Dagster's tables are in a database of their own, never in the synced ones.
    assert (
        table_count(
            server,
            pair.target,
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('runs', 'event_logs')",
        )
        == 0
    )


def test_cli_job_execute_under_dagster_yaml(server, make_pair, dagster_db, tmp_path):
    """A newcomer's run: SOURCE_DB_*/TARGET_DB_* set, DAGSTER_HOME holding dagster.yaml."""
    pair = make_pair()
    home = home_with_dagster_yaml(tmp_path)
    run_config = tmp_path / "run.yaml"
    run_config.write_text("execution:\n  config:\n    in_process: {}\n")
    bin_dir = Path(sys.executable).parent
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "DAGSTER_HOME": str(home),
        **dagster_env(server, dagster_db),
        **pair.env(PairSpec(), password=SECRET),
    }
    done = subprocess.run(
        [str(bin_dir / "dagster"), "job", "execute", "-m", "ddp_dagster.definitions"]
        + ["-j", DRIFT_JOB, "-c", str(run_config)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "RUN_SUCCESS" in output and SECRET not in output
    assert table_count(server, dagster_db, "SELECT count(*) FROM runs WHERE status = 'SUCCESS'")
    evaluations = table_count(
        server,
        dagster_db,
        "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_CHECK_EVALUATION'",
    )
    assert evaluations == 1
    assert rows_containing(server, dagster_db, SECRET) == {}
    assert files_containing(home, SECRET) == []


def test_storage_database_is_created_once(server, dagster_db):
    from ddp_dagster.instance import ensure_database

    url = dagster_pg_url(dagster_env(server, dagster_db))
    ensure_database(url)
    ensure_database(url)  # already there: no error
    with psycopg.connect(host=server.host, port=server.port, user=server.user, dbname=dagster_db):
        pass
