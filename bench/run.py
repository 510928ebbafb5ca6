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
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
PREFIX = "ddp_bench_"
TIME_V = "/usr/bin/time"

TOOLS = ("ddp", "lower_bound", "pg_dump_src", "pg_dump_tgt", "migra")
TOOL_TITLES = {
    "ddp": "ddp sync",
    "lower_bound": "lower bound",
    "pg_dump_src": "pg_dump src",
    "pg_dump_tgt": "pg_dump tgt",
    "migra": "migra",
}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Running a command, timed, with its peak RSS


class Result:
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


# ---------------------------------------------------------------------------------------------
# PostgreSQL helpers (psql, as the given user; password through PGPASSWORD / .pgpass)


class Pg:
    def __init__(self, host: str, port: int, user: str):
        self.host, self.port, self.user = host, port, user

    def args(self, db: str) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", db]

    def psql(self, db: str, sql: str) -> str:
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
            ["psql", *pg.args(db), "-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", str(sql_path)],
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
    return pg.psql(
        db,
        "SELECT (SELECT count(*) FROM pg_class) || '/' || "
        "(SELECT max(oid::int8) FROM pg_class) || '/' || (SELECT count(*) FROM pg_proc)",
    )


# ---------------------------------------------------------------------------------------------
# Tools


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


def tool_commands(
    args: argparse.Namespace, pg: Pg, n: int, tmp: Path
) -> dict[str, tuple[list[str], tuple, dict]]:
    src, tgt = f"{PREFIX}{n}_src", f"{PREFIX}{n}_tgt"
    pw = os.environ.get("PGPASSWORD")
    ddp = [find_ddp(args.ddp), "sync"]
    for side, db in (("source", src), ("target", tgt)):
        ddp += [
            f"--{side}-host",
            pg.host,
            f"--{side}-port",
            str(pg.port),
            f"--{side}-database",
            db,
            f"--{side}-username",
            pg.user,
            f"--{side}-schema",
            "public",
        ]
        if pw:
            ddp += [f"--{side}-password", pw]
    ddp += ["--output", str(tmp / "ddp.sql"), *args.ddp_args]
    lower = [
        engine_python(),
        str(BENCH / "lower_bound.py"),
        "--host",
        pg.host,
        "--port",
        str(pg.port),
        "--username",
        pg.user,
        "--source-database",
        src,
        "--target-database",
        tgt,
    ]
    dump = ["pg_dump", "--schema-only", "-h", pg.host, "-p", str(pg.port), "-U", pg.user]
    migra = [
        str(WORK / "migra-venv" / "bin" / "migra"),
        "--unsafe",
        "--schema",
        "public",
        pg.url(tgt),
        pg.url(src),
    ]
    # ddp runs in an empty directory, with no SOURCE_/TARGET_DB_ variables, so that no .env or
    # environment setting of the caller slips in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    return {
        "ddp": (ddp, (0,), {"cwd": tmp, "env": env}),
        "lower_bound": (lower, (0,), {}),
        "pg_dump_src": (dump + ["-f", str(tmp / "src.dump.sql"), src], (0,), {}),
        "pg_dump_tgt": (dump + ["-f", str(tmp / "tgt.dump.sql"), tgt], (0,), {}),
        # migra exits 2 when it found differences (the expected case here).
        "migra": (migra, (0, 2), {}),
    }


