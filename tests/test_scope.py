"""Scope (--include / --exclude / .ddpignore / --schema-map): what is out of scope is left as
the target has it, said so, and a change that would have to touch it is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddp_engine.errors import BadInput
from ddp_engine.scope import Scope, parse_pattern
from tests.conftest import Server
from tests.helpers import ODD, ODD_SQL, TRAP, ddp, side_args


def test_star_stays_within_a_name_part() -> None:
    pattern = parse_pattern("public.audit_*")
    assert pattern.matches("table", "public.audit_log")
    assert not pattern.matches("table", "public.audit_log.x")
    assert not pattern.matches("table", "other.audit_log")
    assert parse_pattern("table:public.t?").matches("table", "public.t1")
    assert not parse_pattern("table:public.t?").matches("view", "public.t1")
    with pytest.raises(BadInput):
        parse_pattern("tabel:public.x")


def test_objects_follow_their_table_and_schema() -> None:
    scope = Scope(exclude=["table:public.audit_*", "schema:ops"])
    assert not scope.object_in("index", "public", "some_index", table="audit_log")
    assert scope.object_in("index", "public", "audit_idx_not_on_audit", table="orders")
    assert not scope.object_in("table", "ops", "anything")
    assert not scope.schema_in("ops")
    only = Scope(include=["table:public.keep"])
    assert only.object_in("table", "public", "keep")
    assert not only.object_in("table", "public", "other")
    assert only.object_in("constraint", "public", "keep_pkey", table="keep")


def _rows(server: Server, database: str, sql: str) -> list[tuple[object, ...]]:
    with server.connect(database) as conn:
        return conn.execute(sql.encode()).fetchall()


def test_exclude_leaves_a_drifted_table_untouched_and_says_so(
    server: Server, make_db, tmp_path: Path
) -> None:
    audit = f"CREATE TABLE public.{ODD_SQL} (id int PRIMARY KEY, note text);"
    target = make_db(
        TRAP + audit + "CREATE TABLE public.keep (a int);"
        f"INSERT INTO public.{ODD_SQL} VALUES (1, 'a long note that a varchar(2) would cut');"
    )
    source = make_db(
        TRAP + f"CREATE TABLE public.{ODD_SQL} (id bigint PRIMARY KEY, note varchar(2), x int);"
        "CREATE TABLE public.keep (a int, b int);"
    )
    (tmp_path / ".ddpignore").write_text("# tables another team owns\npublic.au*\n")
    result = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--apply",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "out of scope" in result.stdout
    columns = _rows(
        server,
        target,
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema OPERATOR(pg_catalog.=) 'public' ORDER BY 1, ordinal_position",
    )
    assert columns == [
        (ODD, "id", "integer"),
        (ODD, "note", "text"),
        ("keep", "a", "integer"),
        ("keep", "b", "integer"),
    ]
    assert _rows(server, target, f"SELECT note FROM public.{ODD_SQL}") == [
        ("a long note that a varchar(2) would cut",)
    ]
    # and once included, the drift is there to see
    (tmp_path / ".ddpignore").unlink()
    again = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--dry-run",
        "--exit-code",
        cwd=tmp_path,
    )
    assert again.returncode == 2, again.stderr


def test_a_change_that_would_rebuild_an_excluded_view_is_refused(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(
        TRAP + "CREATE TABLE public.t (a int, b int);"
        "CREATE VIEW public.reporting_v AS SELECT b FROM public.t;"
    )
    source = make_db(TRAP + "CREATE TABLE public.t (a int, b bigint);")
    result = ddp(
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--exclude",
        "view:public.reporting_*",
        "--apply",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "view public.reporting_v" in result.stderr and "out of scope" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _rows(
        server,
        target,
        "SELECT pg_catalog.format_type(atttypid, NULL) FROM "
        "pg_catalog.pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) "
        "'public.t'::pg_catalog.regclass AND attname OPERATOR(pg_catalog.=) 'b'",
    ) == [("integer",)]


def test_all_schemas_keeps_an_excluded_target_only_schema(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(
        TRAP + "CREATE SCHEMA ops; CREATE TABLE ops.jobs (id int);"
        "CREATE SCHEMA old; CREATE TABLE old.t (id int);"
    )
    source = make_db(TRAP)
    result = ddp(
        "sync",
        *side_args(server, "source", source, schema=None),
        *side_args(server, "target", target, schema=None),
        "--all-schemas",
        "--exclude",
        "schema:ops",
        "--apply",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    schemas = _rows(
        server,
        target,
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE "
        "nspname OPERATOR(pg_catalog.~) '^(ops|old)' ORDER BY 1",
    )
    assert schemas[0] == ("old_dropped_" + schemas[0][0].split("_dropped_")[1],)
    assert schemas[1] == ("ops",)


def test_schema_map_of_three_schemas_converges(server: Server, make_db, tmp_path: Path) -> None:
    source = make_db(
        TRAP + "CREATE SCHEMA a; CREATE SCHEMA b; CREATE SCHEMA c;"
        "CREATE TABLE a.t (id int PRIMARY KEY, v text);"
        "CREATE TABLE b.u (id int REFERENCES a.t, w int);"
        "CREATE VIEW c.v AS SELECT t.id, u.w FROM a.t JOIN b.u ON u.id = t.id;"
    )
    target = make_db(
        TRAP + "CREATE SCHEMA x; CREATE SCHEMA y; CREATE SCHEMA z; CREATE SCHEMA other;"
        "CREATE TABLE x.t (id int PRIMARY KEY); INSERT INTO x.t VALUES (1), (2);"
        "CREATE TABLE other.keep (id int);"
    )
    flags = [
        *side_args(server, "source", source, schema=None),
        *side_args(server, "target", target, schema=None),
        "--schema-map", "a=x", "--schema-map", "b=y", "--schema-map", "c=z",
    ]  # fmt: skip
    applied = ddp("sync", *flags, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    again = ddp("sync", *flags, "--dry-run", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _rows(server, target, "SELECT id FROM x.t ORDER BY 1") == [(1,), (2,)]
    assert _rows(server, target, "SELECT count(*) FROM other.keep") == [(0,)]
    definition = _rows(server, target, "SELECT pg_catalog.pg_get_viewdef('z.v'::regclass)")
    assert "x.t" in definition[0][0] and "y.u" in definition[0][0]


def test_a_plan_file_carries_the_scope_and_applies_under_it(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(TRAP + "CREATE TABLE public.audit_x (a int); CREATE TABLE public.k (a int);")
    source = make_db(TRAP + "CREATE TABLE public.k (a int, b text);")
    planned = ddp(
        "plan",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--output", "plan.json",
        cwd=tmp_path,
        env={"DDP_EXCLUDE": "table:public.audit_*, schema:nothing_here"},
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    document = json.loads((tmp_path / "plan.json").read_text())
    assert document["options"]["exclude"] == ["table:public.audit_*", "schema:nothing_here"]
    applied = ddp("apply", "plan.json", *side_args(server, "target", target), "--yes", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    tables = _rows(
        server,
        target,
        "SELECT relname FROM pg_catalog.pg_class WHERE relnamespace "
        "OPERATOR(pg_catalog.=) 'public'::pg_catalog.regnamespace AND relkind = 'r' "
        "ORDER BY 1",
    )
    assert tables == [("audit_x",), ("k",)]
