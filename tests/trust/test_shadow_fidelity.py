"""SQL files load on a server of the target's major version, or the plan says it could not.

A schema file may use what only a newer server knows (PostgreSQL 18's virtual generated
columns: ``GENERATED ALWAYS AS (...)`` without ``STORED``). Loaded on 18 it plans fine and the
script fails on a 15 target; loaded on the target's major version it is refused at once, with
the file, the line and the server. Where no such server is at hand the plan carries the blocking
hazard ``shadow_version_differs``. A ``--shadow-url`` server gets databases of unique names that
are gone afterwards, after an error or SIGTERM too. Canaries are planted in ``public`` of every
live database; the schema compared is ``shop``, its table named with a quote and a newline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import ddp_engine.shadow as shadow
from ddp_engine.connect import SessionLimits
from ddp_engine.diff import diff
from ddp_engine.errors import BadInput, PlanRefused, SourceSqlFailed
from ddp_engine.extversions import reachable_versions
from ddp_engine.model import Extension, Snapshot
from ddp_engine.present import summary
from ddp_engine.sources import shadow_sources
from ddp_engine.sync import SyncOptions, apply_and_verify, compare
from ddp_engine.verify import compared_fingerprint
from tests import versions
from tests.conftest import Server
from tests.helpers import ddp, side_args
from tests.trust.conftest import Canary

#: The target: prices kept to four places, which a careless retype to numeric(10,2) rounds.
TARGET = (
    'CREATE SCHEMA shop; CREATE TABLE shop."we""ird\nname" (id int, price numeric(10,4));'
    """INSERT INTO shop."we""ird\nname" VALUES (1, 1.2345), (2, 2.5);"""
)
#: The source as files: a new column, and a virtual generated column only PostgreSQL 18 takes.
VIRTUAL = (
    "CREATE SCHEMA shop;\n"
    'CREATE TABLE shop."we""ird\nname" (id int, price numeric(10,4), qty int,\n'
    "  total numeric GENERATED ALWAYS AS (price * qty));\n"
)
STORED = VIRTUAL.replace("(price * qty));", "(price * qty) STORED);")

#: The databases SQL files are loaded into on a --shadow-url server.
SHADOW_DBS = (
    "SELECT datname FROM pg_catalog.pg_database "
    "WHERE datname ~ '^ddp_shadow_(source|target)_[0-9a-f]{12}$' ORDER BY 1"
)


def _major(server: Server) -> int:
    with server.connect() as conn:
        return conn.info.server_version // 10000


def _matrix_16() -> tuple[Server, Path]:
    """A PostgreSQL 16 server and its binaries (fetched as data, see tests/versions.py)."""
    found, folder = versions.server_of(16), versions.bin_dir(16)
    assert found is not None and folder is not None, versions.FAILED.get(16)
    return found, folder


def _columns(server: Server, database: str) -> list[tuple[str, str]]:
    with server.connect(database) as conn:
        return conn.execute(
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
            "FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
            """'shop."we""ird\nname"'::pg_catalog.regclass AND a.attnum > 0 """
            "AND NOT a.attisdropped ORDER BY a.attnum"
        ).fetchall()


def _shadow_databases(server: Server) -> set[str]:
    with server.connect() as conn:
        return {name for (name,) in conn.execute(SHADOW_DBS)}


def _env(**extra: str) -> dict[str, str]:
    return {shadow.BIN_DIRS_ENV: "", shadow.SHADOW_URL_ENV: "", **extra}


def test_files_load_on_the_targets_major_and_what_it_lacks_is_refused(
    canary: Canary, tmp_path: Path
) -> None:
    target_server, bin_dir = _matrix_16()
    database = f"ddp_test_{uuid.uuid4().hex[:12]}"
    with target_server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        with target_server.connect(database) as conn:
            conn.execute(TARGET.encode())
        Canary(target_server, canary.record).plant(database)
        (tmp_path / "schema.sql").write_text(VIRTUAL)
        flags = [
            "sync", "--source-sql", "schema.sql", "--source-schema", "shop",
            *side_args(target_server, "target", database, "shop"), "--dry-run",
        ]  # fmt: skip
        env = _env(DDP_SHADOW_BIN_DIRS=str(bin_dir))
        refused = ddp(*flags, cwd=tmp_path, env=env)
        assert refused.returncode == 1, refused.stderr
        [line] = refused.stderr.strip().splitlines()
        assert line.startswith("DDP SYNC failed: schema.sql line 4: ")
        assert line.endswith(f"(loaded on PostgreSQL 16, {bin_dir})")

        (tmp_path / "schema.sql").write_text(STORED)
        planned = ddp(*flags, cwd=tmp_path, env=env)
        assert planned.returncode == 0, planned.stderr
        assert f"NOTE: the source's SQL files were loaded on PostgreSQL 16 ({bin_dir})" in (
            planned.stdout
        )
        assert "shadow_version_differs" not in planned.stdout
        assert 'ADD COLUMN "qty" integer' in planned.stdout
        assert _columns(target_server, database) == [
            ("id", "integer"),
            ("price", "numeric(10,4)"),
        ]
        canary.assert_silent()
    finally:
        with target_server.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_without_a_server_of_the_targets_major_the_apply_needs_consent(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The local cluster (15) as the target, its binaries hidden: the files load on the
    embedded 18, and the plan says so with a blocking hazard."""
    major = _major(server)
    assert major != 18, "this test needs a target whose major version is not the embedded one"
    monkeypatch.setattr(shadow, "SYSTEM_BIN_DIRS", ("/nonexistent/{major}/bin",))
    monkeypatch.delenv(shadow.BIN_DIRS_ENV, raising=False)
    target = make_db(TARGET)
    canary = planted(target)
    (tmp_path / "schema.sql").write_text(STORED)
    settings = server.settings(target, "shop")
    with shadow_sources(
        tmp_path / "schema.sql", source_schema="shop", live_target=settings
    ) as sides:
        assert sides.loaded is not None and sides.loaded.major == 18
        assert sides.source is not None
        options = SyncOptions(loaded_on=sides.loaded)
        plan = compare(sides.source, settings, options).plan
        assert [h.code for h in plan.plan_hazards] == ["shadow_version_differs"]
        assert plan.refused() == ["shadow_version_differs"]
        assert f"the target runs {major}" in plan.plan_hazards[0].message
        assert "BLOCKING: --apply needs --allow-hazards shadow_version_differs" in summary(plan)
        with pytest.raises(PlanRefused):
            apply_and_verify(plan, sides.source, settings, options)
        assert [name for name, _ in _columns(server, target)] == ["id", "price"]
        allowed = SyncOptions(loaded_on=sides.loaded, allow_hazards="shadow_version_differs")
        done = apply_and_verify(plan, sides.source, settings, allowed)
        assert done.applied and done.after.is_empty
    with server.connect(target) as conn:
        rows = conn.execute("""SELECT id, price::text FROM shop."we""ird\nname" ORDER BY 1""")
        assert rows.fetchall() == [(1, "1.2345"), (2, "2.5000")]
    canary.assert_silent()


