"""Issue 4's catalogue of hostile and bad input: each gets a correct script, or one clear line
and a non-zero exit; never a traceback, never a password."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

import pytest

from ddp_engine.sqltext import dropped_name, split_ident, unquote
from ddp_engine.sync import compare
from tests.conftest import Server
from tests.helpers import ddp, side_args

SECRET = "pa$$-w0rd'\"; --"

NAMES = {
    "double_quotes": 'we"ird',
    "semicolon": "a;b",
    "sql_comment": "x -- y",
    "dollar_quotes": "$$x$$",
    "backslash": "back\\slash",
    "unicode": "ünïcødé_表",
    "reserved_word": "select",
    "capitals_and_space": "My Table",
    "newline": "line\nbreak",
    "max_63_bytes": "n" * 63,
    "multibyte_63_bytes": "é" * 31 + "x",
    "injection": 'a"; DROP TABLE victim; --',
}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.mark.parametrize("case", sorted(NAMES))
def test_hostile_identifier_converges(case: str, converge) -> None:
    name = NAMES[case]
    target = f"CREATE TABLE victim (a int); CREATE TABLE {q(name)} ({q(name)} int);"
    source = (
        f"CREATE TABLE victim (a int); CREATE TABLE {q(name)} ({q(name)} bigint, "
        f"{q(name[:20] + '2')} text DEFAULT 'x'); CREATE INDEX {q(name[:10] + 'i')} ON "
        f"{q(name)} ({q(name)}); COMMENT ON TABLE {q(name)} IS {literal(name)};"
    )
    converge(target, source)
    converge(source, "CREATE TABLE victim (a int);")  # and renamed away, data kept


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_dropped_name_of_long_identifiers_stays_unique_and_short() -> None:
    stamp = "2024-01-15T10-30-45-123Z"
    a = dropped_name("x" * 60 + "a", stamp)
    b = dropped_name("x" * 60 + "b", stamp)
    assert a != b
    assert len(a.encode()) <= 63 and len(b.encode()) <= 63
    assert a.endswith(f"_dropped_{stamp}")
    multibyte = dropped_name("é" * 40, stamp)
    assert len(multibyte.encode()) <= 63
    multibyte.encode().decode()  # still valid UTF-8: cut on a character boundary


def test_two_long_tables_dropped_together(converge) -> None:
    converge(f'CREATE TABLE "{"t" * 62}1" (a int); CREATE TABLE "{"t" * 62}2" (a int);', "")


@pytest.mark.parametrize(
    "expression",
    ["'); DROP TABLE victim; --'", "'$$ $body$ \\\\'", "E'\\\\x00'::bytea::text", "'--'"],
)
def test_defaults_and_checks_that_look_like_sql(expression: str, converge) -> None:
    converge(
        "CREATE TABLE victim (a int); CREATE TABLE t (a text);",
        f"CREATE TABLE victim (a int); CREATE TABLE t (a text DEFAULT {expression} "
        f"CHECK (a <> {expression}));",
    )


def test_enum_labels_and_comments_with_quotes(converge) -> None:
    converge(
        "CREATE TYPE e AS ENUM ('it''s');",
        "CREATE TYPE e AS ENUM ('it''s', 'say \"hi\"', '$$'); "
        "COMMENT ON TYPE e IS 'multi\nline -- and ''quotes''';",
    )


def test_function_body_with_dollar_quotes(converge) -> None:
    converge(
        "",
        "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN "
        "RETURN $$it's $x$ -- not a comment$$; END $fn$;",
    )


def test_empty_schemas_are_in_sync(converge) -> None:
    result = converge("", "")
    assert result.plan.is_empty


def test_unsupported_objects_are_reported(server: Server, make_db) -> None:
    """Rules and statistics are synchronised now; a conversion is a kind DDP leaves alone."""
    ddl = (
        "CREATE TABLE t (a int, b int); CREATE RULE r AS ON INSERT TO t DO ALSO NOTHING;"
        "CREATE STATISTICS s ON a, b FROM t;"
        "CREATE CONVERSION c FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;"
    )
    source, target = make_db(ddl), make_db("CREATE TABLE t (a int, b int);")
    result = compare(server.settings(source), server.settings(target))
    assert "Objects DDP does not synchronise" in result.script
    assert "conversion public.c" in result.script
    assert "CREATE RULE r AS" in result.script and "CREATE STATISTICS public.s" in result.script


def test_limited_role_reads_the_catalog(server: Server, make_db) -> None:
    """No privilege on the tables: introspection needs only the catalog."""
    with server.connect() as conn:
        conn.execute(
            "DO $$ BEGIN CREATE ROLE ddp_test_limited LOGIN; EXCEPTION WHEN "
            "duplicate_object OR unique_violation THEN NULL; END $$"
        )
    source = make_db("CREATE TABLE t (a int, b int); REVOKE ALL ON t FROM PUBLIC;")
    target = make_db("CREATE TABLE t (a int); REVOKE ALL ON t FROM PUBLIC;")
    settings = server.settings(source).model_copy(update={"user": "ddp_test_limited"})
    target_settings = server.settings(target).model_copy(update={"user": "ddp_test_limited"})
    result = compare(settings, target_settings)
    assert any(c.label == "public.t.b" for c in result.plan.changes)


def test_no_privilege_on_the_catalog_is_one_line(server: Server, make_db, tmp_path: Path) -> None:
    with server.connect() as conn:
        conn.execute(
            "DO $$ BEGIN CREATE ROLE ddp_test_limited LOGIN; EXCEPTION WHEN "
            "duplicate_object OR unique_violation THEN NULL; END $$"
        )
    db = make_db("CREATE TABLE t (a int); REVOKE SELECT ON pg_catalog.pg_attrdef FROM PUBLIC;")
    args = side_args(server, "source", db) + side_args(server, "target", db)
    args = [a if a != server.user else "ddp_test_limited" for a in args]
    result = ddp("sync", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "permission denied" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_host(tmp_path: Path, server: Server) -> None:
    result = ddp(
        "sync",
        "--source-host",
        "no-such-host.invalid",
        "--source-database",
        "d",
        "--source-username",
        "u",
        *side_args(server, "target", "postgres"),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("DDP SYNC failed: unknown host no-such-host.invalid")


def test_connect_timeout(tmp_path: Path, server: Server) -> None:
    """A port that accepts and never answers: connect_timeout gives up with one line."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.5)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        result = ddp(
            "sync",
            "--source-host",
            "127.0.0.1",
            "--source-port",
            str(port),
            "--source-database",
            "d",
            "--source-username",
            "u",
            *side_args(server, "target", "postgres"),
            cwd=tmp_path,
            env={"PGCONNECT_TIMEOUT": "2"},
        )
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert result.returncode == 1
    assert "timed out" in result.stderr and result.stderr.count("\n") == 1


