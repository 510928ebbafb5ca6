"""Password authentication on a real server: a wrong password is one line, a right one works,
neither ever appears in the output. Uses an embedded server of its own whose pg_hba.conf asks
for scram-sha-256 (the shared test server trusts everyone)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ddp_engine.embedded import EmbeddedServer, embedded_server
from tests.helpers import ddp

PASSWORD = "Rïght-pa55'\"$$"


@pytest.fixture(scope="module")
def scram_server() -> Iterator[EmbeddedServer]:
    with embedded_server() as server:
        with psycopg.connect(server.conninfo(), autocommit=True) as conn:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            conn.execute(
                f"CREATE ROLE app LOGIN PASSWORD '{PASSWORD.replace(chr(39), chr(39) * 2)}'"
            )
            conn.execute("CREATE DATABASE appdb OWNER app")
            hba = server.data_dir / "pg_hba.conf"
            hba.write_text("host all app 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
            conn.execute("SELECT pg_reload_conf()")
        yield server


def args(server: EmbeddedServer, password: str | None) -> list[str]:
    out = []
    for side in ("source", "target"):
        out += [
            f"--{side}-host",
            server.host,
            f"--{side}-port",
            str(server.port),
            f"--{side}-database",
            "appdb",
            f"--{side}-username",
            "app",
        ]
        if password is not None:
            out += [f"--{side}-password", password]
    return out


def test_wrong_password_is_one_line(scram_server, tmp_path: Path) -> None:
    result = ddp("sync", *args(scram_server, "wrong-Secret-1"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("DDP SYNC failed: authentication failed for user app")
    assert result.stderr.count("\n") == 1
    assert "wrong-Secret-1" not in result.stdout + result.stderr


def test_missing_password_is_one_line(scram_server, tmp_path: Path) -> None:
    result = ddp("sync", *args(scram_server, None), cwd=tmp_path, env={"PGPASSFILE": "/dev/null"})
    assert result.returncode == 1
    assert "authentication failed for user app" in result.stderr


def test_right_password_from_flag_env_and_pgpass(scram_server, tmp_path: Path) -> None:
    flag = ddp("sync", *args(scram_server, PASSWORD), "--exit-code", cwd=tmp_path)
    assert flag.returncode == 0, flag.stderr
    env = ddp(
        "sync",
        *args(scram_server, None),
        cwd=tmp_path,
        env={"SOURCE_DB_PASSWORD": PASSWORD, "TARGET_DB_PASSWORD": PASSWORD},
    )
    assert env.returncode == 0, env.stderr
    pgpass = tmp_path / "pgpass"
    escaped = PASSWORD.replace("\\", "\\\\").replace(":", "\\:")
    pgpass.write_text(f"{scram_server.host}:{scram_server.port}:appdb:app:{escaped}\n")
    pgpass.chmod(0o600)
    from_file = ddp(
        "sync", *args(scram_server, None), cwd=tmp_path, env={"PGPASSFILE": str(pgpass)}
    )
    assert from_file.returncode == 0, from_file.stderr
    for result in (flag, env, from_file):
        assert PASSWORD not in result.stdout + result.stderr
    assert PASSWORD not in (tmp_path / "alter.sql").read_text()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:SeCrEt-9@db.example:5432/postgres",
        "host=db.example password=SeCrEt-9 user=app",
        "host=db.example password='Se Cr\\'Et-9' user=app",
        "postgresql://app@db.example/postgres?sslmode=require&password=SeCrEt-9",
    ],
)
@pytest.mark.parametrize("joined", [False, True])
def test_a_password_in_the_shadow_url_is_hidden_from_the_process_title(
    url: str, joined: bool
) -> None:
    """``--shadow-url`` may carry a password: ``ps`` must not show it while ddp runs."""
    import subprocess
    import sys

    argv = [f"--shadow-url={url}"] if joined else ["--shadow-url", url]
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ddp_engine.proctitle import hide_passwords; "
            "hide_passwords(sys.argv); "
            "print(open('/proc/self/cmdline', 'rb').read().replace(b'\\0', b' ').decode())",
            *argv,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "SeCrEt" not in shown and "Cr\\'Et" not in shown, shown
    assert "db.example" in shown


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("host", 'could not translate host name "{url}" to address: Name or service not known'),
        ("database", 'FATAL: database "{url}" does not exist'),
        ("database", 'FATAL: something unforeseen about "{url}"'),
    ],
)
def test_a_url_given_as_a_name_shows_no_password(field: str, error: str) -> None:
    """A connection URL typed where a host or database name belongs comes back in libpq's
    message and in the hint: its password never does."""
    from ddp_engine.connect import describe_connection_error
    from ddp_engine.settings import ConnectionSettings

    url = "postgresql://app:SeCrEt-9@db.example:5432/appdb"
    values = {"host": "127.0.0.1", "database": "appdb", field: url}
    settings = ConnectionSettings(user="app", **values)
    message = describe_connection_error(Exception(error.format(url=url)), settings, "target")
    assert "SeCrEt" not in message and "db.example" in message, message
