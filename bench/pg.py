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
from dataclasses import dataclass
from pathlib import Path

from common import BENCH, PREFIX, WORK, log
from layouts import CROSS_SOURCE, CROSS_TARGET


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


@dataclass(frozen=True)
class Pair:
    """One layout at one size: the databases and schemas compared (``cross``: two schemas of
    one database; ``schemas``: every schema, ``None``)."""

    layout: str
    n: int

    @property
    def key(self) -> str:
        return f"{self.layout}_{self.n}"

    @property
    def src_db(self) -> str:
        return f"{PREFIX}{self.key}" if self.layout == "cross" else f"{PREFIX}{self.key}_src"

    @property
    def tgt_db(self) -> str:
        return f"{PREFIX}{self.key}" if self.layout == "cross" else f"{PREFIX}{self.key}_tgt"

    @property
    def src_schema(self) -> str | None:
        return {"cross": CROSS_SOURCE, "schemas": None}.get(self.layout, "public")

    @property
    def tgt_schema(self) -> str | None:
        return {"cross": CROSS_TARGET, "schemas": None}.get(self.layout, "public")

    @property
    def databases(self) -> list[str]:
        return list(dict.fromkeys((self.src_db, self.tgt_db)))


def load_pair(pg: Pg, pair: Pair, reload: bool) -> dict:
    """Generate and load a pair's scripts; returns the generator's stats and load times."""
    info: dict = {}
    scripts: dict[str, list[Path]] = {db: [] for db in pair.databases}
    for side, changed, db in (("src", True, pair.src_db), ("tgt", False, pair.tgt_db)):
        check_name(db)
        sql_path = WORK / f"{PREFIX}{pair.key}_{side}.sql"
        cmd = [sys.executable, str(BENCH / "generate.py"), "--tables", str(pair.n)]
        cmd += ["--layout", pair.layout]
        if changed:
            cmd += ["--changed", "--log", str(WORK / f"{PREFIX}{pair.key}_src.changes.txt")]
        with open(sql_path, "w") as fh:
            subprocess.run(cmd, stdout=fh, check=True)
        info[side] = {"stats": _stats(sql_path), "database": db}
        scripts[db].append(sql_path)
    jobs = []
    loaded: dict[str, float | None] = {}
    for db, paths in scripts.items():
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:16]
        marker = f"ddp-bench {digest}"
        if not reload and database_exists(pg, db) and database_marker(pg, db) == marker:
            log(f"{db}: already loaded with the same SQL, kept (--reload to force)")
            loaded[db] = None
            continue
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
        pg.psql("postgres", f"CREATE DATABASE {db}")
        for path in paths:
            log(f"{db}: loading {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
            proc = subprocess.Popen(
                pg.run_file(db, path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            jobs.append((db, marker, proc, time.perf_counter()))
    for db, _marker, proc, started in jobs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"loading {db} failed: {err.strip()[-2000:]}")
        loaded[db] = time.perf_counter() - started
        log(f"{db}: loaded in {loaded[db]:.1f} s")
    for side in ("src", "tgt"):
        info[side]["load_seconds"] = loaded[info[side]["database"]]
    for db in pair.databases:
        # Fresh catalog statistics, so that no tool's timing meets an autovacuum or a stale plan.
        cats = pg.psql(
            db,
            "SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'",
        )
        pg.psql(db, f"VACUUM (ANALYZE) {cats}")
        if loaded[db] is not None:
            marker = next(j[1] for j in jobs if j[0] == db)
            pg.psql("postgres", f"COMMENT ON DATABASE {db} IS '{marker}'")
    return info


def _stats(sql_path: Path) -> str:
    """The generator's stats line (the script's second line)."""
    with open(sql_path) as fh:
        fh.readline()
        return fh.readline().lstrip("- ").strip()


def cancel_queries(pg: Pg, pair: Pair) -> None:
    """Cancel what a killed tool left running on the server, on this pair's databases only."""
    names = ", ".join(f"'{db}'" for db in pair.databases)
    pg.psql(
        "postgres",
        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname IN ({names}) AND pid <> pg_backend_pid()",
    )


def fingerprint(pg: Pg, db: str) -> str:
    """Enough of ``db``'s catalog to tell that a tool changed it."""
    return pg.psql(
        db,
        "SELECT (SELECT count(*) FROM pg_class) || '/' || "
        "(SELECT max(oid::int8) FROM pg_class) || '/' || (SELECT count(*) FROM pg_proc)",
    )
