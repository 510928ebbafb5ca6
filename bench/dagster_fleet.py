"""Drift-check a fleet of databases several ways, and time each:

1. ``fleet_drift_job``: the N targets as N partitions of ONE asset set (a fleet), the whole
   range in one run (what a single-run backfill launches): in-process with an empty snapshot
   cache, then in-process and multiprocess with every snapshot in the cache (nothing changed);
2. ``schema_drift_job`` over N pairs (one source, N targets) with Dagster's in-process executor
   (here and in 3, without the snapshot cache, to time the reads);
3. the same job with the multiprocess executor (Dagster's default for a launched run);
4. N runs of ``ddp sync --dry-run --exit-code``, one after the other (what a CI loop does).

``--fleet-only`` measures the first alone (the N-pairs multiprocess run takes long).

The Dagster runs go through ``dagster job execute`` (a fresh process, as a run worker is) with a
throwaway DAGSTER_HOME (SQLite storage), so each figure includes start-up. Targets are created
on the local server as ``ddp_bench_fleet_*`` databases (every third one drifted) and dropped
afterwards. Usage::

    python -m bench.dagster_fleet --pairs 50 [--fleet-only]
        [--host 127.0.0.1 --port 5432 --user postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

PREFIX = "ddp_bench_fleet_"
SOURCE_SQL = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, created timestamptz);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id),
                     total numeric(12, 2) DEFAULT 0);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
"""
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
DRIFT_SQL = "ALTER TABLE orders DROP COLUMN total CASCADE;"


def admin(args: argparse.Namespace) -> psycopg.Connection:
    return psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True
    )


def create_fleet(args: argparse.Namespace) -> list[str]:
    """The source and N targets (every third drifted); their names."""
    names = [f"{PREFIX}src"] + [f"{PREFIX}t{i:03d}" for i in range(args.pairs)]
    with admin(args) as conn:
        for i, name in enumerate(names):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            with psycopg.connect(
                host=args.host, port=args.port, user=args.user, dbname=name, autocommit=True
            ) as db:
                db.execute(SOURCE_SQL.encode())
                if i > 0 and i % 3 == 1:
                    db.execute(DRIFT_SQL.encode())
    return names


