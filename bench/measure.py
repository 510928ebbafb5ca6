"""Timing: one command with its wall time and peak RSS; every tool on one pair, round-robin;
and the untimed check that ddp's script converges.

Peak RSS comes from ``/usr/bin/time -v`` when present, else ``getrusage(RUSAGE_CHILDREN)``.
A tool that fails is recorded as an error; the run goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from common import PREFIX, WORK, log
from pg import Pair, Pg, cancel_queries, check_name, fingerprint, load_pair
from tools import TOOLS, tool_commands

TIME_V = "/usr/bin/time"


class Result:
    """What one run of a command gave: wall seconds, peak RSS (kB, when known), exit status
    and output."""

    def __init__(self, seconds: float, rss_kb: int | None, rc: int, stdout: str, stderr: str):
        self.seconds = seconds
        self.rss_kb = rss_kb
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


def timed(
    cmd: list[str],
    *,
    timeout: float | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run ``cmd``; wall seconds from spawn to exit, peak RSS of the process (kB)."""
    use_time_v = os.access(TIME_V, os.X_OK)
    with tempfile.NamedTemporaryFile("r", dir=WORK, suffix=".time", delete=True) as tf:
        full = [TIME_V, "-v", "-o", tf.name, *cmd] if use_time_v else cmd
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        try:
            # A session of its own, so that a timeout kills the tool and not only /usr/bin/time.
            proc = subprocess.Popen(
                full,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return Result(time.perf_counter() - started, None, -1, "", str(exc))
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return Result(
                time.perf_counter() - started, None, -1, "", f"timed out after {timeout:.0f} s"
            )
        seconds = time.perf_counter() - started
        rss = None
        if use_time_v:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(tf.name).read_text())
            rss = int(m.group(1)) if m else None
            # time -v reports the command's exit status as its own.
        else:
            after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            # ru_maxrss of children is the max over all children so far: exact only when it grew.
            rss = after if after > before else None
    return Result(seconds, rss, proc.returncode, stdout, stderr)


def error_text(res: Result) -> str:
    lines = [ln.strip() for ln in (res.stderr or res.stdout).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("Command exited with non-zero status")]
    last = lines[-1] if lines else f"exit status {res.rc}"
    return f"exit {res.rc}: {last[:200]}"