def test_a_shadow_url_server_gets_databases_of_its_own_and_keeps_none(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary], tmp_path: Path
) -> None:
    target = make_db(TARGET)
    canary = planted(target)
    url = f"postgresql://{server.user}@{server.host}:{server.port}/postgres"
    before = _shadow_databases(server)
    (tmp_path / "schema.sql").write_text(STORED)
    flags = [
        "sync", "--source-sql", "schema.sql", "--source-schema", "shop",
        *side_args(server, "target", target, "shop"), "--shadow-url", url, "--dry-run",
    ]  # fmt: skip
    planned = ddp(*flags, cwd=tmp_path, env=_env())
    assert planned.returncode == 0, planned.stderr
    assert (
        f"NOTE: the source's SQL files were loaded on PostgreSQL {_major(server)} "
        "(the --shadow-url server)"
    ) in planned.stdout
    assert _shadow_databases(server) <= before

    (tmp_path / "schema.sql").write_text(STORED + "CREATE TABLE shop.broken (x nosuchtype);\n")
    failed = ddp(*flags, cwd=tmp_path, env=_env())
    assert failed.returncode == 1
    assert "schema.sql line 5" in failed.stderr and "the --shadow-url server" in failed.stderr
    assert _shadow_databases(server) <= before
    canary.assert_silent()


