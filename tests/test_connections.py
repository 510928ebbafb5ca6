"""Connections the libpq way: URLs, key=value strings, services, PG* variables, the Unix socket.

Each end-to-end test runs ``ddp sync --dry-run --exit-code`` between a source holding a table
and an empty target: exit 2 with ``CREATE TABLE`` shows that both sides were reached, and reached
in the databases meant (a wrong source would be in sync with the empty target, or fail).
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from ddp_engine.connect import connect
from ddp_engine.embedded import EmbeddedServer, embedded_server
from ddp_engine.errors import BadInput, CredentialsMissing
from ddp_engine.settings import resolve_side
from tests.conftest import Server

#: What a user's environment may hold that would change where ddp connects.
OWN_PREFIXES = ("SOURCE_DB_", "TARGET_DB_", "PG", "OUTPUT_FILE")


def ddp(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``ddp`` as the installed script runs it, with no SOURCE_DB_*/TARGET_DB_*/PG* of ours
    and ``home`` as the home directory (no ~/.pgpass or ~/.pg_service.conf of the machine)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    clean.update(HOME=str(home), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine", *args],
        cwd=home,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def pair(make_db) -> tuple[str, str]:
    """A source with a table and an empty target."""
    return make_db("CREATE TABLE public.t (id int PRIMARY KEY);"), make_db()


def url(server: Server, database: str, password: str = "") -> str:
    auth = f"{server.user}:{password}" if password else server.user
    return f"postgresql://{auth}@{server.host}:{server.port}/{database}"


def assert_drift_found(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 2, result.stderr
    assert 'CREATE TABLE "public"."t"' in result.stdout


def test_url_and_key_value_string(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair
    dsn = f"host={server.host} port={server.port} dbname={target} user={server.user}"
    result = ddp(
        "sync", "--source", url(server, source), "--target", dsn,
        "--dry-run", "--exit-code", home=tmp_path,
    )  # fmt: skip
    assert_drift_found(result)


def test_urls_from_the_environment(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair
    env = {"SOURCE_DB_URL": url(server, source), "TARGET_DB_URL": url(server, target)}
    assert_drift_found(ddp("sync", "--dry-run", "--exit-code", home=tmp_path, env=env))


def test_service_file(server: Server, pair, tmp_path: Path) -> None:
    """Services by ``service=`` in the string and by PGSERVICE, from the file PGSERVICEFILE
    names: host, port, database and role all come from the file."""
    source, target = pair
    services = tmp_path / "pg_service.conf"
    services.write_text(
        "# two sides\n"
        f"[ddp_src]\nhost={server.host}\nport={server.port}\ndbname={source}\n"
        f"user={server.user}\n\n"
        f"[ddp_tgt]\nhost={server.host}\nport={server.port}\ndbname={target}\n"
        f"user={server.user}\n"
    )
    env = {"PGSERVICEFILE": str(services)}
    result = ddp(
        "sync", "--source", "service=ddp_src", "--target", "service=ddp_tgt",
        "--dry-run", "--exit-code", home=tmp_path, env=env,
    )  # fmt: skip
    assert_drift_found(result)
    by_env = ddp(
        "sync", "--source", "service=ddp_src", "--dry-run", "--exit-code",
        home=tmp_path, env={**env, "PGSERVICE": "ddp_tgt"},
    )  # fmt: skip
    assert_drift_found(by_env)
    missing = ddp("sync", "--source", "service=nope", "--target", "service=ddp_tgt",
                  home=tmp_path, env=env)  # fmt: skip
    assert missing.returncode == 64
    assert missing.stderr.strip().startswith("DDP SYNC failed: service nope is not defined")


def test_pg_variables_are_the_fallback(server: Server, pair, tmp_path: Path) -> None:
    """PGHOST/PGPORT/PGUSER/PGDATABASE give the target: no credentials message, and the
    host and port are libpq's, not localhost:5432."""
    source, target = pair
    env = {
        "PGHOST": server.host,
        "PGPORT": str(server.port),
        "PGUSER": server.user,
        "PGDATABASE": target,
    }
    result = ddp("sync", "--source", url(server, source), "--dry-run", "--exit-code",
                 home=tmp_path, env=env)  # fmt: skip
    assert_drift_found(result)
    assert f"({target}@{server.host}:{server.port})" in result.stdout  # the script's header


def test_precedence_end_to_end(server: Server, pair, tmp_path: Path) -> None:
    """flag > SOURCE_DB_* > the URL's part > PG*: every losing source names a database that
    does not exist, so reaching the right one shows the order."""
    source, target = pair
    env = {
        "SOURCE_DB_URL": url(server, "ddp_test_no_such_db_url"),
        "SOURCE_DB_NAME": source,  # beats the URL's database
        "TARGET_DB_NAME": "ddp_test_no_such_db_env",
        "PGDATABASE": "ddp_test_no_such_db_pg",
    }
    result = ddp(
        "sync", "--target", url(server, "ddp_test_no_such_db_pg"),
        "--target-database", target,  # beats TARGET_DB_NAME and the URL
        "--dry-run", "--exit-code", home=tmp_path, env=env,
    )  # fmt: skip
    assert_drift_found(result)


