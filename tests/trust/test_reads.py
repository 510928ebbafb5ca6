"""Reads only read and never hang; drift sees broken objects (issue 13, sections 4 and 5).

Canaries are planted in ``public`` of every database while the schema compared is ``shop``:
whatever ddp runs there with an empty search_path must never reach them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from ddp_engine.shadow import SHADOW_URL_ENV
from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server, apply_script
from tests.trust.conftest import Canary, lit

SHOP = "CREATE SCHEMA shop; CREATE TABLE shop.t (id int, code text);"


def run_script(server: Server, database: str, script: str, tmp_path: Path) -> None:
    """As a person runs a script with an online part: psql -f, each statement on its own."""
    path = tmp_path / "online.sql"
    path.write_text(script)
    subprocess.run(
        [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host,
            "-p", str(server.port), "-U", server.user, "-d", database, "-f", str(path),
        ],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def broken_unique_index(server: Server, database: str) -> None:
    """``CREATE UNIQUE INDEX CONCURRENTLY`` over duplicates fails and leaves an INVALID index;
    then the duplicates go, so that a rebuild can succeed."""
    with server.connect(database) as conn:
        conn.execute("INSERT INTO shop.t VALUES (1, 'a'), (1, 'b'), (2, 'c')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY t_id_key ON shop.t (id)")
        conn.execute("DELETE FROM shop.t WHERE code = 'b'")


def index_state(server: Server, database: str) -> tuple[bool, bool] | None:
    with server.connect(database) as conn:
        row = conn.execute(
            "SELECT x.indisvalid, x.indisready FROM pg_catalog.pg_index x "
            "WHERE x.indexrelid = pg_catalog.to_regclass('shop.t_id_key')"
        ).fetchone()
    return None if row is None else (row[0], row[1])


@pytest.mark.parametrize("online", [False, True])
def test_invalid_index_is_drift_and_is_rebuilt(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    tmp_path: Path,
    online: bool,
) -> None:
    source = make_db(SHOP + "CREATE UNIQUE INDEX t_id_key ON shop.t (id);")
    target = make_db(SHOP)
    canary = planted(source, "public")
    planted(target, "public")
    broken_unique_index(server, target)
    assert index_state(server, target) in ((False, True), (False, False))
    options = SyncOptions(online=online)
    sides = (server.settings(source, "shop"), server.settings(target, "shop"))

    first = compare(*sides, options)
    changes = [(c.action, c.kind, c.label, c.fields) for c in first.plan.changes]
    assert changes == [("alter", "index", "shop.t_id_key", ("valid",))]
    concurrent = [s for s in first.plan.steps if s.online]
    assert bool(concurrent) == online
    if online:
        assert concurrent[0].statements[:2] == (
            'DROP INDEX CONCURRENTLY "shop"."t_id_key"',
            'CREATE UNIQUE INDEX CONCURRENTLY "t_id_key" ON "shop"."t" USING btree (id)',
        )
        run_script(server, target, first.script, tmp_path)
    else:
        apply_script(server, target, first.script, tmp_path)
    assert index_state(server, target) == (True, True)
    assert compare(*sides, options).plan.is_empty
    canary.assert_silent()


def test_index_not_ready_is_drift(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    """An index whose concurrent build stopped before it was ready (indisready false)."""
    source = make_db(SHOP + "CREATE INDEX t_code ON shop.t (code);")
    target = make_db(SHOP + "CREATE INDEX t_code ON shop.t (code);")
    canary = planted(target, "public")
    with server.connect(target) as conn:  # the state a build cancelled in its first phase leaves
        conn.execute(
            "UPDATE pg_catalog.pg_index SET indisready = false, indisvalid = false "
            "WHERE indexrelid = 'shop.t_code'::pg_catalog.regclass"
        )
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    assert [(c.action, c.label, c.fields) for c in result.plan.changes] == [
        ("alter", "shop.t_code", ("valid",))
    ]
    # and the other way round: a broken index in the source is not copied as broken
    assert compare(server.settings(target, "shop"), server.settings(source, "shop")).plan.is_empty
    canary.assert_silent()


# --------------------------------------------------------------------------------------------
# Reads only read: a read-only login runs a dry run and a drift check; the target sees no write

CHECKED = (
    "CREATE SCHEMA shop;"
    "CREATE TABLE shop.t (id int PRIMARY KEY, status text CHECK (status::varchar(2) IN ('DF', 'PB')));"
)


def ddp(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    clean.pop(SHADOW_URL_ENV, None)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine.cli", *args],
        cwd=cwd, env=clean, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def side(server: Server, name: str, database: str, user: str | None = None) -> list[str]:
    return [
        f"--{name}-host", server.host, f"--{name}-port", str(server.port),
        f"--{name}-database", database, f"--{name}-username", user or server.user,
        f"--{name}-schema", "shop",
    ]  # fmt: skip


def reprint_check(server: Server, database: str) -> None:
    """Leave the target's CHECK as a sync leaves it: its printed text, parsed again (which
    prints differently: pg_get_constraintdef is no fixed point on varchar IN lists)."""
    with server.connect(database) as conn:
        [(text,)] = conn.execute(
            "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
            "WHERE conname = 't_status_check'"
        ).fetchall()
        conn.execute(
            f"ALTER TABLE shop.t DROP CONSTRAINT t_status_check, "
            f"ADD CONSTRAINT t_status_check {text}".encode()
        )


def watch_ddl(server: Server, database: str, canary: Canary) -> None:
    """An event trigger that writes every DDL command run in ``database`` (by anyone, in any
    transaction, rolled back or not) to the canary's file."""
    with server.connect(database) as conn:
        conn.execute(
            f"""CREATE FUNCTION public.ddp_ddl_seen() RETURNS event_trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $f$
            BEGIN
              EXECUTE pg_catalog.format('COPY (SELECT %L) TO PROGRAM %L', 'ddl ' || tg_tag,
                'cat >> ' || pg_catalog.quote_literal({lit(str(canary.record))}));
            END $f$""".encode()
        )
        conn.execute(
            "CREATE EVENT TRIGGER ddp_ddl_seen ON ddl_command_start "
            "EXECUTE FUNCTION public.ddp_ddl_seen()"
        )