def test_a_shadow_url_database_is_dropped_on_sigterm(server: Server, tmp_path: Path) -> None:
    url = f"postgresql://{server.user}@{server.host}:{server.port}/postgres"
    before = _shadow_databases(server)
    (tmp_path / "a.sql").write_text("CREATE TABLE t (id int);\nSELECT pg_catalog.pg_sleep(60);\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE t (id int);\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DDP_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ddp_engine.cli", "sync", "--source-sql", "a.sql",
         "--target-sql", "b.sql", "--shadow-url", url, "--dry-run"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(600):  # the source's database appears, then its file sleeps
            if _shadow_databases(server) - before or proc.poll() is not None:
                break
            time.sleep(0.1)
        made = _shadow_databases(server) - before
        assert [name[: len("ddp_shadow_source_")] for name in made] == ["ddp_shadow_source_"]
        time.sleep(0.5)  # into the file's sleep
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode not in (0, 2), err
    assert "Traceback" not in err
    assert not (_shadow_databases(server) & made)


def test_a_target_version_the_live_target_does_not_run_is_refused(
    server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    target = make_db(TARGET)
    (tmp_path / "schema.sql").write_text(STORED)
    wrong = 17 if _major(server) != 17 else 16
    result = ddp(
        "sync", "--source-sql", "schema.sql", *side_args(server, "target", target, "shop"),
        "--target-version", str(wrong), "--dry-run", cwd=tmp_path, env=_env(),
    )  # fmt: skip
    assert result.returncode == 64  # bad input
    assert result.stderr.strip().splitlines() == [
        f"DDP SYNC failed: --target-version {wrong} does not match the target, which runs "
        f"PostgreSQL {_major(server)}"
    ]
    refused = shadow_sources(
        tmp_path / "schema.sql", live_target=server.settings(target), target_version=wrong
    )
    with pytest.raises(BadInput), refused:
        pass


def test_the_target_version_may_come_from_the_environment(
    server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    target = make_db(TARGET)
    (tmp_path / "schema.sql").write_text(STORED)
    wrong = 17 if _major(server) != 17 else 16
    args = ("sync", "--source-sql", "schema.sql", *side_args(server, "target", target, "shop"))
    for value, says in (
        (str(wrong), "does not match the target"),
        ("seventeen", "DDP_TARGET_VERSION"),
    ):
        result = ddp(*args, "--dry-run", cwd=tmp_path, env=_env(DDP_TARGET_VERSION=value))
        assert result.returncode == 64, result.stderr  # bad input
        [line] = result.stderr.strip().splitlines()
        assert says in line
    right = ddp(*args, "--dry-run", cwd=tmp_path, env=_env(DDP_TARGET_VERSION=str(_major(server))))
    assert right.returncode == 0, right.stderr


def test_a_target_version_without_its_server_loads_on_the_embedded_one_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sides SQL files, --target-version 14 and no PostgreSQL 14 at hand."""
    monkeypatch.setattr(shadow, "SYSTEM_BIN_DIRS", ("/nonexistent/{major}/bin",))
    monkeypatch.delenv(shadow.BIN_DIRS_ENV, raising=False)
    (tmp_path / "old.sql").write_text("CREATE TABLE t (id int);\n")
    (tmp_path / "new.sql").write_text("CREATE TABLE t (id int, v int GENERATED ALWAYS AS (id));\n")
    with shadow_sources(tmp_path / "new.sql", tmp_path / "old.sql", target_version=14) as sides:
        assert sides.loaded is not None and sides.source and sides.target
        assert sides.loaded.sides == ("source", "target")
        plan = compare(sides.source, sides.target, SyncOptions(loaded_on=sides.loaded)).plan
    assert plan.refused() == ["shadow_version_differs"]
    assert plan.notes == (
        "the source's and the target's SQL files were loaded on PostgreSQL 18 "
        "(the embedded PostgreSQL)",
    )
    _, bin_dir = _matrix_16()
    monkeypatch.setenv(shadow.BIN_DIRS_ENV, str(bin_dir))
    loading = shadow_sources(tmp_path / "new.sql", tmp_path / "old.sql", target_version=16)
    with pytest.raises(SourceSqlFailed, match=r"line 1: .*\(loaded on PostgreSQL 16, "), loading:
        pass


def test_the_shadow_url_is_completed_as_libpq_completes_it(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[ddpshadow]\nhost={server.host}\nport={server.port}\nuser={server.user}\n"
        "dbname=template1\n"
    )
    from_service = shadow.settings_from_url("service=ddpshadow", {"PGSERVICEFILE": str(services)})
    assert (from_service.host, from_service.port) == (None, None)  # left to libpq
    assert (from_service.user, from_service.database) == (server.user, "template1")
    assert from_service.params == {"service": "ddpshadow"}
    from_env = shadow.settings_from_url(
        "", {"PGSERVICE": "ddpshadow", "PGSERVICEFILE": str(services), "PGUSER": "other"}
    )
    assert from_env.user == server.user and from_env.params == {"service": "ddpshadow"}
    plain = shadow.settings_from_url("dbname=x", {"PGHOST": "/run/pg", "PGPORT": "6543"})
    assert (plain.host, plain.port, plain.database) == (None, None, "x")
    assert shadow.settings_from_url("postgresql://a@b:7/c", {}).address() == "b:7"
    monkeypatch.setenv("PGSERVICEFILE", str(services))  # libpq reads the service file itself
    assert shadow.server_major(from_service, "shadow", SessionLimits()) == _major(server)


def _ext(version: str, targets: tuple[str, ...] | None = None) -> Snapshot:
    extension = Extension(
        name="citext", schema_name="public", version=version, update_targets=targets
    )
    return Snapshot(server_version=150000, extensions=(extension,))


def test_extension_versions_the_target_cannot_have_are_not_asked_for() -> None:
    """No server: the target's update paths and installable versions as the catalog gives."""
    kept = reachable_versions(_ext("1.8"), _ext("1.6", ()))
    assert [e.version for e in kept.source.extensions] == ["1.6"]
    assert kept.warnings == [
        "extension citext stays at version 1.6: the target's server cannot have the source's "
        "version 1.8"
    ]
    assert reachable_versions(_ext("1.6"), _ext("1.4", ("1.5", "1.6"))).warnings == []
    assert reachable_versions(_ext("1.8"), _ext("1.6")).warnings == []  # paths not read
    empty = Snapshot(server_version=150000)
    created = reachable_versions(_ext("1.8"), empty, {"citext": ("1.6", ("1.4", "1.5", "1.6"))})
    assert [e.version for e in created.source.extensions] == ["1.6"]
    assert created.warnings[0].startswith("extension citext is created at version 1.6")
    assert reachable_versions(_ext("1.8"), empty, {}).source == _ext("1.8")


def test_what_a_server_offers_is_no_difference() -> None:
    """The versions a server could update an extension to are not the schema: neither the diff
    nor a plan file's verification compares them (an apply would else never verify)."""
    offered, none = _ext("1.6", ("1.7", "1.8")), _ext("1.6", ())
    assert diff(offered, none, True) == ()
    assert compared_fingerprint(offered) == compared_fingerprint(none)
    assert compared_fingerprint(_ext("1.7", ())) != compared_fingerprint(none)


def test_local_binaries_that_do_not_start_give_way_to_the_embedded_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose ``postgres`` says 16 but whose ``initdb`` fails: the files still load
    (on the embedded server), and the plan says they were not loaded on 16."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, body in (("postgres", "echo 'postgres (PostgreSQL) 16.1'"), ("initdb", "exit 1")):
        (fake / name).write_text(f"#!/bin/sh\n{body}\n")
        (fake / name).chmod(0o755)
    monkeypatch.setattr(shadow, "SYSTEM_BIN_DIRS", ())
    monkeypatch.setenv(shadow.BIN_DIRS_ENV, str(fake))
    assert shadow.local_binaries(16) == shadow.LocalBinaries(fake, str(fake))
    (tmp_path / "a.sql").write_text("CREATE TABLE t (id int);\n")
    with shadow_sources(tmp_path / "a.sql", tmp_path / "a.sql", target_version=16) as sides:
        assert sides.loaded is not None and sides.source and sides.target
        assert (sides.loaded.major, sides.loaded.where) == (18, "the embedded PostgreSQL")
        plan = compare(sides.source, sides.target, SyncOptions(loaded_on=sides.loaded)).plan
    assert plan.is_empty and plan.refused() == ["shadow_version_differs"]
