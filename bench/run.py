#!/usr/bin/env python3
"""The DDP benchmark: ``ddp sync`` against its lower bound, pg_dump and migra, on N-table pairs
of every layout.

    python bench/run.py [--layouts all] [--sizes 2000] [--runs 3] [--reload] [--skip-migra]
                        [--skip-pg-dump] [--tools ddp,...] [--append]

For each layout (``--layouts``: a comma-separated list of public, schemas, wide, functions,
partitions, cross, or ``all``) and each N it creates (on 127.0.0.1:5432 as postgres by default;
only databases whose name starts with ``ddp_bench_`` are ever created or dropped) the pair

* ``ddp_bench_<layout>_<N>_src``: ``generate.py --layout L --tables N --changed`` (the desired
  state),
* ``ddp_bench_<layout>_<N>_tgt``: ``generate.py --layout L --tables N`` (the current state),

(``cross``: one database ``ddp_bench_cross_<N>`` holding both, as schemas ``a`` and ``b``),

loads both in parallel (skipped when the database already holds the same SQL, unless
``--reload``), refreshes the catalog statistics, then runs, ``--runs`` times round-robin so that
drift hits every tool alike, and reports the median of each:

* ``ddp sync`` end to end (process start to script written to a temp file) and its peak RSS;
* the lower bound: ``bench/lower_bound.py`` (one bulk catalog query per object class on both
  sides in parallel, every row fetched, no model, no diff; written apart from DDP's queries);
* ``pg_dump --schema-only`` of each side;
* migra on the same pair (installed by this script into ``bench/work/migra-venv``; not on
  ``cross``, which it cannot compare).

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
from layouts import LAYOUTS
from measure import bench_pair
from pg import Pair, Pg
from report import machine_info, make_plot, write_report
from tools import TOOLS, prepare_migra


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--layouts",
        default="all",
        help=f"comma-separated layouts, or all ({', '.join(LAYOUTS)}); default: all",
    )
    ap.add_argument("--sizes", default="2000", help="comma-separated table counts (N)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (median reported)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5432)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--reload", action="store_true", help="reload the pairs even if unchanged")
    ap.add_argument("--skip-migra", action="store_true")
    ap.add_argument(
        "--skip-pg-dump",
        action="store_true",
        help="time no pg_dump (a 10,000-table wide pair takes it minutes a side)",
    )
    ap.add_argument(
        "--tools",
        default="",
        help=f"comma-separated tools to time ({', '.join(TOOLS)}); default: all "
        "(for a very large pair, --tools ddp times ddp sync alone)",
    )
    ap.add_argument(
        "--append",
        action="store_true",
        help="keep the figures of bench/work/results.json for the layouts and sizes not "
        "measured in this run, so that runs of different layouts make one report",
    )
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
    ap.add_argument("--note", default="", help="a line on the run's conditions, for RESULTS.md")
    ap.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    ap.add_argument("--png", type=Path, default=BENCH / "results.png")
    args = ap.parse_args(argv)
    args.ddp_args = args.ddp_args.split()
    args.tools = [t for t in args.tools.split(",") if t]
    if unknown_tools := [t for t in args.tools if t not in TOOLS]:
        ap.error(f"unknown tool {unknown_tools[0]!r} (one of {', '.join(TOOLS)})")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        ap.error("--sizes takes table counts such as 2000 or 1000,5000")
    layouts = LAYOUTS if args.layouts == "all" else tuple(args.layouts.split(","))
    unknown = [x for x in layouts if x not in LAYOUTS]
    if unknown or not sizes or min(sizes) < 2:
        ap.error(f"unknown layout {unknown[0]!r}" if unknown else "--sizes must be at least 2")
    WORK.mkdir(exist_ok=True)
    pg = Pg(args.host, args.port, args.user)
    machine = machine_info(pg)
    log(f"{machine['nproc']} CPUs, {machine['memory_gib']} GiB, {machine['postgres'][:40]}")
    migra_ok, migra_desc = ((False, "skipped"), "skipped") if args.skip_migra else prepare_migra()
    results = {
        "machine": machine,
        "runs": args.runs,
        "migra": migra_desc,
        "note": args.note,
        "pairs": [],
    }
    raw = WORK / "results.json"
    kept = json.loads(raw.read_text())["pairs"] if args.append and raw.exists() else []
    for layout in layouts:
        for n in sizes:
            log(f"layout {layout}, N = {n}")
            results["pairs"].append(bench_pair(args, pg, Pair(layout, n), migra_ok))
            raw.write_text(json.dumps(merged(results, kept), indent=1))
    results = merged(results, kept)
    png = make_plot(raw, args.png)
    if png and args.png.parent != args.output.parent:
        png = str(args.png.resolve())
    write_report(results, args.output, png)
    log(f"wrote {args.output}" + (f" and {args.png}" if png else ""))
    print(args.output.read_text())
    return 0


def merged(results: dict, kept: list[dict]) -> dict:
    """``results`` with the ``kept`` pairs of an earlier run that this one did not measure
    again (``--append``), in layout order, then size."""
    measured = {(p["layout"], p["n"]) for p in results["pairs"]}
    pairs = [p for p in kept if (p["layout"], p["n"]) not in measured] + results["pairs"]
    order = {layout: i for i, layout in enumerate(LAYOUTS)}
    pairs.sort(key=lambda p: (order.get(p["layout"], len(order)), p["n"]))
    return {**results, "pairs": pairs}


if __name__ == "__main__":
    sys.exit(main())