# --------------------------------------------------------------------------------------------
# The order, value by value (no server needed)


def test_precedence_value_by_value(tmp_path: Path) -> None:
    flags = {"url": "postgresql://url_user:url_pw@url_host:1111/url_db?sslmode=require",
             "host": "flag_host"}  # fmt: skip
    environ = {"SOURCE_DB_PORT": "2222", "SOURCE_DB_NAME": "env_db"}
    libpq = {"PGHOST": "pg_host", "PGUSER": "pg_user", "PGSSLMODE": "disable", "HOME": "/"}
    settings = resolve_side("source", flags, environ, libpq)
    assert (settings.host, settings.port, settings.database, settings.user) == (
        "flag_host", 2222, "env_db", "url_user",
    )  # fmt: skip
    assert settings.password is not None and settings.password.get_secret_value() == "url_pw"
    assert settings.sslmode == "require"
    assert "url_pw" not in repr(settings)


def test_libpq_sources_are_left_to_libpq(tmp_path: Path) -> None:
    """With PGHOST/PGPORT or a service giving them, ddp passes no host or port (libpq reads its
    own); with none of them, localhost and 5432."""
    services = tmp_path / "services.conf"
    services.write_text("[only_db]\ndbname=svc_db\nuser=svc_user\n[full]\nhost=/tmp\nport=6543\n")
    flags = {"database": "d", "user": "u"}
    env = {"PGSERVICEFILE": str(services), "HOME": str(tmp_path)}

    def kwargs(**libpq: str) -> dict:
        return resolve_side("target", flags, {}, {**env, **libpq}).connect_kwargs()

    plain = kwargs()
    assert (plain["host"], plain["port"]) == ("localhost", 5432)
    by_env = kwargs(PGHOST="/var/run/postgresql", PGPORT="5433")
    assert "host" not in by_env and "port" not in by_env
    by_service = kwargs(PGSERVICE="full")
    assert "host" not in by_service and "port" not in by_service
    assert by_service["service"] == "full"
    only_db = resolve_side("target", {}, {}, {**env, "PGSERVICE": "only_db"})
    assert (only_db.database, only_db.user, only_db.host) == ("svc_db", "svc_user", "localhost")
    assert "password" not in plain  # .pgpass and PGPASSWORD stay libpq's


@pytest.mark.parametrize(
    ("flags", "environ", "libpq", "error", "message"),
    [
        ({"user": "u"}, {}, {}, CredentialsMissing, "Error: Target database credentials are required."),
        ({"url": "postgresql://h/db"}, {}, {}, CredentialsMissing, "credentials are required"),
        ({"url": "postgresql://u@h/db"}, {}, {}, None, ""),
        ({"url": "host=h dbname"}, {}, {}, BadInput, "DDP SYNC failed: --target is neither a URL"),
        ({}, {"TARGET_DB_URL": "postgresql://u@h:x/d"}, {}, BadInput,
         "DDP SYNC failed: the port in TARGET_DB_URL must be a number"),
        ({"url": "postgresql://u@h/d?sslmode=bogus"}, {}, {}, BadInput,
         "DDP SYNC failed: the sslmode in --target must be one of"),
        ({"url": "postgresql://u@h:70000/d"}, {}, {}, BadInput, "DDP SYNC failed: the port in --target"),
        ({"database": "d"}, {}, {"PGUSER": "pg"}, None, ""),
    ],
)  # fmt: skip
def test_what_is_missing_or_wrong(flags, environ, libpq, error, message, tmp_path) -> None:
    libpq = {"HOME": str(tmp_path), **libpq}
    if error is None:
        assert resolve_side("target", flags, environ, libpq).database
        return
    with pytest.raises(error) as raised:
        resolve_side("target", flags, environ, libpq)
    assert str(raised.value.message).startswith(message) or message in raised.value.message


# --------------------------------------------------------------------------------------------
# The command line itself