def bench_size(args: argparse.Namespace, pg: Pg, n: int, migra_ok: tuple[bool, str]) -> dict:
    info = load_pair(pg, n, args.reload)
    tgt = f"{PREFIX}{n}_tgt"
    tools = [t for t in TOOLS if not (t == "migra" and args.skip_migra)]
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    errors: dict[str, str] = {}
    notes: list[str] = []
    if "migra" in tools and not migra_ok[0]:
        errors["migra"] = f"not installed: {migra_ok[1]}"
    with tempfile.TemporaryDirectory(dir=WORK, prefix=f"run_{n}_") as tmpdir:
        tmp = Path(tmpdir)
        cmds = tool_commands(args, pg, n, tmp)
        before = fingerprint(pg, tgt)
        # Warm-up: one untimed catalog pass on both sides (a failure here is the lower bound's).
        warm = timed(cmds["lower_bound"][0], timeout=args.timeout)
        if warm.rc != 0:
            if warm.rc == -1 and warm.stderr.startswith("timed out"):
                cancel_queries(pg, n)
            errors["lower_bound"] = error_text(warm)
            log(f"N={n} lower_bound warm-up: FAILED ({errors['lower_bound']})")
        for r in range(args.runs):
            for tool in tools:
                if tool in errors:
                    continue
                cmd, ok, extra = cmds[tool]
                res = timed(
                    cmd,
                    timeout=args.timeout,
                    cwd=extra.get("cwd"),
                    env=extra.get("env"),
                )
                if res.rc not in ok:
                    if res.rc == -1 and res.stderr.startswith("timed out"):
                        cancel_queries(pg, n)
                    errors[tool] = error_text(res)
                    log(f"N={n} {tool}: FAILED ({errors[tool]})")
                    continue
                entry = {"seconds": res.seconds, "rss_kb": res.rss_kb}
                if tool == "ddp":
                    out = tmp / "ddp.sql"
                    entry["script_lines"] = (
                        len(out.read_text().splitlines()) if out.exists() else None
                    )
                    now = fingerprint(pg, tgt)
                    if now != before:
                        notes.append(
                            "ddp sync changed the target database during the run; "
                            "its marker was cleared, so the next bench run reloads it"
                        )
                        errors["ddp"] = "modified the target database (expected: script only)"
                        pg.psql("postgres", f"COMMENT ON DATABASE {tgt} IS NULL")
                elif tool == "migra":
                    (tmp / "migra.sql").write_text(res.stdout)
                    entry["script_lines"] = len(res.stdout.splitlines())
                elif tool == "lower_bound":
                    try:
                        detail = json.loads(res.stdout)
                        entry["inner_seconds"] = detail["seconds"]
                        entry["queries_per_side"] = detail["source"]["queries"]
                        entry["rows"] = detail["source"]["rows"] + detail["target"]["rows"]
                    except (json.JSONDecodeError, KeyError):
                        pass
                runs[tool].append(entry)
                mb = f", {res.rss_kb / 1024:.0f} MB" if res.rss_kb else ""
                log(f"N={n} run {r + 1}/{args.runs} {tool}: {res.seconds:.2f} s{mb}")
        # Keep the last outputs for inspection.
        keep = WORK / f"outputs_{n}"
        keep.mkdir(exist_ok=True)
        for name in ("ddp.sql", "migra.sql"):
            if (tmp / name).exists():
                shutil.copy(tmp / name, keep / name)
    verify = None
    if args.verify and "ddp" not in errors and (WORK / f"outputs_{n}" / "ddp.sql").exists():
        verify = verify_ddp(args, pg, n, WORK / f"outputs_{n}" / "ddp.sql")
        log(f"N={n} verify: {verify}")
    summary: dict[str, dict[str, Any]] = {}
    for tool in tools:
        entries = runs[tool]
        if tool in errors or not entries:
            summary[tool] = {"error": errors.get(tool, "no run"), "runs": entries}
            continue
        rss = [e["rss_kb"] for e in entries if e.get("rss_kb")]
        summary[tool] = {
            "median_s": statistics.median(e["seconds"] for e in entries),
            "min_s": min(e["seconds"] for e in entries),
            "max_s": max(e["seconds"] for e in entries),
            "peak_rss_mb": (max(rss) / 1024) if rss else None,
            "runs": entries,
        }
        for key in ("script_lines", "queries_per_side", "rows"):
            if entries[-1].get(key) is not None:
                summary[tool][key] = entries[-1][key]
    return {"n": n, "pair": info, "tools": summary, "notes": notes, "verify": verify}


