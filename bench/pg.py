"""The PostgreSQL server under test, through ``psql`` (as the given user; a password comes
from ``PGPASSWORD`` or ``.pgpass``): the ``ddp_bench_<N>_src`` / ``_tgt`` pairs, loaded from
``generate.py``'s SQL, and the few facts the runner reads about them.

Only databases whose name starts with ``ddp_bench_`` are ever created or dropped.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH, PREFIX, WORK, log


class Pg:
    """The server: its address, and ``psql`` commands against one of its databases."""

    def __init__(self, host: str, port: int, user: str):
        self.host, self.port, self.user = host, port, user

    def args(self, db: str) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", db]

    def run_file(self, db: str, path: Path) -> list[str]:
        """The command that runs the SQL file ``path`` in ``db``, stopping at the first error."""
        return ["psql", *self.args(db), "-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path)]

    def psql(self, db: str, sql: str) -> str:
        """Run ``sql`` in ``db``; its output, unaligned, without headers."""
        out = subprocess.run(
            ["psql", *self.args(db), "-X", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"psql -d {db}: {out.stderr.strip()}")
        return out.stdout.strip()

    def url(self, db: str, driver: str = "postgresql+psycopg2") -> str:
        pw = os.environ.get("PGPASSWORD")
        auth = self.user + (f":{pw}" if pw else "")
        return f"{driver}://{auth}@{self.host}:{self.port}/{db}"


def check_name(db: str) -> None:
    """Stop unless ``db`` is one of the benchmark's own databases."""
    if not db.startswith(PREFIX) or not re.fullmatch(r"[a-z0-9_]+", db):
        raise SystemExit(f"refusing to touch database {db!r}: not a {PREFIX}* name")


def database_marker(pg: Pg, db: str) -> str | None:
    check_name(db)
    found = pg.psql(
        "postgres",
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{db}'",
    )
    return found or None


def database_exists(pg: Pg, db: str) -> bool:
    check_name(db)
    return pg.psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def load_pair(pg: Pg, n: int, reload: bool) -> dict:
    """Generate and load ddp_bench_<n>_src / _tgt; returns the generator's stats and load times."""
    info: dict = {}
    jobs = []
    for side, changed in (("src", True), ("tgt", False)):
        db = f"{PREFIX}{n}_{side}"
        check_name(db)
        sql_path = WORK / f"{db}.sql"
        cmd = [sys.executable, str(BENCH / "generate.py"), "--tables", str(n)]
        if changed:
            cmd += ["--changed", "--log", str(WORK / f"{db}.changes.txt")]
        with open(sql_path, "w") as fh:
            subprocess.run(cmd, stdout=fh, check=True)
        text = sql_path.read_text()
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        marker = f"ddp-bench {digest}"
        info[side] = {"stats": text.splitlines()[1].lstrip("- "), "database": db}
        if not reload and database_exists(pg, db) and database_marker(pg, db) == marker:
            log(f"{db}: already loaded with the same SQL, kept (--reload to force)")
            info[side]["load_seconds"] = None
            continue
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
        pg.psql("postgres", f"CREATE DATABASE {db}")
        log(f"{db}: loading {sql_path.name} ({len(text) / 1e6:.1f} MB)")
        proc = subprocess.Popen(
            pg.run_file(db, sql_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        jobs.append((side, db, marker, proc, time.perf_counter()))
    for side, db, _marker, proc, started in jobs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"loading {db} failed: {err.strip()[-2000:]}")
        info[side]["load_seconds"] = time.perf_counter() - started
        log(f"{db}: loaded in {info[side]['load_seconds']:.1f} s")
    for side in ("src", "tgt"):
        db = info[side]["database"]
        # Fresh catalog statistics, so that no tool's timing meets an autovacuum or a stale plan.
        cats = pg.psql(
            db,
            "SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'",
        )
        pg.psql(db, f"VACUUM (ANALYZE) {cats}")
        if info[side]["load_seconds"] is not None:
            marker = [j[2] for j in jobs if j[1] == db][0]
            pg.psql("postgres", f"COMMENT ON DATABASE {db} IS '{marker}'")
    return info


def cancel_queries(pg: Pg, n: int) -> None:
    """Cancel what a killed tool left running on the server, on this pair's databases only."""
    pg.psql(
        "postgres",
        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname IN ('{PREFIX}{n}_src', '{PREFIX}{n}_tgt') AND pid <> pg_backend_pid()",
    )


def fingerprint(pg: Pg, db: str) -> str:
    """Enough of ``db``'s catalog to tell that a tool changed it."""
    return pg.psql(
        db,
        "SELECT (SELECT count(*) FROM pg_class) || '/' || "
        "(SELECT max(oid::int8) FROM pg_class) || '/' || (SELECT count(*) FROM pg_proc)",
    )