def test_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = ddp("--version", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"ddp {version('ddp')}\n"


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_port_must_be_a_port_number(value: str, tmp_path: Path) -> None:
    result = ddp("sync", "--exit-code", "--target-port", value, home=tmp_path)
    assert result.returncode == 64
    assert result.stderr.count("\n") == 1 and "--target-port" in result.stderr
    assert result.stderr.startswith("DDP SYNC failed: ") and result.stdout == ""


def test_bad_url_is_one_line_without_its_password(tmp_path: Path) -> None:
    result = ddp("sync", "--source", "host=h password=Url-S3cret dbname", home=tmp_path)
    assert result.returncode == 64
    assert result.stderr.count("\n") == 1 and "Url-S3cret" not in result.stderr


def test_url_password_never_shown_on_failure(server: Server, tmp_path: Path) -> None:
    """A refused connection named by a URL with a password: one line, no password."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    result = ddp(
        "sync", "--source", f"postgresql://u:Url-S3cret@127.0.0.1:{port}/d",
        "--target", f"host=127.0.0.1 port={port} dbname=d user=u password='Dsn S3cret'",
        home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "refused" in result.stderr
    assert "S3cret" not in result.stderr + result.stdout


def test_url_password_hidden_from_the_process_title(tmp_path: Path) -> None:
    """While ddp waits on a server that accepts and never answers, ``ps`` shows the URL and
    the key=value string without their passwords."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "ddp_engine", "sync",
            "--source", f"postgresql://u:Url-S3cret@127.0.0.1:{port}/d",
            f"--target=host=127.0.0.1 port={port} dbname=d user=u password='Dsn S3cret'",
        ],
        cwd=tmp_path,
        env={**clean, "PGCONNECT_TIMEOUT": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        listener.settimeout(20)
        held, _ = listener.accept()  # ddp is connecting: its own code has run
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()
    finally:
        proc.kill()
        proc.wait()
        listener.close()
    held.close()
    assert "S3cret" not in cmdline
    assert f"postgresql://u:***@127.0.0.1:{port}/d" in cmdline
    assert "password=*** " in cmdline or "password=***\0" in cmdline or "password=***" in cmdline


# --------------------------------------------------------------------------------------------
# The Unix socket: trust, and peer authentication on a server of the test's own


@pytest.fixture(scope="module")
def peer_server() -> Iterator[EmbeddedServer]:
    """An embedded server whose socket takes peer authentication only, with a role named like
    the user running the tests (TCP stays trust, for setting it up)."""
    with embedded_server() as server:
        if server.socket_dir is None:
            pytest.fail("the embedded server has no Unix socket (its folder path is too long)")
        hba = server.data_dir / "pg_hba.conf"
        hba.write_text("local all all peer\nhost all all 127.0.0.1/32 trust\n")
        with psycopg.connect(server.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE ROLE "{getpass.getuser()}" LOGIN')
            conn.execute("CREATE DATABASE peer_src")
            conn.execute("CREATE DATABASE peer_tgt")
            conn.execute("SELECT pg_catalog.pg_reload_conf()")
        with psycopg.connect(server.conninfo("peer_src"), autocommit=True) as conn:
            conn.execute(
                f'CREATE TABLE public.t (id int PRIMARY KEY); GRANT USAGE ON SCHEMA public TO "{getpass.getuser()}"'
            )
        time.sleep(0.5)  # the postmaster reads pg_hba.conf again on SIGHUP
        yield server


def test_peer_authentication_over_the_socket(peer_server: EmbeddedServer, tmp_path) -> None:
    """``--*-host`` a folder, and PGHOST a folder: the socket, where only peer authentication is
    accepted, so the role must be the operating system's user."""
    folder = str(peer_server.socket_dir)
    me = getpass.getuser()
    port = str(peer_server.port)
    result = ddp(
        "sync", "--source-host", folder, "--source-port", port,
        "--source-database", "peer_src", "--source-username", me,
        "--target", f"postgresql:///peer_tgt?host={folder}&port={port}&user={me}",
        "--dry-run", "--exit-code", home=tmp_path,
    )  # fmt: skip
    assert_drift_found(result)
    by_env = ddp(
        "sync", "--source-database", "peer_src", "--target-database", "peer_tgt",
        "--dry-run", "--exit-code", home=tmp_path,
        env={"PGHOST": folder, "PGPORT": port, "PGUSER": me},
    )  # fmt: skip
    assert_drift_found(by_env)
    other = ddp(
        "sync", "--source-host", folder, "--source-port", port, "--source-database",
        "peer_src", "--source-username", peer_server.user, "--target-database", "peer_tgt",
        "--dry-run", home=tmp_path, env={"PGHOST": folder, "PGPORT": port, "PGUSER": me},
    )  # fmt: skip
    assert other.returncode == 1 and "peer authentication failed" in other.stderr.lower()


def test_url_options_never_undo_the_empty_search_path(server: Server, tmp_path: Path) -> None:
    """A URL's own ``options`` reach the server, but ddp's session settings come after them on
    the same line and win: the search_path stays empty."""
    options = "-c search_path=public -c work_mem=7MB"
    settings = resolve_side(
        "source",
        {"url": f"{url(server, 'postgres')}?options={quote(options, safe='')}"},
        {},
        {"HOME": str(tmp_path)},
    )
    with connect(settings, "source") as conn:
        assert conn.execute("SHOW search_path").fetchone() == ("",)
        assert conn.execute("SHOW work_mem").fetchone() == ("7MB",)


def test_url_and_sql_file_for_one_side_conflict(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE t (a int);\n")
    result = ddp("sync", "--source-sql", "a.sql", "--source", "postgresql://u@h/d", home=tmp_path)
    assert result.returncode == 64
    assert result.stderr == "Error: --source-sql cannot be combined with --source\n"
