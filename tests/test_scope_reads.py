"""What the scope leaves out is not read in full: the catalog queries list it by name (for the
summary's count and for refusing a plan that would touch it) and deparse none of it.

The proof on a real server is a lock: pg_get_viewdef and pg_get_expr on a relation take a
lock on what they read, so a read that deparsed an object of a table another session holds
ACCESS EXCLUSIVE would wait and give up. With that table out of scope, the read goes through.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from ddp_engine.introspect import introspect, read_snapshot
from ddp_engine.scope import ReadScope, Scope, apply_scope, parse_pattern, sql_regex
from ddp_engine.sync import SyncOptions, compare, snapshot
from tests.conftest import Server, ensure_roles
from tests.corpus_cases import SHARED_CASES, shared_sql
from tests.helpers import ODD, ODD_SQL, TRAP, ddp, side_args

#: A table and everything whose read deparses it with a lock on it (a generated column, a
#: partial index, a policy, a view), plus a trigger, a check and a function of the same names.
AUDIT = f"""
CREATE TABLE {{s}}.{ODD_SQL} (id int PRIMARY KEY, note text CHECK (note <> ''),
    shout text GENERATED ALWAYS AS (upper(note)) STORED);
CREATE INDEX ON {{s}}.{ODD_SQL} (note) WHERE id > 0;
ALTER TABLE {{s}}.{ODD_SQL} ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON {{s}}.{ODD_SQL} USING (id > 0);
CREATE FUNCTION {{s}}.audit_stamp() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER stamp BEFORE INSERT ON {{s}}.{ODD_SQL}
    FOR EACH ROW EXECUTE FUNCTION {{s}}.audit_stamp();
