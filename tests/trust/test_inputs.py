"""Schema files are code from a repository: loading them (``--source-sql`` / ``--target-sql``)
must not reach the machine. Every attack below would leave a marker file if it ran; each is
refused with the file and the line, and the marker never appears.

Client side, psql would have run them (ddp loads without psql, meta-commands on a short list);
server side, the files load as ``ddp_loader``, a role that owns the shadow database and is no
superuser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from ddp_engine.embedded import (
    EmbeddedServer,
    create_database,
    create_loader_role,
    embedded_server,
    load_sql,
)
from ddp_engine.errors import BadInput, DdpError
from ddp_engine.sqlfiles import sql_files
from tests.conftest import Server
from tests.helpers import assert_nothing_left, side_args
from tests.helpers import ddp_isolated as ddp
from tests.trust.conftest import Canary


@pytest.fixture
def marker_dir() -> Iterator[Path]:
    """A folder anyone may write to (as root the embedded server runs as ``nobody``), so that
    an attack that ran, client or server side, could create the marker."""
    folder = Path(tempfile.mkdtemp(prefix="ddp-marker-"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg() -> Iterator[EmbeddedServer]:
    """One embedded server (the shadow server ddp loads files on) with the loader role."""
    with embedded_server() as running:
        create_loader_role(running)
        yield running


_counter = iter(range(10_000))


def load_as_loader(pg: EmbeddedServer, path: Path) -> None:
    database = f"attack_{next(_counter)}"
    create_database(pg, database, owner="ddp_loader")
    load_sql(pg, database, path, user="ddp_loader")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


#: (name, file text with {marker}, line the refusal names, words of the refusal).
ATTACKS = [
    ("shell", "CREATE TABLE t (a int);\n\\! touch {marker}\n", 2, "\\! is not allowed"),
    ("set_backtick", "\\set x `touch {marker}`\n", 1, "backtick"),
    ("echo_backtick", "\\echo `touch {marker}`\n", 1, "backtick"),
    ("g_pipe", "SELECT 1;\n\\g |touch {marker}\n", 2, "\\g is not allowed"),
    ("g_pipe_same_line", "CREATE TABLE t (a int);\nSELECT 1 \\g |touch {marker}\n", 2, "syntax"),
    ("o_pipe", "\\o |touch {marker}\nSELECT 1;\n", 1, "\\o is not allowed"),
    ("connect", "\\c postgres\nCREATE TABLE t (a int);\n", 1, "\\c is not allowed"),
    ("copy_program", "\\copy (SELECT 1) TO PROGRAM 'touch {marker}'\n", 1, "\\copy is not"),
    ("second_command", "\\echo hi \\! touch {marker}\n", 1, "second backslash"),
    ("gset_gexec", "SELECT 'x' AS y \\gexec\n", 1, "syntax"),
    ("variable_read_again", "\\set x '\\! touch {marker}'\n:x\n", 2, "syntax"),
    ("variable_in_meta", "\\set x '/etc/passwd'\n\\i :x\n", 2, "variable"),
    ("server_copy_program", "COPY (SELECT 1) TO PROGRAM 'touch {marker}';\n", 1, "permission"),
    ("server_copy_file", "COPY (SELECT 1) TO '{marker}';\n", 1, "permission"),
    ("alter_system", "ALTER SYSTEM SET work_mem = '1MB';\n", 1, "permission denied"),
    (
        "c_language",
        "CREATE FUNCTION sh(cstring) RETURNS int LANGUAGE c AS 'libc.so.6', 'system';\n"
        "SELECT sh('touch {marker}');\n",
        1,
        "permission denied for language c",
    ),
    (
        "grant_program",
        "GRANT pg_execute_server_program TO CURRENT_USER;\n"
        "COPY (SELECT 1) TO PROGRAM 'touch {marker}';\n",
        1,
        "permission denied",
    ),
    (
        "role_in_program",
        "CREATE ROLE helper IN ROLE pg_execute_server_program;\n"
        "SET ROLE helper;\nCOPY (SELECT 1) TO PROGRAM 'touch {marker}';\n",
        1,
        "permission denied",
    ),
    ("superuser_role", "CREATE ROLE boss SUPERUSER;\n", 1, "permission denied"),
    ("set_role_superuser", "SET ROLE postgres;\n", 1, "permission denied"),
]


@pytest.mark.parametrize(("name", "text", "line", "words"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_in_a_schema_file_is_refused_and_leaves_no_trace(
    name: str, text: str, line: int, words: str, pg: EmbeddedServer, marker_dir: Path
) -> None:
    marker = marker_dir / "ran"
    path = write(marker_dir / "schema" / f"{name}.sql", text.format(marker=marker))
    with pytest.raises(DdpError) as caught:
        load_as_loader(pg, path)
    assert caught.value.message.startswith(f"DDP SYNC failed: {path} line {line}: ")
    assert words in caught.value.message
    assert not marker.exists()


def test_includes_stay_inside_the_source_folder(pg: EmbeddedServer, marker_dir: Path) -> None:
    marker = marker_dir / "ran"
    outside = write(marker_dir / "outside.sql", f"COPY (SELECT 1) TO PROGRAM 'touch {marker}';\n")
    schema = marker_dir / "schema"
    (schema / "sub").mkdir(parents=True)
    (schema / "sub" / "link.sql").symlink_to(outside)
    cases = {
        "010_up.sql": ("\\ir ../outside.sql\n", "outside the source folder"),
        "020_abs.sql": (f"\\i {outside}\n", "outside the source folder"),
        "030_link.sql": ("\\ir sub/link.sql\n", "outside the source folder"),
        "040_etc.sql": ("\\include /etc/passwd\n", "outside the source folder"),
        "050_missing.sql": ("\\ir nope.sql\n", "does not exist"),
    }
    for file, (text, words) in cases.items():
        path = write(schema / file, text)  # loaded alone: its folder is the source folder
        with pytest.raises(DdpError) as caught:
            load_as_loader(pg, path)
        assert caught.value.message.startswith(f"DDP SYNC failed: {path} line 1: "), file
        assert words in caught.value.message, caught.value.message
    assert not marker.exists()


def test_a_folder_entry_that_links_outside_the_folder_is_refused(tmp_path: Path) -> None:
    """The folder's own files obey the rule of ``\\i``: a symbolic link may point inside the
    source folder, never out of it."""
    outside = write(tmp_path / "outside.sql", "CREATE TABLE from_outside (a int);\n")
    schema = tmp_path / "schema"
    write(schema / "sub" / "real.sql", "CREATE TABLE inside (a int);\n")
    (schema / "010_inside.sql").symlink_to(schema / "sub" / "real.sql")
    # sub-folders are read too (migration folders), after the entries that sort before them
    assert sql_files(schema) == [schema / "010_inside.sql", schema / "sub" / "real.sql"]
    (schema / "020_out.sql").symlink_to(outside)
    with pytest.raises(BadInput) as caught:
        sql_files(schema)
    assert caught.value.message == (
        f"DDP SYNC failed: {schema / '020_out.sql'} is a symbolic link to a file outside {schema}"
    )


def test_allowed_meta_commands_work(pg: EmbeddedServer, tmp_path: Path) -> None:
    """What a schema file may do: variables (interpolated as psql does), comments to the
    reader, pg_dump's guards, includes inside the folder, COPY FROM stdin, its own roles, and
    pg_dump's ``OWNER TO postgres`` (kept by the loader: owners are not compared)."""
    schema = tmp_path / "schema"
    write(
        schema / "010_main.sql",
        """
        \\restrict abc123
        \\set ON_ERROR_STOP on
        \\set table widgets
        \\set label 'it''s'
        \\echo loading the tables
        CREATE TABLE :"table" (id int PRIMARY KEY, label text DEFAULT :'label', n int[]);
        SELECT (ARRAY[1, 2, 3])[1:2], '{1}'::int[], 'a:b' AS ":table";
        \\ir parts/020_more.sql
        COPY widgets (id, label) FROM stdin;
        1\tone
        2\t:label;
        \\.
        \\unset table
        CREATE ROLE app_reader;
        GRANT SELECT ON widgets TO app_reader;
        ALTER TABLE public.widgets OWNER TO postgres;
        ALTER TABLE public.gadgets OWNER TO app_reader;
        \\unrestrict abc123
        """,
    )
    write(schema / "parts" / "020_more.sql", "CREATE TABLE gadgets (id int);\n")
    database = f"allowed_{next(_counter)}"
    create_database(pg, database, owner="ddp_loader")
    load_sql(pg, database, schema / "010_main.sql", user="ddp_loader")
    with psycopg.connect(pg.conninfo(database)) as conn:
        rows = conn.execute("SELECT id, label FROM public.widgets ORDER BY id").fetchall()
        default = conn.execute(
            "SELECT pg_catalog.pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef "
            "WHERE adrelid = 'public.widgets'::pg_catalog.regclass"
        ).fetchone()
        gadgets = conn.execute("SELECT pg_catalog.to_regclass('public.gadgets')").fetchone()
    assert rows == [(1, "one"), (2, ":label;")]  # COPY data is data, never interpolated
    assert default == ("'it''s'::text",)
    assert gadgets == ("gadgets",)