def test_ssl_required_against_a_server_without_ssl(tmp_path: Path, server: Server) -> None:
    with server.connect() as conn:
        ssl = conn.execute("SHOW ssl").fetchone()
    if ssl and ssl[0] == "on":
        pytest.skip("this server speaks SSL")
    result = ddp(
        "sync",
        *side_args(server, "source", "postgres"),
        "--source-sslmode",
        "require",
        *side_args(server, "target", "postgres"),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "SSL" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("how", ["flag", "env", "dotenv"])
def test_password_never_printed(how: str, server: Server, make_db, tmp_path: Path) -> None:
    source, target = make_db("CREATE TABLE t (a int);"), make_db("")
    args = side_args(server, "source", source) + side_args(server, "target", target)
    env: dict[str, str] = {}
    if how == "flag":
        args += ["--source-password", SECRET, "--target-password", SECRET]
    elif how == "env":
        env = {"SOURCE_DB_PASSWORD": SECRET, "TARGET_DB_PASSWORD": SECRET, "PGPASSWORD": SECRET}
    else:
        (tmp_path / ".env").write_text(f"SOURCE_DB_PASSWORD='{SECRET}'\n")
    ok = ddp("sync", *args, cwd=tmp_path, env=env)
    bad = ddp("sync", *args[:2], "--source-port", "1", *args[4:], cwd=tmp_path, env=env)
    for result in (ok, bad):
        assert SECRET not in result.stdout + result.stderr
    assert SECRET not in (tmp_path / "alter.sql").read_text()
    assert bad.returncode == 1


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--source-port", "abc"], "--source-port must be a number", 64),
        (["--output", "/dev/null/x.sql"], "cannot write /dev/null/x.sql", 1),
        (["--env", "/nonexistent.env"], ".env file not found", 64),
    ],
)
def test_bad_options_are_one_line(args, message, code, server: Server, make_db, tmp_path) -> None:
    db = make_db("")
    base = side_args(server, "source", db) + side_args(server, "target", db)
    if args[0] == "--source-port":
        base[base.index("--source-port") + 1] = args[1]
        args = []
    result = ddp("sync", *base, *args, cwd=tmp_path)
    assert result.returncode == code  # 64: a usage error (EX_USAGE)
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_identifiers_split_after_their_closing_quote() -> None:
    """Domain constraints and composite attributes come as ``<identifier> <rest>`` text."""
    assert split_ident('"my ""odd"" c" CHECK ((VALUE > 0))') == (
        '"my ""odd"" c"',
        "CHECK ((VALUE > 0))",
    )
    assert split_ident("plain CHECK (x)") == ("plain", "CHECK (x)")
    assert split_ident('"a b" text') == ('"a b"', "text")
    assert unquote('"my ""odd"" c"') == 'my "odd" c'
    assert unquote("plain") == "plain"


def test_domain_constraints_and_attributes_with_spaces_and_quotes_converge(converge) -> None:
    """Names with spaces and quotes in domain constraints and composite attributes are dropped,
    renamed and commented by their whole name."""
    result = converge(
        'CREATE DOMAIN d AS int CONSTRAINT "my ""odd"" c" CHECK (VALUE > 0)'
        ' CONSTRAINT "gone one" CHECK (VALUE < 100);'
        'COMMENT ON CONSTRAINT "my ""odd"" c" ON DOMAIN d IS \'x\';'
        'CREATE TYPE item AS ("the name" text, "old ""price""" int);',
        'CREATE DOMAIN d AS int CONSTRAINT "new ""odd"" c" CHECK (VALUE > 0);'
        'COMMENT ON CONSTRAINT "new ""odd"" c" ON DOMAIN d IS \'y\';'
        'CREATE TYPE item AS ("the name" text);',
    )
    assert 'RENAME CONSTRAINT "my ""odd"" c" TO "new ""odd"" c"' in result.script
    assert 'DROP CONSTRAINT "gone one"' in result.script
    assert 'DROP ATTRIBUTE "old ""price"""' in result.script
