#!/usr/bin/env python3
"""The physical lower bound of an introspecting tool: DDP's own catalog queries, nothing else.

    python bench/lower_bound.py --source-database A --target-database B [--host H --port P
                                --username U] [--schema public] [--queries DIR]

One process connects to both databases in parallel (one thread each, psycopg 3) and, on each,
runs every ``*.sql`` file of ``ddp_engine/queries/`` (read at run time, so it follows the engine)
in a session opened with the engine's options (``connect.session_options``: the empty
``search_path``, the lock and statement timeouts), inside the transaction the engine uses:

    BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
    SELECT pg_catalog.set_config(<each of introspect.TRANSACTION_SETTINGS>, true);

with ``%(schemas)s`` = ['public'] and ``%(all)s`` = false, fetching every row (as tuples: no
model, no diff). Prints one JSON object: wall seconds, and per side the seconds, queries and rows.
The password, if any, comes from PGPASSWORD / .pgpass as for libpq.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ddp_engine.connect import SessionLimits, session_options  # noqa: E402
from ddp_engine.introspect import (  # noqa: E402  (the engine's own settings)
    QUERY_SETTINGS,
    TRANSACTION_SETTINGS,
    query_settings,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = REPO / "ddp_engine" / "queries"


def load_queries(directory: Path) -> list[tuple[str, str]]:
    files = sorted(directory.glob("*.sql"))
    if not files:
        raise SystemExit(f"no .sql files in {directory}")
    return [(f.stem, f.read_text()) for f in files]


def run_side(conninfo: dict, schema: str, queries: list[tuple[str, str]]) -> dict:
    started = time.perf_counter()
    rows = 0
    per_query: dict[str, int] = {}
    opts = session_options(SessionLimits())
    with psycopg.connect(**conninfo, options=opts, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for setting, value in TRANSACTION_SETTINGS.items():
            cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
        params = {"schemas": [schema], "all": False}
        for name, sql in queries:
            with query_settings(cur, QUERY_SETTINGS.get(name, {})):
                cur.execute(sql, params)
                n = len(cur.fetchall())
            per_query[name] = n
            rows += n
        cur.execute("ROLLBACK")
    return {
        "seconds": time.perf_counter() - started,
        "queries": len(queries),
        "rows": rows,
        "rows_per_query": per_query,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--username", default="postgres")
    ap.add_argument("--source-database", required=True)
    ap.add_argument("--target-database", required=True)
    ap.add_argument("--schema", default="public")
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    args = ap.parse_args(argv)

    queries = load_queries(args.queries)
    base = {
        "host": args.host,
        "port": args.port,
        "user": args.username,
        "application_name": "ddp-bench-lower-bound",
    }
    results: dict[str, dict] = {}
    errors: dict[str, BaseException] = {}

    def worker(side: str, database: str) -> None:
        try:
            results[side] = run_side({**base, "dbname": database}, args.schema, queries)
        except BaseException as exc:  # reported below, after both threads end
            errors[side] = exc

    started = time.perf_counter()
    threads = [
        threading.Thread(target=worker, args=("source", args.source_database)),
        threading.Thread(target=worker, args=("target", args.target_database)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        for side, exc in errors.items():
            print(f"lower_bound: {side}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    json.dump({"seconds": wall, **results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