def test_loaded_as_a_role_that_is_no_superuser(pg: EmbeddedServer, tmp_path: Path) -> None:
    path = write(
        tmp_path / "who.sql",
        "CREATE TABLE who AS SELECT current_user AS name, "
        "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS super;\n",
    )
    database = f"who_{next(_counter)}"
    create_database(pg, database, owner="ddp_loader")
    load_sql(pg, database, path, user="ddp_loader")
    with psycopg.connect(pg.conninfo(database)) as conn:
        row = conn.execute("SELECT name, super FROM public.who").fetchone()
        owner = conn.execute(
            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database "
            "WHERE datname = pg_catalog.current_database()"
        ).fetchone()
    assert row == ("ddp_loader", False)
    assert owner == ("ddp_loader",)


@pytest.fixture
def run_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ddp-test-run-"))
    path.chmod(0o1777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_cli_refuses_a_shell_escape_with_file_and_line(
    run_tmp: Path,
    marker_dir: Path,
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
) -> None:
    """End to end: ``ddp sync --source-sql`` against a live target (with planted shadows)."""
    marker = marker_dir / "ran"
    write(marker_dir / "schema" / "001_ok.sql", "CREATE TABLE a (id int);\n")
    write(
        marker_dir / "schema" / "002_bad.sql",
        f"-- looks harmless\nCREATE TABLE b (id int);\n\\! touch {marker}\n",
    )
    target = make_db("")
    canary = planted(target, "public")
    result = ddp(
        "sync", "--source-sql", "schema", *side_args(server, "target", target), "--dry-run",
        run_tmp=run_tmp, cwd=marker_dir,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "DDP SYNC failed: schema/002_bad.sql line 3: psql meta-command \\! is not allowed in "
        "a schema file"
    ]
    assert result.stdout == ""
    assert not marker.exists()
    canary.assert_silent()
    assert_nothing_left(run_tmp)


def test_cli_loads_allowed_files_and_reads_as_the_loader(
    run_tmp: Path, tmp_path: Path, server: Server, make_db: Callable[[str], str]
) -> None:
    schema = tmp_path / "schema"
    write(schema / "001.sql", '\\set t orders\nCREATE TABLE :"t" (id int);\n\\ir more/x.sql\n')
    write(schema / "more" / "x.sql", "CREATE INDEX ON orders (id);\n")
    result = ddp(
        "sync", "--source-sql", str(schema), *side_args(server, "target", make_db("")),
        "--dry-run", run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert 'CREATE TABLE "public"."orders"' in result.stdout
    assert "orders_id_idx" in result.stdout
    assert_nothing_left(run_tmp)


@pytest.mark.parametrize("kind", ["dangling", "folder", "unreadable"])
def test_a_file_that_cannot_be_read_is_an_error_naming_it(
    kind: str, run_tmp: Path, tmp_path: Path
) -> None:
    schema = tmp_path / "schema"
    write(schema / "001_ok.sql", "CREATE TABLE a (id int);\n")
    bad = schema / "002_bad.sql"
    if kind == "dangling":
        bad.symlink_to(tmp_path / "gone.sql")
        words = "is a dangling symbolic link"
    elif kind == "folder":
        bad.mkdir()
        words = "is not a regular file"
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads every file")
        write(bad, "CREATE TABLE b (id int);\n").chmod(0)
        words = "cannot be read"
    empty = write(tmp_path / "empty.sql", "-- nothing\n")
    result = ddp(
        "sync", "--source-sql", str(schema), "--target-sql", str(empty), "--dry-run",
        run_tmp=run_tmp, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 64
    assert result.stderr == f"DDP SYNC failed: --source-sql: {bad} {words}\n"
    assert_nothing_left(run_tmp)


def test_split_sql_finds_variables_and_copy_data_as_psql_does() -> None:
    from ddp_engine.embedded import split_sql

    text = (
        "SELECT a::int, b[1:2], :x, :'y', :\"z\", ':x', \"x:y\" -- :x\n"
        "  , $$ :x $$, f(a := 1);\n"
        "COPY t FROM stdin;\n"
        "1\t:x;\n"
        "\\.\n"
        "SELECT :x;\n"
    )
    first, copy, last = split_sql(text)
    variables = {"x": "X", "y": "it's", "z": 'a"b', "2": "two"}
    assert first.interpolated(variables) == (
        "SELECT a::int, b[1two], X, 'it''s', \"a\"\"b\", ':x', \"x:y\" -- :x\n"
        "  , $$ :x $$, f(a := 1);"
    )
    assert first.interpolated({}) == first.text
    assert (copy.text, copy.copy_data, copy.start_line) == ("COPY t FROM stdin;", "1\t:x;\n", 3)
    assert (last.text, last.start_line, last.interpolated(variables)) == (
        "SELECT :x;",
        6,
        "SELECT X;",
    )


def test_lines_after_copy_data_are_counted(pg: EmbeddedServer, tmp_path: Path) -> None:
    path = write(
        tmp_path / "data.sql",
        """
        CREATE TABLE t (a int, b text);
        COPY t FROM stdin;
        1\tone
        2\ttwo
        \\.
        SELECT nosuch FROM t;
        """,
    )
    with pytest.raises(DdpError) as caught:
        load_as_loader(pg, path)
    assert caught.value.message == (
        f'DDP SYNC failed: {path} line 6: column "nosuch" does not exist'
    )