def write_counters(server: Server, database: str) -> tuple[int, int]:
    """Rows inserted, updated or deleted in the database's tables, user and catalog alike
    (a temporary table or view inserts catalog rows even when rolled back); shared catalogs
    (roles, databases) are left out: other tests on the server write to them. The statistics
    an autoanalyze of the server's own writes into ``pg_statistic`` are left out where an
    autoanalyze ran in the database (it runs whenever it likes; ddp never analyzes)."""
    with server.connect(database) as conn:
        conn.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT pg_catalog.sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del) FILTER (WHERE"
            " c.relname <> 'pg_statistic' OR s.schemaname <> 'pg_catalog')::int8,"
            " pg_catalog.count(*), pg_catalog.sum(s.autoanalyze_count)::int8,"
            " pg_catalog.sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del) FILTER (WHERE"
            " c.relname = 'pg_statistic' AND s.schemaname = 'pg_catalog')::int8"
            " FROM pg_catalog.pg_stat_all_tables s"
            " JOIN pg_catalog.pg_class c ON c.oid = s.relid WHERE NOT c.relisshared"
        ).fetchone()
    assert row is not None
    written, tables, autoanalyzed, statistics = (int(v or 0) for v in row)
    return written + (0 if autoanalyzed else statistics), tables


@pytest.fixture
def read_only_login(server: Server) -> Iterator[Callable[[str], str]]:
    """``grant(db)``: a login that may only read (default_transaction_read_only, USAGE on
    shop, SELECT on its tables) is let into ``db``; returns its name. Dropped afterwards."""
    role = f"ddp_ro_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN'.encode())
        conn.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on'.encode())
    granted: list[str] = []

    def grant(database: str) -> str:
        with server.connect(database) as conn:
            conn.execute(f'GRANT USAGE ON SCHEMA shop TO "{role}"'.encode())
            conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA shop TO "{role}"'.encode())
        granted.append(database)
        return role

    yield grant
    for database in granted:
        with server.connect(database) as conn:
            conn.execute(f'DROP OWNED BY "{role}"'.encode())
    with server.connect() as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"'.encode())


def test_read_only_login_runs_dry_run_and_drift_check_and_nothing_is_written(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    read_only_login: Callable[[str], str],
    tmp_path: Path,
) -> None:
    """The target's CHECK prints differently from the source's (settled on a shadow server),
    and a NOT NULL column is missing (a data check counts the target's rows): a drift check
    by a read-only login succeeds, and neither it nor a superuser's writes on the target."""
    source = make_db(CHECKED + "ALTER TABLE shop.t ADD COLUMN note text NOT NULL;")
    target = make_db(CHECKED + "INSERT INTO shop.t VALUES (1, 'DF');")
    reprint_check(server, target)
    canary = planted(target, "public")
    planted(source, "public")
    role = read_only_login(source)
    read_only_login(target)
    watch_ddl(server, target, canary)
    before = write_counters(server, target)
    for who in (role, None):  # the read-only login, then a superuser
        drift = ddp(
            "sync", "--dry-run", "--exit-code", "--format", "json",
            *side(server, "source", source, who), *side(server, "target", target, who),
            cwd=tmp_path,
        )  # fmt: skip
        assert drift.returncode == 2, drift.stderr
        plan = json.loads(drift.stdout)
        # the CHECK differs only by how it prints: settled on a shadow, so not drift
        assert [(c["action"], c["kind"], c["key"][3]) for c in plan["changes"]] == [
            ("create", "column", "note")
        ]
        assert [f["count"] for f in plan["data_checks"]] == [1]  # counted, read-only
        assert not [h for h in plan["hazards"] if h["code"] == "text_not_settled"]
    canary.assert_silent()  # no DDL ran on the target, not even rolled back
    assert write_counters(server, target) == before