def bench_pair(args: argparse.Namespace, pg: Pg, pair: Pair, migra_ok: tuple[bool, str]) -> dict:
    """Load ``pair``, time every tool ``args.runs`` times round-robin (so that drift hits
    every tool alike), verify ddp's last script; the figures of this layout and size."""
    info = load_pair(pg, pair, args.reload)
    began = {
        "measured": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    tools = [t for t in TOOLS if not (t == "migra" and (args.skip_migra or pair.layout == "cross"))]
    errors: dict[str, str] = {t: "skipped" for t in TOOLS if args.tools and t not in args.tools}
    tools = [t for t in tools if t not in errors]
    if args.skip_pg_dump:
        errors.update(pg_dump_src="skipped", pg_dump_tgt="skipped")
    if args.skip_migra:
        errors["migra"] = "skipped"
    elif pair.layout == "cross":
        errors["migra"] = "not applicable: migra compares one schema name on both sides"
    elif not migra_ok[0]:
        errors["migra"] = f"not installed: {migra_ok[1]}"
    runs, notes = _timed_runs(args, pg, pair, tools, errors)
    verify = None
    script = WORK / f"outputs_{pair.key}" / "ddp.sql"
    if args.verify and "ddp" not in errors and script.exists():
        verify = verify_ddp(args, pg, pair, script)
        log(f"{pair.key} verify: {verify}")
    summary = {tool: _summary(runs.get(tool, []), errors.get(tool)) for tool in TOOLS}
    return {
        "layout": pair.layout,
        "n": pair.n,
        **began,
        "runs": args.runs,
        "pair": info,
        "tools": summary,
        "notes": notes,
        "verify": verify,
    }


def _timed_runs(
    args: argparse.Namespace, pg: Pg, pair: Pair, tools: list[str], errors: dict[str, str]
) -> tuple[dict[str, list[dict]], list[str]]:
    """Every run of every tool not in ``errors`` (a tool that fails goes there and runs no
    more); the runs per tool and the notes on what went wrong around them."""
    tgt, n = pair.tgt_db, pair.key
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(dir=WORK, prefix=f"run_{n}_") as tmpdir:
        tmp = Path(tmpdir)
        cmds = tool_commands(args, pg, pair, tmp)
        before = fingerprint(pg, tgt)
        # Warm-up: one untimed catalog pass on both sides (a failure here is the lower bound's).
        warm = timed(cmds["lower_bound"][0], timeout=args.timeout)
        if warm.rc != 0:
            errors["lower_bound"] = _failed(pg, pair, warm)
            log(f"{n} lower_bound warm-up: FAILED ({errors['lower_bound']})")
        if "ddp_cached" in tools:  # fill the cache: the timed cached runs find it current
            cmd, _, extra = cmds["ddp_cached"]
            prime = timed(cmd, timeout=args.timeout, cwd=extra.get("cwd"), env=extra.get("env"))
            if prime.rc != 0:
                errors["ddp_cached"] = _failed(pg, pair, prime)
        for r in range(args.runs):
            for tool in tools:
                if tool in errors:
                    continue
                cmd, ok, extra = cmds[tool]
                res = timed(cmd, timeout=args.timeout, cwd=extra.get("cwd"), env=extra.get("env"))
                if res.rc not in ok:
                    errors[tool] = _failed(pg, pair, res)
                    log(f"{n} {tool}: FAILED ({errors[tool]})")
                    continue
                entry = {"seconds": res.seconds, "rss_kb": res.rss_kb, **_details(tool, res, tmp)}
                if tool == "ddp" and fingerprint(pg, tgt) != before:
                    notes.append(
                        "ddp sync changed the target database during the run; "
                        "its marker was cleared, so the next bench run reloads it"
                    )
                    errors["ddp"] = "modified the target database (expected: script only)"
                    pg.psql("postgres", f"COMMENT ON DATABASE {tgt} IS NULL")
                runs[tool].append(entry)
                mb = f", {res.rss_kb / 1024:.0f} MB" if res.rss_kb else ""
                log(f"{n} run {r + 1}/{args.runs} {tool}: {res.seconds:.2f} s{mb}")
        # Keep the last outputs for inspection.
        keep = WORK / f"outputs_{n}"
        keep.mkdir(exist_ok=True)
        for name in ("ddp.sql", "migra.sql"):
            if (tmp / name).exists():
                shutil.copy(tmp / name, keep / name)
    return runs, notes


def _failed(pg: Pg, pair: Pair, res: Result) -> str:
    """The error of a run that failed; what a timed-out tool left running is cancelled."""
    if res.rc == -1 and res.stderr.startswith("timed out"):
        cancel_queries(pg, pair)
    return error_text(res)


def _details(tool: str, res: Result, tmp: Path) -> dict[str, Any]:
    """What a run tells besides its time: script lines (ddp, migra), rows and queries (the
    lower bound, which prints them as JSON)."""
    if tool in ("ddp", "ddp_cached"):
        out = tmp / "ddp.sql"
        return {"script_lines": len(out.read_text().splitlines()) if out.exists() else None}
    if tool == "migra":
        (tmp / "migra.sql").write_text(res.stdout)
        return {"script_lines": len(res.stdout.splitlines())}
    if tool == "lower_bound":
        try:
            detail = json.loads(res.stdout)
            return {
                "inner_seconds": detail["seconds"],
                "queries_per_side": detail["source"]["queries"],
                "rows": detail["source"]["rows"] + detail["target"]["rows"],
            }
        except (json.JSONDecodeError, KeyError):
            return {}
    return {}


def _summary(entries: list[dict], error: str | None) -> dict[str, Any]:
    """Median, range and peak RSS of a tool's runs (or its error), with the last run's details."""
    if error is not None or not entries:
        return {"error": error or "no run", "runs": entries}
    rss = [e["rss_kb"] for e in entries if e.get("rss_kb")]
    summary: dict[str, Any] = {
        "median_s": statistics.median(e["seconds"] for e in entries),
        "min_s": min(e["seconds"] for e in entries),
        "max_s": max(e["seconds"] for e in entries),
        "peak_rss_mb": (max(rss) / 1024) if rss else None,
        "runs": entries,
    }
    for key in ("script_lines", "queries_per_side", "rows"):
        if entries[-1].get(key) is not None:
            summary[key] = entries[-1][key]
    return summary


def statements(script: Path) -> int:
    """Lines of a script that are neither blank nor comments."""
    return sum(
        1
        for ln in script.read_text().splitlines()
        if ln.strip() and not ln.lstrip().startswith("--")
    )


def verify_ddp(args: argparse.Namespace, pg: Pg, pair: Pair, script: Path) -> str:
    """Apply ddp's script to a copy of the target, sync again: does it converge (untimed)?
    (``cross``: the copy holds both schemas, and the second sync compares them there.)"""
    tgt, copy = pair.tgt_db, f"{PREFIX}{pair.key}_verify"
    check_name(copy)
    try:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {copy}")
        pg.psql("postgres", f"CREATE DATABASE {copy} TEMPLATE {tgt}")
        applied = subprocess.run(pg.run_file(copy, script), capture_output=True, text=True)
        if applied.returncode != 0:
            return f"the script failed on a copy of the target: {applied.stderr.strip()[-300:]}"
        with tempfile.TemporaryDirectory(dir=WORK, prefix="verify_") as tmpdir:
            cmd, _, extra = tool_commands(args, pg, pair, Path(tmpdir))["ddp"]
            cmd = [copy if c == tgt else c for c in cmd]
            res = timed(cmd, timeout=args.timeout, cwd=extra["cwd"], env=extra["env"])
            if res.rc != 0:
                return f"second sync failed: {error_text(res)}"
            left = statements(Path(tmpdir) / "ddp.sql")
        return (
            "converges (second sync is empty)"
            if left == 0
            else f"does NOT converge: the second sync still has {left} statement lines"
        )
    except RuntimeError as exc:
        return f"verification failed: {exc}"
    finally:
        with contextlib.suppress(RuntimeError):
            pg.psql("postgres", f"DROP DATABASE IF EXISTS {copy}")