def statements(script: Path) -> int:
    """Lines of a script that are neither blank nor comments."""
    return sum(
        1
        for ln in script.read_text().splitlines()
        if ln.strip() and not ln.lstrip().startswith("--")
    )


def verify_ddp(args: argparse.Namespace, pg: Pg, n: int, script: Path) -> str:
    """Apply ddp's script to a copy of the target, sync again: does it converge (untimed)?"""
    _src, tgt, copy = f"{PREFIX}{n}_src", f"{PREFIX}{n}_tgt", f"{PREFIX}{n}_verify"
    check_name(copy)
    try:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {copy}")
        pg.psql("postgres", f"CREATE DATABASE {copy} TEMPLATE {tgt}")
        applied = subprocess.run(
            ["psql", *pg.args(copy), "-X", "-v", "ON_ERROR_STOP=1", "-q", "-f", str(script)],
            capture_output=True,
            text=True,
        )
        if applied.returncode != 0:
            return f"the script failed on a copy of the target: {applied.stderr.strip()[-300:]}"
        with tempfile.TemporaryDirectory(dir=WORK, prefix="verify_") as tmpdir:
            cmd, _, extra = tool_commands(args, pg, n, Path(tmpdir))["ddp"]
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


# ---------------------------------------------------------------------------------------------
# Report


