#!/usr/bin/env python3
"""Server time of each catalog query, DDP's against the lower bound's, on one database.

    python bench/per_query.py --database ddp_bench_public_10000_tgt [--schema public |
                              --all-schemas] [--runs 3] [--only columns,dependencies]

Each query runs alone, in one connection, inside a ``REPEATABLE READ READ ONLY`` transaction
with the settings each reader uses (DDP's per-query settings included), every row fetched;
the median of ``--runs`` is printed per query, DDP's and the bound's side by side where they
fetch the same class of object. It answers "which of DDP's queries is slower than it needs to
be", which a whole-sync timing cannot. Client time (building rows) is included for both
alike: psycopg tuple rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import lower_bound  # noqa: E402

from ddp_engine import introspect  # noqa: E402
from ddp_engine.scope import NO_SCOPE_PARAMS  # noqa: E402

#: The bound's query that fetches the same class of object as DDP's query of that name.
PEER = {
    "relations": "relations",
    "columns": "columns",
    "constraints": "constraints",
    "indexes": "indexes",
    "functions": "functions",
    "triggers": "triggers",
    "types": "types",
    "sequences": "sequences",
    "policies": "policies",
    "dependencies": "dependencies",
}


def timed(cur: psycopg.Cursor[Any], sql: str, params: dict[str, Any]) -> tuple[float, int]:
    """Seconds to run ``sql`` and fetch every row, and the number of rows."""
    started = time.perf_counter()
    cur.execute(sql, params)
    rows = len(cur.fetchall())
    return time.perf_counter() - started, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--username", default="postgres")
    ap.add_argument("--database", required=True)
    ap.add_argument("--schema", default="public")
    ap.add_argument("--all-schemas", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated DDP query names")
    args = ap.parse_args(argv)
    only = {n for n in args.only.split(",") if n}

    conninfo = dict(host=args.host, port=args.port, user=args.username, dbname=args.database)
    with psycopg.connect(**conninfo, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_catalog.set_config('search_path', '', false)")
        cur.execute(lower_bound.BEGIN)
        for setting, value in lower_bound.SETTINGS.items():
            cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
        cur.execute(lower_bound.SCHEMAS, {"all": args.all_schemas, "schemas": [args.schema]})
        nsp = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT pg_catalog.array_agg(nspname::pg_catalog.text) FROM pg_catalog.pg_namespace"
            " WHERE oid OPERATOR(pg_catalog.=) ANY (%s::pg_catalog.oid[])",
            (nsp,),
        )
        row = cur.fetchone()
        ddp_params = {
            **NO_SCOPE_PARAMS,
            "schemas": row[0] if row else [],
            "all": args.all_schemas,
        }
        for setting, value in introspect.TRANSACTION_SETTINGS.items():
            cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
        print(f"{'query':<16}{'ddp s':>9}{'rows':>9}{'bound s':>9}{'rows':>9}{'ratio':>7}")
        total_ddp = total_bound = 0.0
        for name in introspect.QUERY_NAMES[1:]:
            if only and name not in only:
                continue
            sql = introspect.load_query(name)
            with introspect.query_settings(cur, introspect.QUERY_SETTINGS.get(name, {})):
                runs = [timed(cur, sql, ddp_params) for _ in range(args.runs)]
            ddp_s, ddp_rows = statistics.median(r[0] for r in runs), runs[0][1]
            total_ddp += ddp_s
            peer = PEER.get(name)
            if peer:
                bruns = [
                    timed(cur, lower_bound.QUERIES[peer], {"nsp": nsp}) for _ in range(args.runs)
                ]
                b_s, b_rows = statistics.median(r[0] for r in bruns), bruns[0][1]
                total_bound += b_s
                print(
                    f"{name:<16}{ddp_s:>9.3f}{ddp_rows:>9}{b_s:>9.3f}{b_rows:>9}"
                    f"{ddp_s / b_s if b_s else 0:>7.2f}"
                )
            else:
                print(f"{name:<16}{ddp_s:>9.3f}{ddp_rows:>9}")
        print(f"{'total':<16}{total_ddp:>9.3f}{'':>9}{total_bound:>9.3f}")
        cur.execute("ROLLBACK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
