"""Helpers shared by test modules (a test module never imports another test module).

``ddp`` runs the command as a user would; ``ddp_isolated`` runs it in a TMPDIR of its own, so
that what a run leaves behind (``assert_nothing_left``) is exactly that run's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Server

ROOT = Path(__file__).resolve().parent.parent

#: Catalog queries per side, whatever the size: the README's "16 catalog queries per side"
#: (the views' definitions, the 16th, take one more query per further 500 views).
CATALOG_QUERIES = 16


def ddp(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``ddp ARGS`` as a user runs it, with no SOURCE_DB_*/TARGET_DB_*/OUTPUT_FILE inherited."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    clean.pop("OUTPUT_FILE", None)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def side_args(server: Server, side: str, database: str, schema: str | None = "public") -> list[str]:
    """Connection flags of one side; ``schema=None`` leaves the schema flag out."""
    return [
        f"--{side}-host",
        server.host,
        f"--{side}-port",
        str(server.port),
        f"--{side}-database",
        database,
        f"--{side}-username",
        server.user,
        *([f"--{side}-schema", schema] if schema is not None else []),
    ]


def ddp_env(run_tmp: Path) -> dict[str, str]:
    """The environment of a ddp run in its own TMPDIR, no connection settings inherited."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SOURCE_DB_", "TARGET_DB_", "PG")) and k != "OUTPUT_FILE"
    }
    env.update(TMPDIR=str(run_tmp), PYTHONPATH=str(ROOT))
    return env


def ddp_isolated(*args: str, run_tmp: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine.cli", *args],
        cwd=cwd,
        env=ddp_env(run_tmp),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_nothing_left(run_tmp: Path) -> None:
    """No server process works in or names the run's TMPDIR, and it holds no ddp-pg-* dir."""
    assert processes_of(-1, run_tmp) == []
    assert list(run_tmp.glob("ddp-pg-*")) == []


def processes_of(server_pid: int, data_dir: Path) -> list[int]:
    """Pids of live processes that belong to the server, found by scanning /proc.

    The postmaster's command line names the data directory. Its children rename themselves
    ("postgres: checkpointer") and lead their own sessions, but they are its children and
    they all work in the data directory (even after it is deleted: "... (deleted)").
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        fields = stat.rsplit(")", 1)[-1].split()
        state, ppid = fields[0], int(fields[1])
        if state == "Z":
            continue
        if str(data_dir).encode() in cmdline or ppid == server_pid or cwd.startswith(str(data_dir)):
            found.append(int(entry.name))
    return found


TAMPER = """
CREATE SCHEMA ops;
CREATE FUNCTION ops.tamper() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_catalog.to_regclass('public.t') IS NOT NULL AND pg_catalog.obj_description(
       pg_catalog.to_regclass('public.t'), 'pg_class') IS DISTINCT FROM 'tampered' THEN
    COMMENT ON TABLE public.t IS 'tampered';
  END IF;
END $$;
CREATE EVENT TRIGGER tamper ON ddl_command_end EXECUTE FUNCTION ops.tamper();
"""


#: A shadow function and operator planted in public, where a careless unqualified call or
#: comparison would find them first: running either fails the statement that ran it.
TRAP = """
CREATE FUNCTION public.ddp_trap(a text, b text) RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'shadow operator ran'; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.ddp_trap);
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'shadow function ran'; END$$;
"""

#: A name with a quote and a newline, quoted for SQL.
ODD = 'au"dit\nlog'
ODD_SQL = '"au""dit\nlog"'
