"""Rename hints keep data in place and converge; an unhinted look-alike is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddp_engine.errors import BadInput
from ddp_engine.renames import parse_hint, rewrite_words
from tests.conftest import Server
from tests.helpers import ODD_SQL, TRAP, ddp, side_args


def test_hints_parse_with_and_without_a_kind() -> None:
    assert parse_hint("column:public.users.name=full_name").old == ("public", "users", "name")
    assert parse_hint("public.people=persons").kind == "table"
    assert parse_hint('column:public."a.b".c=d').old == ("public", "a.b", "c")
    assert parse_hint("enum_value:public.mood.sad=unhappy").kind == "enum_value"
    with pytest.raises(BadInput):
        parse_hint("column:public.users=full_name")
    with pytest.raises(BadInput):
        parse_hint("nothing here")


def test_words_are_renamed_outside_literals_only() -> None:
    assert rewrite_words("(name > 'name') AND (xname = name)", "name", "n2") == (
        "(n2 > 'name') AND (xname = n2)"
    )


def _rows(server: Server, database: str, sql: str) -> list[tuple[object, ...]]:
    with server.connect(database) as conn:
        return conn.execute(sql.encode()).fetchall()


TARGET = (
    TRAP + f"CREATE TABLE public.people (id int PRIMARY KEY, {ODD_SQL} text NOT NULL "
    "CHECK (length(" + ODD_SQL + ") > 0), born date);"
    f"CREATE INDEX people_name ON public.people ({ODD_SQL});"
    f"CREATE VIEW public.names AS SELECT {ODD_SQL} FROM public.people;"
    "INSERT INTO public.people VALUES (1, 'Ann', '2000-01-31'), (2, 'Bob  ', NULL);"
)
SOURCE = (
    TRAP + "CREATE TABLE public.persons (id int PRIMARY KEY, full_name text NOT NULL "
    "CHECK (length(full_name) > 0), born date);"
    "CREATE INDEX people_name ON public.persons (full_name);"
    "CREATE VIEW public.names AS SELECT full_name FROM public.persons;"
)


def test_hinted_column_and_table_rename_keep_every_row_and_converge(
    server: Server, make_db, tmp_path: Path
) -> None:
    target, source = make_db(TARGET), make_db(SOURCE)
    hints = tmp_path / "renames.txt"
    hints.write_text("# kept in git beside the schema\ntable:public.people=persons\n")
    flags = [
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--rename", f"column:public.people.{ODD_SQL}=full_name",
        "--renames", str(hints),
    ]  # fmt: skip
    applied = ddp(*flags, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "_dropped_" not in (tmp_path / "alter.sql").read_text()
    rows = _rows(server, target, "SELECT id, full_name, born FROM public.persons ORDER BY id")
    assert [(r[0], r[1], str(r[2])) for r in rows] == [
        (1, "Ann", "2000-01-31"),
        (2, "Bob  ", "None"),
    ]
    positions = _rows(
        server,
        target,
        "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) "
        "'public.persons'::pg_catalog.regclass AND attnum OPERATOR(pg_catalog.>) 0 ORDER BY attnum",
    )
    assert positions == [("id",), ("full_name",), ("born",)]
    again = ddp(*flags, "--dry-run", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_unhinted_look_alike_is_refused_with_possible_rename(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(
        TRAP + "CREATE TABLE public.users (id int, name text NOT NULL);"
        "INSERT INTO public.users VALUES (1, 'Ann');"
    )
    source = make_db(TRAP + "CREATE TABLE public.users (id int, full_name text NOT NULL);")
    flags = ["sync", *side_args(server, "source", source), *side_args(server, "target", target)]
    result = ddp(*flags, "--apply", cwd=tmp_path)
    assert result.returncode == 1
    assert "possible_rename" in result.stderr
    assert "--rename column:public.users.name=full_name" in (tmp_path / "alter.sql").read_text()
    assert _rows(server, target, "SELECT id, name FROM public.users") == [(1, "Ann")]
    as_json = ddp(*flags, "--dry-run", "--format", "json", "--output", "-", cwd=tmp_path)
    assert '"possible_rename"' in as_json.stdout


def test_enum_value_constraint_index_and_schema_hints_converge(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(
        TRAP + "CREATE SCHEMA old_app; CREATE TYPE old_app.mood AS ENUM ('sad', 'ok');"
        "CREATE TABLE old_app.t (id int CONSTRAINT t_pk PRIMARY KEY, "
        "m old_app.mood DEFAULT 'sad');"
        "CREATE INDEX t_m ON old_app.t (m); INSERT INTO old_app.t VALUES (1, 'sad'), (2, 'ok');"
    )
    source = make_db(
        TRAP + "CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('unhappy', 'ok');"
        "CREATE TABLE app.t (id int CONSTRAINT t_pkey PRIMARY KEY, m app.mood DEFAULT 'unhappy');"
        "CREATE INDEX t_m_idx ON app.t (m);"
    )
    flags = [
        "sync",
        *side_args(server, "source", source, schema=None),
        *side_args(server, "target", target, schema=None),
        "--all-schemas",
        "--rename", "enum_value:old_app.mood.sad=unhappy",
        "--rename", "constraint:old_app.t.t_pk=t_pkey",
        "--rename", "index:old_app.t_m=t_m_idx",
        "--rename", "schema:old_app=app",
    ]  # fmt: skip
    applied = ddp(*flags, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "_dropped_" not in (tmp_path / "alter.sql").read_text()
    rows = _rows(server, target, "SELECT id, m::text FROM app.t ORDER BY id")
    assert rows == [(1, "unhappy"), (2, "ok")]
    again = ddp(*flags, "--dry-run", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_renamed_column_s_type_change_is_counted_under_its_old_name(
    server: Server, make_db, tmp_path: Path
) -> None:
    target = make_db(
        TRAP + f"CREATE TABLE public.u (id int, {ODD_SQL} varchar(20));"
        f"INSERT INTO public.u VALUES (1, 'abcdefghijkl'), (2, 'ab');"
    )
    source = make_db(TRAP + "CREATE TABLE public.u (id int, full_name varchar(5));")
    flags = [
        "sync",
        *side_args(server, "source", source),
        *side_args(server, "target", target),
        "--rename", f"column:public.u.{ODD_SQL}=full_name",
    ]  # fmt: skip
    refused = ddp(*flags, "--apply", cwd=tmp_path)
    assert refused.returncode == 1
    assert "values_fail" in refused.stderr
    script = (tmp_path / "alter.sql").read_text()
    assert "not checked" not in script and "values_fail: 1 value(s)" in script
    assert _rows(server, target, f"SELECT id, {ODD_SQL} FROM public.u ORDER BY id") == [
        (1, "abcdefghijkl"),
        (2, "ab"),
    ]


@pytest.mark.parametrize(
    "flags",
    [["--rename", "bogus"], ["--schema-map", "x"], ["--exclude", "tabel:public.x"]],
)
def test_bad_hints_and_patterns_are_one_line_and_exit_64(flags: list[str], tmp_path: Path) -> None:
    result = ddp("sync", *flags, cwd=tmp_path)
    assert result.returncode == 64
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and "credentials" not in result.stderr