CREATE VIEW {{s}}.audit_v AS SELECT id, note FROM {{s}}.{ODD_SQL};
INSERT INTO {{s}}.{ODD_SQL} VALUES (1, 'kept as it is');
"""


@contextmanager
def locked(server: Server, database: str, table: str) -> Iterator[None]:
    """Another session holding ACCESS EXCLUSIVE on ``table`` until the block ends."""
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=database
    ) as conn:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE".encode())
        yield
        conn.rollback()


def _sync(server: Server, source: str, target: str, *args: str, cwd: Path, schema=None):
    return ddp(
        "sync",
        *side_args(server, "source", source, schema=schema),
        *side_args(server, "target", target, schema=schema),
        "--lock-timeout",
        "1s",
        *args,
        cwd=cwd,
    )


def test_patterns_match_in_postgresql_as_in_python(server: Server) -> None:
    """The regex the queries get finds the same names as the Python one, odd names too."""
    names = [
        f"public.{ODD}",
        "public.audit_x",
        "public.audit.x",
        "public.AUDIT_x",
        "pub.a%b",
        "public.a\\b",
        "x.t(1)",
        "x.t[1]",
        "x.t1",
        "x.ö_ü",
        "x.a b",
        "x.'q'",
        "x.t$",
        "x.a|b",
        "x.a+{2}",
        "x.^a",
    ]
    globs = [
        "public.au*",
        "public.audit_?",
        "public.*",
        "*.t?",
        "x.t[0-9]",
        "x.t[!0-9]*",
        "pub.a%b",
        "public.a\\b",
        "x.t(1)",
        "x.ö_*",
        "x.a b",
        "x.'q'",
        "x.t$",
        "x.a|b",
        "x.a+{2}",
        "x.^*",
        "x.[a-z]|*",
        "*",
    ]
    with server.connect() as conn:
        for glob in globs:
            pattern = parse_pattern(glob)
            want = [n for n in names if pattern.regex.fullmatch(n)]
            got = conn.execute(
                "SELECT pg_catalog.array_agg(n ORDER BY o) FROM pg_catalog.unnest(%s::text[]) "
                "WITH ORDINALITY AS u(n, o) WHERE n OPERATOR(pg_catalog.~) %s",
                (names, sql_regex(pattern)),
            ).fetchone()
            assert ((got[0] if got else None) or []) == want, glob
    assert parse_pattern("public.audit_*").regex.fullmatch("public.audit_log")


#: Every schema but ops.
OPS_OUT = ("--all-schemas", "--exclude", "schema:ops")


def test_an_excluded_schema_is_not_deparsed(server: Server, make_db, tmp_path: Path) -> None:
    target = make_db(
        TRAP + "CREATE SCHEMA ops;" + AUDIT.format(s="ops") + "CREATE TABLE public.t (a int);"
        "CREATE RULE keep AS ON DELETE TO ops.audit_v DO INSTEAD NOTHING;"
    )
    source = make_db(TRAP + "CREATE TABLE public.t (a int, b int);")
    with locked(server, target, f"ops.audit_v, ops.{ODD_SQL}"):
        # read in full, the view's definition waits for the lock and the read gives up
        whole = _sync(server, source, target, "--all-schemas", "--dry-run", cwd=tmp_path)
        assert whole.returncode == 1 and "gave up" in whole.stderr, whole.stderr
        scoped = _sync(server, source, target, *OPS_OUT, "--apply", cwd=tmp_path)
    assert scoped.returncode == 0, scoped.stderr
    assert "object(s) out of scope" in scoped.stdout
    again = _sync(server, source, target, *OPS_OUT, "--exit-code", "--dry-run", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    with server.connect(target) as conn:
        kept = conn.execute(f"SELECT note FROM ops.{ODD_SQL}".encode()).fetchall()
    assert kept == [("kept as it is",)]


def test_excluded_tables_views_and_functions_are_read_by_name_only(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(TRAP + AUDIT.format(s="public") + "CREATE TABLE public.keep (a int);")
    source = make_db(
        TRAP
        + AUDIT.format(s="public").replace("note text", "note varchar(50)")
        + "CREATE TABLE public.keep (a int, b int);"
    )
    excludes = ["public.au*", "function:public.audit_*"]
    with locked(server, target, f"public.{ODD_SQL}"):
        whole = _sync(server, source, target, "--dry-run", cwd=tmp_path, schema="public")
        assert whole.returncode == 1 and "gave up" in whole.stderr, whole.stderr
        args = [a for p in excludes for a in ("--exclude", p)]
        scoped = _sync(server, source, target, *args, "--apply", cwd=tmp_path, schema="public")
    assert scoped.returncode == 0, scoped.stderr
    options = SyncOptions(exclude=tuple(excludes))
    read, _ = snapshot(server.settings(target), "target", options)
    table = next(t for t in read.tables if t.name == ODD)
    assert table.columns == () and table.partition_key is None
    assert {v.name: v.definition for v in read.views} == {"audit_v": ""}
    bodies = {f.name: f.body for f in read.functions}
    assert bodies["audit_stamp"] == "" and "shadow function ran" in bodies["lower"]
    assert {i.body for i in read.indexes} == {""}
    assert {t.name: t.definition for t in read.triggers} == {"stamp": ""}
    assert {p.using for p in read.policies} == {None}
    assert {c.definition for c in read.constraints if c.table == ODD} == {""}
    keep = next(t for t in read.tables if t.name == "keep")
    assert [c.name for c in keep.columns] == ["a", "b"]  # applied: in scope, read in full
    # the summary counts what a full read would have left out
    source_full, _ = introspect(server.settings(source), "source")
    target_full, _ = introspect(server.settings(target), "target")
    counted = apply_scope(Scope(exclude=excludes), source_full, target_full).left_out
    planned = compare(server.settings(source), server.settings(target), options).plan
    assert planned.is_empty and planned.left_out == counted > 0


@pytest.mark.parametrize("include", [False, True])
def test_a_schema_map_reads_the_source_under_the_targets_names(
    server: Server, make_db, tmp_path: Path, include: bool
) -> None:
    """Patterns name the target's schemas; the source's mapped schema is read under them."""
    source = make_db(
        TRAP + "CREATE SCHEMA dev;" + AUDIT.format(s="dev") + "CREATE TABLE dev.t (a int, b int);"
    )
    target = make_db(
        TRAP + "CREATE SCHEMA prod;" + AUDIT.format(s="prod") + "CREATE TABLE prod.t (a int);"
    )
    scope = ["--include", "table:prod.t"] if include else ["--exclude", "prod.au*"]
    args = ["--schema-map", "dev=prod", *scope]
    with locked(server, source, f"dev.{ODD_SQL}"):
        applied = _sync(server, source, target, *args, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    again = _sync(server, source, target, *args, "--exit-code", "--dry-run", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_plan_file_is_applied_and_verified_without_reading_what_is_left_out(
    server: Server, make_db, tmp_path: Path
) -> None:
    """``ddp apply`` reads the target again, to check it and to verify the apply: leaving out
    what the plan's read left out, or the check would see another target."""
    target = make_db(TRAP + AUDIT.format(s="public") + "CREATE TABLE public.keep (a int);")
    source = make_db(TRAP + "CREATE TABLE public.keep (a int, b int);")
    sides = [*side_args(server, "source", source), *side_args(server, "target", target)]
    flags = ["--exclude", "public.au*", "--lock-timeout", "1s", "--output", "plan.json"]
    made = ddp("plan", *sides, *flags, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    with locked(server, target, f"public.{ODD_SQL}"):
        done = ddp(
            "apply", "plan.json", *side_args(server, "target", target), "--yes", cwd=tmp_path
        )
    assert done.returncode == 0, done.stdout + done.stderr
    with server.connect(target) as conn:
        assert conn.execute(f"SELECT note FROM public.{ODD_SQL}".encode()).fetchall() == [
            ("kept as it is",)
        ]
        assert conn.execute("SELECT b FROM public.keep").fetchall() == []


def test_a_dump_leaves_out_what_is_excluded_without_reading_it(
    server: Server, make_db, tmp_path: Path
) -> None:
    source = make_db(TRAP + AUDIT.format(s="public") + "CREATE TABLE public.keep (a int);")
    with locked(server, source, f"public.{ODD_SQL}"):
        dumped = ddp(
            "dump",
            *side_args(server, "source", source),
            "--exclude",
            "public.au*",
            "--exclude",
            "function:public.audit_*",
            "--lock-timeout",
            "1s",
            "--output",
            "out",
            cwd=tmp_path,
        )
    assert dumped.returncode == 0, dumped.stderr
    text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.sql"))
    assert (
        "TABLE public.keep" in text.replace('"', "")
        and "audit" not in text
        and "dit\nlog" not in text
    )


@pytest.mark.parametrize("case", SHARED_CASES)
def test_a_scope_that_leaves_nothing_out_reads_what_no_scope_reads(
    case: str, server: Server, make_db
) -> None:
    """The queries as a scoped read runs them (the scope's joins, its patterns) give the same
    snapshot as the plain ones when nothing matches: the scope only ever takes away."""
    folder, a, b = shared_sql(case)
    ensure_roles(server, folder)
    nothing = ReadScope(Scope(exclude=["zz_none.zz_none"], include=["*.*", "schema:*"]))
    for sql in (a, b):
        try:
            db = make_db(sql)
        except psycopg.Error as exc:
            pytest.skip(f"fixture does not load on this server: {exc}")
        with psycopg.connect(
            host=server.host, port=server.port, user=server.user, dbname=db
        ) as conn:
            scoped = read_snapshot(conn, "public", True, read_scope=nothing)
            assert scoped == read_snapshot(conn, "public", True)


def test_a_hinted_rename_out_of_an_excluded_name_is_read_in_full(
    server: Server, make_db, tmp_path: Path
) -> None:
    """The patterns name objects after the hints: a table an exclude names under its old name
    is, renamed, in scope, so the target's read cannot have left it out."""
    target = make_db(
        TRAP + f"CREATE TABLE public.people (id int, {ODD_SQL} text);"
        "INSERT INTO public.people VALUES (1, 'kept');"
    )
    source = make_db(TRAP + f"CREATE TABLE public.persons (id int, {ODD_SQL} text, b int);")
    hints = ["--rename", "table:public.people=persons", "--exclude", "public.people"]
    done = _sync(server, source, target, *hints, "--apply", cwd=tmp_path, schema="public")
    assert done.returncode == 0, done.stderr
    with server.connect(target) as conn:
        rows = conn.execute("SELECT * FROM public.persons").fetchall()
    assert rows == [(1, "kept", None)]