def machine_info(pg: Pg) -> dict:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = None
    try:
        raw = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if raw != "max":
            limit = int(raw) / 2**30
    except (OSError, ValueError):
        pass
    return {
        "nproc": nproc,
        "memory_gib": round(mem_kb / 2**20, 1),
        "cgroup_memory_limit_gib": round(limit, 1) if limit else None,
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgres": pg.psql("postgres", "SELECT version()"),
        "pg_dump": subprocess.run(
            ["pg_dump", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def fmt_s(t: dict) -> str:
    if "error" in t:
        return "skipped" if t["error"] == "skipped" else "error"
    return f"{t['median_s']:.2f}"


def fmt_mb(t: dict) -> str:
    if "error" in t or not t.get("peak_rss_mb"):
        return "–"
    return f"{t['peak_rss_mb']:.0f}"


def ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or "error" in a or "error" in b or not b["median_s"]:
        return "–"
    return f"{a['median_s'] / b['median_s']:.2f}"


def one_dump(tools: dict) -> dict | None:
    """pg_dump of one side: the faster of the two sides (the stricter bar for ddp)."""
    sides: list[dict] = [
        s for k in ("pg_dump_src", "pg_dump_tgt") if (s := tools.get(k)) and "error" not in s
    ]
    return min(sides, key=lambda s: s["median_s"]) if sides else None


def write_report(results: dict, path: Path, png: str | None) -> None:
    m = results["machine"]
    sizes = results["sizes"]
    out = ["# DDP benchmark results", ""]
    out.append(
        f"Generated by `python bench/run.py --sizes {','.join(str(s['n']) for s in sizes)} "
        f"--runs {results['runs']}` on {m['date']}."
    )
    out.append("")
    out.append(
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM"
        + (
            f" (cgroup limit {m['cgroup_memory_limit_gib']} GiB)"
            if m.get("cgroup_memory_limit_gib")
            else ""
        )
        + f", {m['os']}"
    )
    out.append(f"- PostgreSQL: {m['postgres']}")
    out.append(f"- Client: {m['pg_dump']}; Python {m['python']}; migra: {results['migra']}")
    out.append(
        f"- Each figure is the median of {results['runs']} runs (wall seconds, tools run "
        "round-robin on the same database pair); peak RSS is the largest over the runs."
    )
    out.append("")
    out.append(
        "| N tables | ddp sync (s) | ddp peak RSS (MB) | lower bound (s) | "
        "pg_dump src (s) | pg_dump tgt (s) | migra (s) | migra peak RSS (MB) | "
        "ddp / lower bound | ddp / pg_dump (one side) | migra / ddp |"
    )
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in sizes:
        t = s["tools"]
        na = {"error": "skipped"}
        out.append(
            f"| {s['n']:,} | {fmt_s(t['ddp'])} | {fmt_mb(t['ddp'])} | {fmt_s(t['lower_bound'])} | "
            f"{fmt_s(t['pg_dump_src'])} | {fmt_s(t['pg_dump_tgt'])} | "
            f"{fmt_s(t.get('migra', na))} | {fmt_mb(t.get('migra', na))} | "
            f"{ratio(t['ddp'], t['lower_bound'])} | {ratio(t['ddp'], one_dump(t))} | "
            f"{ratio(t.get('migra'), t['ddp'])} |"
        )
    out.append("")
    ok = [s for s in sizes if "error" not in s["tools"]["ddp"]]
    if len(ok) >= 2:
        lo, hi = ok[0], ok[-1]
        g = hi["tools"]["ddp"]["median_s"] / lo["tools"]["ddp"]["median_s"]
        out.append(
            f"Growth of ddp sync from N = {lo['n']:,} to N = {hi['n']:,} "
            f"({hi['n'] / lo['n']:.0f} × the tables): {g:.1f} × the time."
        )
        out.append("")
    big = next((s for s in sizes if s["n"] == 10000), None)
    if big:
        t = big["tools"]
        checks = []
        if "error" not in t["ddp"] and "error" not in t["lower_bound"]:
            r = t["ddp"]["median_s"] / t["lower_bound"]["median_s"]
            checks.append(
                f"ddp ≤ 1.3 × lower bound: {r:.2f} × — {'met' if r <= 1.3 else 'NOT met'}"
            )
        d = one_dump(t)
        if "error" not in t["ddp"] and d:
            met = t["ddp"]["median_s"] < d["median_s"]
            checks.append(
                f"ddp < pg_dump of one side: {t['ddp']['median_s']:.1f} s vs "
                f"{d['median_s']:.1f} s — {'met' if met else 'NOT met'}"
            )
        mg = t.get("migra")
        if mg and "error" not in mg and "error" not in t["ddp"]:
            r = mg["median_s"] / t["ddp"]["median_s"]
            checks.append(f"≥ 5 × faster than migra: {r:.1f} × — {'met' if r >= 5 else 'NOT met'}")
            if mg.get("peak_rss_mb") and t["ddp"].get("peak_rss_mb"):
                met = t["ddp"]["peak_rss_mb"] < mg["peak_rss_mb"]
                checks.append(
                    f"less peak memory than migra: {t['ddp']['peak_rss_mb']:.0f} MB vs "
                    f"{mg['peak_rss_mb']:.0f} MB — {'met' if met else 'NOT met'}"
                )
        small = next((s for s in sizes if s["n"] == 1000), None)
        if small and "error" not in small["tools"]["ddp"] and "error" not in t["ddp"]:
            g = t["ddp"]["median_s"] / small["tools"]["ddp"]["median_s"]
            checks.append(
                f"linear growth, 1,000 → 10,000 ≤ 11 ×: {g:.1f} × — "
                f"{'met' if g <= 11 else 'NOT met'}"
            )
        if checks:
            out.append("## Goals of issue 5 at 10,000 tables")
            out.append("")
            out += [f"- {c}" for c in checks]
            out.append("")
    out.append("## The database pairs")
    out.append("")
    out.append(
        "`ddp_bench_<N>_src` is `generate.py --tables N --changed` (the desired state), "
        "`ddp_bench_<N>_tgt` is `generate.py --tables N` (the current state)."
    )
    out.append("")
    out.append(
        "| N | source | target | changes | lower bound rows (both sides) | "
        "queries per side | ddp script lines | migra script lines |"
    )
    out.append("|---:|---|---|---:|---:|---:|---:|---:|")
    for s in sizes:
        changes = WORK / f"{PREFIX}{s['n']}_src.changes.txt"
        nchg = len(changes.read_text().splitlines()) if changes.exists() else "?"
        t = s["tools"]
        out.append(
            f"| {s['n']:,} | {s['pair']['src']['stats']} | {s['pair']['tgt']['stats']} | "
            f"{nchg} | {t['lower_bound'].get('rows', '–')} | "
            f"{t['lower_bound'].get('queries_per_side', '–')} | "
            f"{t['ddp'].get('script_lines', '–')} | "
            f"{t.get('migra', {}).get('script_lines', '–')} |"
        )
    out.append("")
    verified = [(s["n"], s["verify"]) for s in sizes if s.get("verify")]
    if verified:
        out.append(
            "Correctness (untimed): ddp's script applied to a copy of the target, then "
            "synced again: " + "; ".join(f"N = {n:,}: {v}" for n, v in verified) + "."
        )
        out.append("")
    errs = [
        (s["n"], tool, t["error"]) for s in sizes for tool, t in s["tools"].items() if "error" in t
    ]
    notes = [(s["n"], note) for s in sizes for note in s["notes"]]
    if errs or notes:
        out.append("## Errors and notes")
        out.append("")
        for n, tool, e in errs:
            out.append(f"- N = {n:,}, {TOOL_TITLES[tool]}: `{e.replace('`', chr(39))}`")
        for n, note in notes:
            out.append(f"- N = {n:,}: {note}")
        out.append("")
    if png:
        out.append("## Time against N")
        out.append("")
        out.append(f"![time against N per tool]({png})")
        out.append("")
    out.append("Raw figures of every run: `bench/work/results.json` (not committed).")
    path.write_text("\n".join(out) + "\n")


def plot(results_json: Path, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(results_json.read_text())
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for tool in TOOLS:
        xs, ys = [], []
        for s in results["sizes"]:
            t = s["tools"].get(tool)
            if t and "error" not in t:
                xs.append(s["n"])
                ys.append(t["median_s"])
        if xs:
            ax.plot(xs, ys, marker="o", label=TOOL_TITLES[tool])
    ax.set_xlabel("tables (N)")
    ax.set_ylabel("seconds (median)")
    ax.set_title(
        f"Schema diff time against N — {results['machine']['nproc']} CPUs, "
        f"PostgreSQL {results['machine']['postgres'].split()[1]}"
    )
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def make_plot(results_json: Path, png: Path) -> str | None:
    try:
        import matplotlib  # noqa: F401

        plot(results_json, png)
        return png.name
    except ImportError:
        pass
    except Exception as exc:  # a plotting failure never loses the figures
        log(f"plot failed: {exc}")
        return None
    ok, msg = ensure_venv(WORK / "plot-venv", ["matplotlib"], ["-c", "import matplotlib"])
    if not ok:
        log(f"no plot: matplotlib unavailable ({msg})")
        return None
    out = subprocess.run(
        [
            str(WORK / "plot-venv" / "bin" / "python"),
            __file__,
            "--plot",
            str(results_json),
            str(png),
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        log(f"plot failed: {out.stderr.strip()[-300:]}")
        return None
    return png.name


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
    ap.add_argument("--plot", nargs=2, metavar=("JSON", "PNG"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.plot:
        plot(Path(args.plot[0]), Path(args.plot[1]))
        return 0
    args.ddp_args = args.ddp_args.split()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    WORK.mkdir(exist_ok=True)
    pg = Pg(args.host, args.port, args.user)
    machine = machine_info(pg)
    log(f"{machine['nproc']} CPUs, {machine['memory_gib']} GiB, {machine['postgres'][:40]}")
    migra_ok = (False, "skipped")
    migra_desc = "skipped"
    if not args.skip_migra:
        migra_ok = ensure_venv(
            WORK / "migra-venv", ["migra", "psycopg2-binary"], ["-c", "import migra, psycopg2"]
        )
        migra_desc = (
            package_versions(
                WORK / "migra-venv",
                ["migra", "schemainspect", "sqlbag", "SQLAlchemy", "psycopg2-binary"],
            )
            if migra_ok[0]
            else f"unavailable ({migra_ok[1]})"
        )
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
