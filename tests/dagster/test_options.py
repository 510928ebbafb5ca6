"""The Dagster face takes the options ``ddp sync`` takes (online, timeouts, data checks), means
the same by a dry run, and shows the same summary and JSON facts, all through the engine's one
doorway. Real databases; the CLI is run as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.definitions import SYNC_JOB, build_definitions
from ddp_dagster.pairs import PairSpec
from ddp_dagster.resources import SyncOptionsResource
from ddp_engine.errors import BadInput
from ddp_engine.present import sql_comments
from tests.dagster.conftest import metadata

INDEXED = "CREATE TABLE t (id int PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);"
PLAIN = "CREATE TABLE t (id int PRIMARY KEY, email text);"
NARROWER = "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,2));"
WIDER = (
    "CREATE TABLE t (id int PRIMARY KEY, price numeric(10,4));"
    "INSERT INTO t VALUES (1, 1.2345), (2, 2.5);"
)


def script(result: dg.ExecuteInProcessResult) -> str:
    """The script alter_sql wrote."""
    return Path(result.output_for_node("alter_sql").script_path).read_text()


def test_online_and_the_script_timeouts_reach_the_script_and_the_apply(make_pair, materialize):
    pair = make_pair(INDEXED, PLAIN)
    plain = script(materialize(pair))
    assert "CONCURRENTLY" not in plain
    assert "SET lock_timeout = '10s';" in plain  # ddp sync's defaults

    options = SyncOptionsResource(online=True, lock_timeout="1234ms", statement_timeout="5min")
    online = script(materialize(pair, options=options))
    assert 'CREATE INDEX CONCURRENTLY "t_email"' in online
    assert "SET lock_timeout = '1234ms';" in online
    assert "SET statement_timeout = '5min';" in online

    applied = materialize(pair, dry_run=False, options=options)
    assert applied.output_for_node("applied_plan").in_sync_after is True
    with pair.server.connect(pair.target) as conn:
        [(valid,)] = conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.t_email'::regclass"
        ).fetchall()
    assert valid  # built concurrently, after the transaction, and valid


def test_the_configured_output_folder_is_made(make_pair, default_assets, tmp_path):
    """Dagster's output_path is set once in configuration: its folder is created (the CLI's
    --output is not: a missing folder there is more likely a typo, tests/test_hostile.py)."""
    from ddp_dagster.assets import AlterSqlConfig

    pair = make_pair(INDEXED, PLAIN)
    a = default_assets
    target = tmp_path / "scripts" / "pair.sql"
    result = dg.materialize(
        [*a.assets],
        resources=pair.resources(a.pair, tmp_path / "storage"),
        run_config=dg.RunConfig(ops={a.alter_sql.op.name: AlterSqlConfig(output_path=str(target))}),
    )
    assert target.read_text() == script(result)


def test_data_checks_off_counts_nothing_and_still_needs_consent(make_pair, materialize):
    pair = make_pair(NARROWER, WIDER)
    counted = metadata(materialize(pair), "alter_sql")["data_checks"]
    assert [c["count"] for c in counted] == [1]  # 1.2345 would become 1.23

    off = materialize(pair, options=SyncOptionsResource(data_checks=False))
    findings = metadata(off, "alter_sql")["data_checks"]
    assert [c["count"] for c in findings] == [None]
    assert "data checks are off" in findings[0]["message"]
    assert metadata(off, "alter_sql")["blocking_hazards"] == ["values_change"]


def test_options_come_from_the_environment(make_pair, tmp_path, monkeypatch):
    """``DDP_*`` variables reach the assets as ``ddp sync``'s flags reach the CLI: the texts
    bound as ``dg.EnvVar`` (read when the run starts), the yes/no ones at load."""
    pair = make_pair(INDEXED, PLAIN)
    spec = PairSpec()
    for name, value in pair.env(spec).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_ONLINE", "true")
    monkeypatch.setenv("DDP_LOCK_TIMEOUT", "2500ms")
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.setenv("OUTPUT_FILE", str(tmp_path / "alter.sql"))
    defs = build_definitions(pairs=[spec])
    assert defs.resolve_job_def(SYNC_JOB).execute_in_process().success
    written = (tmp_path / "alter.sql").read_text()
    assert "CREATE INDEX CONCURRENTLY" in written and "SET lock_timeout = '2500ms';" in written


def test_options_resource_binds_texts_and_reads_yes_no_at_load():
    environ = {"DDP_ONLINE": "yes", "DDP_READ_TIMEOUT": "9s", "DDP_DATA_CHECKS": "off"}
    resource = SyncOptionsResource.from_env("DDP_", environ)
    assert resource.online is True and resource.data_checks is False
    assert resource.read_timeout == dg.EnvVar("DDP_READ_TIMEOUT")
    assert resource.lock_timeout == "10s" and resource.data_check_budget == 30.0  # unset
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="DDP_ONLINE must be true or false"):
        SyncOptionsResource.from_env("DDP_", {"DDP_ONLINE": "maybe"})
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="X_DATA_CHECK_BUDGET must be"):
        SyncOptionsResource.from_env("X_", {"X_DATA_CHECK_BUDGET": "-3"})


def without_timestamp(text: str) -> str:
    return re.sub(r"Generated: \S+", "Generated: -", text)


def test_both_faces_show_the_same_summary_json_and_script(make_pair, materialize, tmp_path):
    """A dry run on each face: the same script written, the same summary, the same JSON
    facts; nothing applied on either."""
    pair = make_pair(NARROWER, WIDER)
    dagster_run = materialize(pair)
    facts = metadata(dagster_run, "alter_sql")
    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()

    text = pair.ddp_sync("--dry-run", cwd=cli_dir)
    assert text.returncode == 0, text.stderr
    # the dry run's stdout is what psql runs: the summary as -- comments, then the script
    assert text.stdout.startswith(sql_comments(facts["summary"]) + "\n\n")
    assert "BLOCKING: --apply needs --allow-hazards values_change" in facts["summary"]
    assert without_timestamp((cli_dir / "alter.sql").read_text()) == without_timestamp(
        script(dagster_run)
    )

    as_json = pair.ddp_sync("--dry-run", "--format", "json", cwd=cli_dir)
    data = json.loads(as_json.stdout)
    for key in ("in_sync", "hazards", "blocking_hazards"):
        assert data[key] == facts[key], key
    assert data["blocking_hazards"] == ["values_change"]

    with pair.server.connect(pair.target) as conn:  # neither dry run applied anything
        assert conn.execute("SELECT price::text FROM t ORDER BY id").fetchall() == [
            ("1.2345",),
            ("2.5000",),
        ]


def test_a_pair_reads_its_own_options_variables(tmp_path, monkeypatch):
    from ddp_dagster.pair_context import pair_resources
    from ddp_dagster.pairs import load_pairs_file

    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        "include_default: false\n"
        "pairs:\n"
        "  billing: {source_env: B_S_, target_env: B_T_, options_env: BILLING_DDP_}\n"
    )
    [spec] = load_pairs_file(pairs)
    monkeypatch.setenv("BILLING_DDP_ONLINE", "true")
    monkeypatch.setenv("BILLING_DDP_LOCK_TIMEOUT", "3s")
    monkeypatch.setenv("DDP_ONLINE", "false")  # another pair's (the default prefix)
    options = pair_resources(spec)["billing_ddp_options"]
    assert isinstance(options, SyncOptionsResource)
    assert options.online is True
    assert options.lock_timeout == dg.EnvVar("BILLING_DDP_LOCK_TIMEOUT")


def test_options_resource_takes_conversions_as_ddp_sync_does():
    given = 'public.ev."we""ird\nat"=to_timestamp("we""ird\nat")'
    options = SyncOptionsResource(using=[given]).sync_options(all_schemas=False, privileges=True)
    ((schema, table, column, expression),) = options.using
    assert (schema, table, column) == ("public", "ev", 'we"ird\nat')
    assert expression == 'to_timestamp("we""ird\nat")'
    with pytest.raises(BadInput, match="not one expression"):
        SyncOptionsResource(using=["s.t.c=1); SELECT (1"]).sync_options(
            all_schemas=False, privileges=True
        )