def drop_fleet(args: argparse.Namespace, names: list[str]) -> None:
    with admin(args) as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def fleet_env(args: argparse.Namespace, names: list[str], home: Path) -> dict[str, str]:
    """The pairs file and every pair's variables (names only in the file); with
    ``--fleet-only`` the file holds the fleet alone (50 pairs take long to load)."""
    lines = ["include_default: false", "pairs:" + (" {}" if args.fleet_only else "")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    env |= {"FLEET_SRC_DB_HOST": args.host, "FLEET_SRC_DB_PORT": str(args.port)}
    env |= {"FLEET_SRC_DB_NAME": names[0], "FLEET_SRC_DB_USER": args.user}
    for i, target in enumerate([] if args.fleet_only else names[1:]):
        lines.append(f"  t{i:03d}: {{source_env: FLEET_SRC_DB_, target_env: FLEET_T{i:03d}_DB_}}")
        for prefix, database in (("FLEET_SRC_DB_", names[0]), (f"FLEET_T{i:03d}_DB_", target)):
            env |= {
                prefix + "HOST": args.host,
                prefix + "PORT": str(args.port),
                prefix + "NAME": database,
                prefix + "USER": args.user,
            }
    lines += [
        "fleets:",
        "  fleet:",
        "    source_env: FLEET_SRC_DB_",
        "    target_env: FLEET_TGT_DB_",
    ]
    lines.append(f"    databases: [{', '.join(names[1:])}]")
    env |= {"FLEET_TGT_DB_HOST": args.host, "FLEET_TGT_DB_PORT": str(args.port)}
    env |= {"FLEET_TGT_DB_USER": args.user}
    (home / "pairs.yaml").write_text("\n".join(lines) + "\n")
    return env | {
        "DDP_PAIRS_FILE": str(home / "pairs.yaml"),
        "DAGSTER_HOME": str(home),
        "DDP_STORAGE_DIR": str(home / "storage"),
    }


#: What the fleet's target_schema logs: how many targets the cache answered.
CACHE_LINE = re.compile(r"\d+ target\(s\) read, \d+ from the cache")
said: list[str] = []  # the cache lines of the fleet's runs, printed beside their times


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    said[:] = CACHE_LINE.findall(done.stdout + done.stderr)
    return time.perf_counter() - start, done.returncode


def dagster_run(
    executor: str, env: dict[str, str], home: Path, job: str = "schema_drift_job", *extra: str
) -> float:
    """``job`` through ``dagster job execute`` with ``executor``."""
    config = home / f"{executor}.yaml"
    config.write_text(f"execution:\n  config:\n    {executor}: {{}}\n")
    dagster = str(Path(sys.executable).with_name("dagster"))
    cmd = [dagster, "job", "execute", "-m", "ddp_dagster.definitions", "-j", job, *extra]
    seconds, code = timed([*cmd, "-c", str(config)], env, home)
    if code != 0:
        raise SystemExit(f"the {executor} run failed (exit {code})")
    return seconds


def cli_runs(args: argparse.Namespace, names: list[str], env: dict[str, str], home: Path) -> float:
    """N runs of ``ddp sync --dry-run --exit-code``, one after the other."""
    ddp = [sys.executable, "-m", "ddp_engine.cli", "sync", "--dry-run", "--exit-code"]
    side = ["--source-host", args.host, "--source-port", str(args.port)]
    side += ["--source-database", names[0], "--source-username", args.user]
    total = 0.0
    for target in names[1:]:
        flags = ["--target-host", args.host, "--target-port", str(args.port)]
        flags += ["--target-database", target, "--target-username", args.user]
        seconds, code = timed([*ddp, *side, *flags], env, home)
        if code not in (0, 2):
            raise SystemExit(f"ddp sync failed on {target} (exit {code})")
        total += seconds
    return total


def fleet_run(executor: str, env: dict[str, str], home: Path, names: list[str]) -> float:
    """``fleet_drift_job`` over every partition in one run (a single-run backfill's tags)."""
    tags = {RANGE_START: names[1], RANGE_END: names[-1]}
    return dagster_run(executor, env, home, "fleet_drift_job", "--tags", json.dumps(tags))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--fleet-only", action="store_true", help="only the fleet's runs")
    args = parser.parse_args()
    names = create_fleet(args)
    print(f"drift check of {args.pairs} databases ({os.cpu_count()} cores):", flush=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            env = fleet_env(args, names, home)
            runs = {
                "fleet, one run, in-process": lambda: fleet_run("in_process", env, home, names),
                "fleet, one run, in-process, cache warm": lambda: fleet_run(
                    "in_process", env, home, names
                ),
                "fleet, one run, multiprocess, cache warm": lambda: fleet_run(
                    "multiprocess", env, home, names
                ),
            }
            if not args.fleet_only:
                runs |= pair_runs(args, names, env, home)
            for what, run in runs.items():
                print(f"  {what:<40} {run():7.1f} s  {' '.join(said)}", flush=True)
    finally:
        drop_fleet(args, names)


def pair_runs(
    args: argparse.Namespace, names: list[str], env: dict[str, str], home: Path
) -> dict[str, Callable[[], float]]:
    """The N-pairs job's runs (reading every side: no snapshot cache) and the CLI loop."""
    env = env | {"DDP_CACHE": "false"}
    return {
        "in-process executor, one run": lambda: dagster_run("in_process", env, home),
        f"{args.pairs} x ddp sync --dry-run --exit-code": lambda: cli_runs(args, names, env, home),
        "multiprocess executor, one run": lambda: dagster_run("multiprocess", env, home),
    }


if __name__ == "__main__":
    main()
