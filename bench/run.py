#!/usr/bin/env python3
"""The DDP benchmark: ``ddp sync`` against its lower bound, pg_dump and migra, on N-table pairs.

    python bench/run.py [--sizes 1000,5000,10000] [--runs 3] [--reload] [--skip-migra]

For each N it creates (on 127.0.0.1:5432 as postgres by default; only databases whose name
starts with ``ddp_bench_`` are ever created or dropped) the pair

* ``ddp_bench_<N>_src``: ``bench/generate.py --tables N --changed`` (the desired state),
* ``ddp_bench_<N>_tgt``: ``bench/generate.py --tables N`` (the current state),

loads both in parallel (skipped when the database already holds the same SQL, unless
``--reload``), refreshes the catalog statistics, then runs, ``--runs`` times round-robin so that
drift hits every tool alike, and reports the median of each:

* ``ddp sync`` end to end (process start to script written to a temp file) and its peak RSS;
* the lower bound: ``bench/lower_bound.py`` (DDP's own catalog queries on both sides in
  parallel, every row fetched, no model, no diff);
* ``pg_dump --schema-only`` of each side;
* migra on the same pair (installed by this script into ``bench/work/migra-venv``).

Peak RSS comes from ``/usr/bin/time -v`` when present, else ``getrusage(RUSAGE_CHILDREN)``.
A tool that fails is reported as an error in the table; the run goes on. Writes
``bench/RESULTS.md``, ``bench/results.png`` (when matplotlib can be had: from this interpreter or
a ``bench/work/plot-venv`` it creates) and the raw figures in ``bench/work/results.json``.

This file is the command; the work is in its neighbours: ``generate.py`` (the schemas),
``pg.py`` (the server and the pairs), ``tools.py`` (the commands timed), ``measure.py`` (the
timed runs and the convergence check) and ``report.py`` (RESULTS.md and the plot).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import BENCH, WORK, log
from measure import bench_size
from pg import Pg
from report import machine_info, make_plot, write_report
from tools import prepare_migra


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000,10000", help="comma-separated table counts")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (median reported)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--reload", action="store_true", help="reload the pairs even if unchanged")
    ap.add_argument("--skip-migra", action="store_true")
    ap.add_argument("--ddp", help="the ddp executable (default: .venv/bin/ddp, else PATH)")
    ap.add_argument(
        "--ddp-args",
        default="--quiet",
        help="extra arguments for ddp sync, as one string: write "
        '--ddp-args="--quiet ..." (default: --quiet)',
    )
    ap.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip checking that ddp's script, applied to a copy of the target, "
        "leaves nothing to sync",
    )
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool run")
    ap.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--png", type=Path, default=BENCH / "results.png")
    args = ap.parse_args(argv)
    args.ddp_args = args.ddp_args.split()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    WORK.mkdir(exist_ok=True)
    pg = Pg(args.host, args.port, args.user)
    machine = machine_info(pg)
    log(f"{machine['nproc']} CPUs, {machine['memory_gib']} GiB, {machine['postgres'][:40]}")
    migra_ok, migra_desc = ((False, "skipped"), "skipped") if args.skip_migra else prepare_migra()
    results = {"machine": machine, "runs": args.runs, "migra": migra_desc, "sizes": []}
    raw = WORK / "results.json"
    for n in sizes:
        log(f"N = {n}")
        results["sizes"].append(bench_size(args, pg, n, migra_ok))
        raw.write_text(json.dumps(results, indent=1))
    png = make_plot(raw, args.png)
    if png and args.png.parent != args.output.parent:
        png = str(args.png.resolve())
    write_report(results, args.output, png)
    log(f"wrote {args.output}" + (f" and {args.png}" if png else ""))
    print(args.output.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
