"""The tools timed against each other, and what they need: ddp, the lower bound, pg_dump and
migra (installed by the runner into ``bench/work/migra-venv``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from common import BENCH, REPO, WORK, log
from pg import Pair, Pg

TOOLS = ("ddp", "ddp_cached", "lower_bound", "pg_dump_src", "pg_dump_tgt", "migra")
TOOL_TITLES = {
    "ddp": "ddp sync",
    "ddp_cached": "ddp sync, cached",
    "lower_bound": "lower bound",
    "pg_dump_src": "pg_dump src",
    "pg_dump_tgt": "pg_dump tgt",
    "migra": "migra",
}


def find_ddp(explicit: str | None) -> str:
    if explicit:
        return explicit
    local = REPO / ".venv" / "bin" / "ddp"
    return str(local) if local.exists() else (shutil.which("ddp") or str(local))


def engine_python() -> str:
    """An interpreter with psycopg 3 (for lower_bound.py): this one or the repo's venv."""
    try:
        import psycopg  # noqa: F401

        return sys.executable
    except ImportError:
        return str(REPO / ".venv" / "bin" / "python")


def ensure_venv(path: Path, packages: list[str], probe: list[str]) -> tuple[bool, str]:
    """Create ``path`` with ``packages`` unless ``probe`` already runs there; (ok, message)."""
    py = path / "bin" / "python"
    if py.exists() and subprocess.run([str(py), *probe], capture_output=True).returncode == 0:
        return True, "already installed"
    log(f"installing {' '.join(packages)} into {path.relative_to(REPO)}")
    try:
        if not py.exists():
            venv.create(path, with_pip=True)
        out = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", *packages],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"venv/pip failed: {exc}"
    if out.returncode != 0:
        tail = [ln for ln in out.stderr.splitlines() if ln.strip() and "WARNING" not in ln]
        return False, f"pip install failed: {(tail or ['?'])[-1][:200]}"
    if subprocess.run([str(py), *probe], capture_output=True).returncode != 0:
        return False, "installed but does not run"
    return True, "installed"


def prepare_migra() -> tuple[tuple[bool, str], str]:
    """migra in its own venv: (whether it runs, and why not), and its packages' versions."""
    migra_ok = ensure_venv(
        WORK / "migra-venv", ["migra", "psycopg2-binary"], ["-c", "import migra, psycopg2"]
    )
    if not migra_ok[0]:
        return migra_ok, f"unavailable ({migra_ok[1]})"
    return migra_ok, package_versions(
        WORK / "migra-venv", ["migra", "schemainspect", "sqlbag", "SQLAlchemy", "psycopg2-binary"]
    )


def package_versions(path: Path, names: list[str]) -> str:
    py = path / "bin" / "python"
    out = subprocess.run(
        [str(py), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True
    )
    try:
        pkgs = {p["name"].lower(): p["version"] for p in json.loads(out.stdout)}
    except (json.JSONDecodeError, KeyError):
        return ""
    return ", ".join(f"{n} {pkgs[n.lower()]}" for n in names if n.lower() in pkgs)


def scope_args(pair: Pair, flag: str) -> list[str]:
    """The schema options of ddp and the lower bound for a pair: ``--all-schemas``, or one
    schema a side (``flag`` % side gives the option's name)."""
    if pair.src_schema is None or pair.tgt_schema is None:
        return ["--all-schemas"]
    return [flag % "source", pair.src_schema, flag % "target", pair.tgt_schema]


def tool_commands(
    args: argparse.Namespace, pg: Pg, pair: Pair, tmp: Path
) -> dict[str, tuple[list[str], tuple, dict]]:
    """Every tool's command on ``pair``, the exit codes that mean success, and its cwd/env.
    migra is left out of the ``cross`` layout: it compares one schema name on both sides."""
    src, tgt = pair.src_db, pair.tgt_db
    pw = os.environ.get("PGPASSWORD")
    ddp = [find_ddp(args.ddp), "sync"]
    for side, db in (("source", src), ("target", tgt)):
        ddp += [f"--{side}-host", pg.host, f"--{side}-port", str(pg.port)]
        ddp += [f"--{side}-database", db, f"--{side}-username", pg.user]
        if pw:
            ddp += [f"--{side}-password", pw]
    ddp += scope_args(pair, "--%s-schema")
    ddp += ["--output", str(tmp / "ddp.sql"), *args.ddp_args]
    lower = [engine_python(), str(BENCH / "lower_bound.py"), "--host", pg.host]
    lower += ["--port", str(pg.port), "--username", pg.user]
    lower += ["--source-database", src, "--target-database", tgt]
    lower += scope_args(pair, "--%s-schema")
    dump = ["pg_dump", "--schema-only", "-h", pg.host, "-p", str(pg.port), "-U", pg.user]
    dumps = {}
    for side, db, schema in (("src", src, pair.src_schema), ("tgt", tgt, pair.tgt_schema)):
        only = ["-n", schema] if pair.layout == "cross" and schema else []
        dumps[f"pg_dump_{side}"] = (
            dump + only + ["-f", str(tmp / f"{side}.dump.sql"), db],
            (0,),
            {},
        )
    migra = [str(WORK / "migra-venv" / "bin" / "migra"), "--unsafe"]
    if pair.src_schema is not None:
        migra += ["--schema", pair.src_schema]
    migra += [pg.url(tgt), pg.url(src)]
    # ddp runs in an empty directory, with no SOURCE_/TARGET_DB_ variables, so that no .env or
    # environment setting of the caller slips in; and with its bytecode written once and kept,
    # as an installed package has it (PYTHONDONTWRITEBYTECODE in the caller's environment
    # would make every run compile ddp_engine again: 0.15-0.2 s of CPU).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SOURCE_DB_", "TARGET_DB_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    # The same sync with a snapshot cache (--cache), primed by an untimed run: the pair has not
    # changed since, so each timed run reads the catalog epochs and the files.
    cached = [*ddp, "--cache", str(tmp / "cache")]
    commands = {
        "ddp": (ddp, (0,), {"cwd": tmp, "env": env}),
        "ddp_cached": (cached, (0,), {"cwd": tmp, "env": env}),
        "lower_bound": (lower, (0,), {}),
        **dumps,
        # migra exits 2 when it found differences (the expected case here).
        "migra": (migra, (0, 2), {}),
    }
    if pair.layout == "cross":
        del commands["migra"]
    return commands