# --------------------------------------------------------------------------------------------
# Reads never hang: a held lock ends the read with one line naming the table and the holder

LOCKED = (
    "CREATE SCHEMA shop;"
    "CREATE TABLE shop.t (id int PRIMARY KEY, code text DEFAULT 'x' CHECK (code <> ''));"
    "CREATE INDEX t_code ON shop.t (code);"
)


@pytest.fixture
def held_lock(server: Server, make_db: Callable[[str], str]) -> Iterator[tuple[str, int]]:
    """A database whose ``shop.t`` another session holds in ACCESS EXCLUSIVE mode; yields the
    database and the holder's pid."""
    database = make_db(LOCKED)
    holder = psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=database,
        application_name="migration",
    )  # fmt: skip
    try:
        holder.execute("LOCK TABLE shop.t IN ACCESS EXCLUSIVE MODE")
        yield database, holder.info.backend_pid
    finally:
        holder.rollback()
        holder.close()


def test_blocked_dry_run_ends_with_one_line_naming_table_and_holder(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    held_lock: tuple[str, int],
    tmp_path: Path,
) -> None:
    target, pid = held_lock
    source = make_db(LOCKED)
    canary = planted(source, "public")
    started = time.monotonic()
    result = ddp(
        "sync", "--dry-run", "--lock-timeout", "1s",
        *side(server, "source", source), *side(server, "target", target),
        cwd=tmp_path,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert result.returncode not in (0, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("DDP SYNC failed: ")
    assert "shop.t" in lines[0]
    assert f"pid {pid}" in lines[0]
    assert "migration" in lines[0]
    canary.assert_silent()


def test_blocked_snapshot_asset_fails_naming_table_and_holder(
    server: Server, held_lock: tuple[str, int], tmp_path: Path
) -> None:
    import dagster as dg

    from ddp_dagster.assets import IO_MANAGER_KEY, build_pair_assets
    from ddp_dagster.io_manager import JsonIOManager
    from ddp_dagster.pairs import PairSpec
    from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource

    target, pid = held_lock
    assets = build_pair_assets(PairSpec())
    resource = PostgresSchemaResource(
        host=server.host,
        port=server.port,
        database=target,
        username=server.user,
        schema_name="shop",
    )
    started = time.monotonic()
    result = dg.materialize(
        [assets.target_schema],
        resources={
            assets.pair.target_resource_key: resource,
            assets.pair.options_resource_key: SyncOptionsResource(lock_timeout="1s"),
            IO_MANAGER_KEY: JsonIOManager(base_dir=str(tmp_path)),
        },
        raise_on_error=False,
    )
    assert time.monotonic() - started < 60
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    message = str(failure.step_failure_data.user_failure_data.description)
    assert message.startswith("DDP failed: ")
    assert "shop.t" in message
    assert f"pid {pid}" in message


# --------------------------------------------------------------------------------------------
# Where texts are settled: a given shadow server, or nowhere (then said so)


@pytest.mark.parametrize("all_schemas", [False, True])
def test_texts_settle_on_the_given_shadow_server_and_its_database_goes(
    server: Server, make_db: Callable[[str], str], canary: Canary, all_schemas: bool
) -> None:
    source = make_db(CHECKED)
    target = make_db(CHECKED)
    reprint_check(server, target)
    if not all_schemas:  # (with every schema compared, shadows in public would be drift)
        canary.plant(target, "public")
    url = f"postgresql://{server.user}@{server.host}:{server.port}/postgres"
    options = SyncOptions(shadow_url=url, all_schemas=all_schemas)
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"), options)
    assert result.plan.is_empty, result.script
    with server.connect() as conn:
        left = conn.execute(
            "SELECT pg_catalog.count(*) FROM pg_catalog.pg_database "
            "WHERE datname LIKE 'ddp\\_shadow\\_%'"
        ).fetchone()
    assert left == (0,)
    canary.assert_silent()


def test_texts_no_shadow_can_settle_are_reported_not_settled(
    server: Server,
    make_db: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ddp_engine.shadow as shadow

    source = make_db(CHECKED)
    target = make_db(CHECKED)
    reprint_check(server, target)
    with server.connect(target) as conn:
        major = conn.info.server_version // 10000
    if major == 18:
        pytest.skip("the embedded PostgreSQL 18 is always at hand as a shadow")
    monkeypatch.setattr(shadow, "SYSTEM_BIN_DIRS", ("/nonexistent/{major}/bin",))
    monkeypatch.delenv(shadow.BIN_DIRS_ENV, raising=False)
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    [step] = [s for s in result.plan.steps if s.key[3] == "t_status_check"][:1]
    assert [h for h in step.hazards if h.code == "text_not_settled"]
    assert len([h for _, h in result.plan.hazards() if h.code == "text_not_settled"]) == 1


def test_read_timeout_governs_the_reads(
    server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    """--read-timeout reaches ddp's sessions: a read that runs longer ends in one line."""
    database = make_db(LOCKED)
    result = ddp(
        "sync", "--dry-run", "--read-timeout", "1ms",
        *side(server, "source", database), *side(server, "target", database),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode not in (0, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("DDP SYNC failed: ")
    assert "--read-timeout 1ms" in lines[0]


def test_only_what_the_differing_texts_need_is_loaded_on_the_shadow(
    server: Server, make_db: Callable[[str], str]
) -> None:
    from ddp_engine.crossversion import needed_objects
    from ddp_engine.introspect import introspect

    database = make_db(
        "CREATE SCHEMA shop;"
        "CREATE TABLE shop.b (id int PRIMARY KEY);"
        "CREATE TABLE shop.a (id int PRIMARY KEY, b int REFERENCES shop.b, n int CHECK (n > 0));"
        "CREATE TABLE shop.c (id int PRIMARY KEY, s varchar(2) CHECK (s IN ('x', 'y')));"
        "CREATE INDEX a_n ON shop.a (n);"
        "CREATE VIEW shop.v AS SELECT id, n FROM shop.a;"
        "CREATE VIEW shop.w AS SELECT v.id FROM shop.v;"
    )
    source, _ = introspect(server.settings(database, "shop"), "source")
    subset = needed_objects(source, [("view", "shop", "w", "")])
    assert sorted(t.name for t in subset.tables) == ["a"]
    assert sorted(v.name for v in subset.views) == ["v", "w"]
    assert sorted(c.constraint_type for c in subset.constraints) == ["c", "p"]
    assert subset.indexes == ()
    subset = needed_objects(source, [("constraint", "shop", "c", "c_s_check")])
    assert [t.name for t in subset.tables] == ["c"]
    assert subset.views == ()


def test_dagster_drift_assets_only_read_for_a_read_only_login(
    server: Server,
    make_db: Callable[[str], str],
    canary: Canary,
    read_only_login: Callable[[str], str],
    tmp_path: Path,
) -> None:
    """The snapshot and diff assets and the drift check, as a read-only login: the CHECK that
    only prints differently is settled on a shadow, the check passes, nothing is written."""
    import dagster as dg

    from ddp_dagster.assets import IO_MANAGER_KEY, build_pair_assets
    from ddp_dagster.io_manager import JsonIOManager
    from ddp_dagster.pairs import PairSpec
    from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource

    source = make_db(CHECKED)
    target = make_db(CHECKED)
    reprint_check(server, target)
    canary.plant(target, "public")
    role = read_only_login(source)
    read_only_login(target)
    watch_ddl(server, target, canary)
    before = write_counters(server, target)
    assets = build_pair_assets(PairSpec())

    def resource(database: str) -> PostgresSchemaResource:
        return PostgresSchemaResource(
            host=server.host, port=server.port, database=database, username=role,
            schema_name="shop",
        )  # fmt: skip

    result = dg.materialize(
        [*assets.assets, assets.target_in_sync],
        selection=assets.drift_keys,
        resources={
            assets.pair.source_resource_key: resource(source),
            assets.pair.target_resource_key: resource(target),
            assets.pair.options_resource_key: SyncOptionsResource(),
            IO_MANAGER_KEY: JsonIOManager(base_dir=str(tmp_path)),
        },
    )
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.passed
    canary.assert_silent()
    assert write_counters(server, target) == before


def test_apply_blocked_before_it_starts_names_table_and_holder(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """A lock taken between the plan and the apply: the apply's re-read of the target gives
    up with the same one line, and nothing is applied."""
    from ddp_engine.errors import DdpError
    from ddp_engine.sync import apply_and_verify

    source = make_db(LOCKED + "ALTER TABLE shop.t ADD COLUMN extra int;")
    target = make_db(LOCKED)
    sides = (server.settings(source, "shop"), server.settings(target, "shop"))
    options = SyncOptions(lock_timeout="1s")
    result = compare(*sides, options)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=target
    ) as holder:
        holder.execute("LOCK TABLE shop.t IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(DdpError) as failed:
            apply_and_verify(result.plan, *sides, options)
        pid = holder.info.backend_pid
        holder.rollback()
    assert "shop.t" in failed.value.message
    assert f"pid {pid}" in failed.value.message
    assert not compare(*sides, options).plan.is_empty  # nothing was applied
