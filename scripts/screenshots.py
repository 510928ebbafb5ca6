"""Screenshots of DDP in the Dagster UI, taken by a real browser (headless Chromium).

Not part of CI: it needs Debian's ``chromium`` (``apt-get install chromium``) and a PostgreSQL
that lets this user create databases (default ``127.0.0.1:5432``, user ``postgres``; the libpq
variables ``PGHOST``, ``PGPORT``, ``PGUSER`` and ``PGPASSWORD`` change it). It

1. creates two example databases from the demo's shop schemas (``ddp_screens_dev``, the source,
   and ``ddp_screens_prod``, the target) and a Dagster storage database ``ddp_screens_dagster``;
2. materialises the default pair's assets (a dry run: nothing is applied) and runs the drift job,
   with a throwaway ``DAGSTER_HOME``;
3. starts ``dagster-webserver`` over ``workspace.yaml`` on a free port, and has Chromium take
   the asset, check and run pages as PNG files into ``docs/screenshots/`` (or ``--out DIR``);
4. stops the webserver and drops the three databases, on every route out.

Run it from the repository root, in the venv where DDP is installed with its Dagster extra::

    python scripts/screenshots.py
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ddp_engine" / "demo"
SOURCE_DB, TARGET_DB, DAGSTER_DB = "ddp_screens_dev", "ddp_screens_prod", "ddp_screens_dagster"

#: Page (path and query of the UI) -> file name. Asset pages are addressed by asset key.
PAGES = {
    "/asset-groups/ddp": "asset-graph.png",
    "/assets/alter_sql": "alter-sql.png",
    "/assets/schema_diff": "schema-diff.png",
    "/assets/schema_diff?view=checks": "check.png",
}


def server_params() -> dict[str, str]:
    """The PostgreSQL to use, from the libpq variables, with the test server's defaults."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
        "password": os.environ.get("PGPASSWORD", ""),
    }


def admin(params: dict[str, str], statement: sql.Composable) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def databases(params: dict[str, str]) -> Iterator[None]:
    """The two example databases (loaded from the demo's SQL) and Dagster's, dropped after."""
    names = (SOURCE_DB, TARGET_DB, DAGSTER_DB)
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    for name in names:
        admin(params, drop.format(sql.Identifier(name)))
        admin(params, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        for name, file in ((SOURCE_DB, "dev.sql"), (TARGET_DB, "prod.sql")):
            with psycopg.connect(dbname=name, autocommit=True, **params) as conn:
                conn.execute((DEMO / file).read_text(encoding="utf-8").encode())
        yield
    finally:
        for name in names:
            admin(params, drop.format(sql.Identifier(name)))


def dagster_env(params: dict[str, str], home: Path) -> dict[str, str]:
    """The environment of every Dagster process: the pair's variables and the storage's."""
    env = dict(os.environ)
    for side, db in (("SOURCE", SOURCE_DB), ("TARGET", TARGET_DB)):
        env[f"{side}_DB_HOST"] = params["host"]
        env[f"{side}_DB_PORT"] = params["port"]
        env[f"{side}_DB_USER"] = params["user"]
        env[f"{side}_DB_PASSWORD"] = params["password"]
        env[f"{side}_DB_NAME"] = db
    env.update(
        DAGSTER_HOME=str(home),
        DAGSTER_PG_HOST=params["host"],
        DAGSTER_PG_PORT=params["port"],
        DAGSTER_PG_USERNAME=params["user"],
        DAGSTER_PG_PASSWORD=params["password"],
        DAGSTER_PG_DB=DAGSTER_DB,
        OUTPUT_FILE=str(home / "alter.sql"),
    )
    return env


def dagster(env: dict[str, str], *args: str) -> None:
    """One Dagster CLI command, stopped with one line when it fails."""
    command = [str(Path(sys.executable).parent / "dagster"), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"screenshots: `dagster {' '.join(args)}` failed:\n{done.stderr[-2000:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def webserver(env: dict[str, str]) -> Iterator[str]:
    """``dagster-webserver`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "dagster-webserver"),
        *("-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)),
    ]
    log = open(Path(env["DAGSTER_HOME"]) / "webserver.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/server_info", timeout=2)  # noqa: S310
                break
            if proc.poll() is not None:
                sys.exit("screenshots: dagster-webserver stopped; see webserver.log")
            time.sleep(1)
        else:
            sys.exit("screenshots: dagster-webserver did not answer within 120 s")
        yield base
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()
        log.close()


def latest_run_id(env: dict[str, str]) -> str:
    """The newest run's id, read from the instance's storage by Dagster's own API."""
    code = (
        "import dagster as dg\n"
        "runs = dg.DagsterInstance.get().get_runs(limit=1)\n"
        "print(runs[0].run_id if runs else '')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def shoot(browser: str, url: str, out: Path) -> None:
    """One page as a PNG, after the UI's scripts had time to fetch and draw."""
    subprocess.run(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1600,1000",
            "--virtual-time-budget=20000",
            f"--screenshot={out}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("screenshots: no chromium on PATH; install it with `apt-get install chromium`")
    params = server_params()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ddp-screens-") as tmp, databases(params):
        home = Path(tmp)
        # The repository's instance settings, without the UI's first-visit newsletter prompt
        # (it would cover every screenshot).
        config = (ROOT / "dagster.yaml").read_text(encoding="utf-8")
        (home / "dagster.yaml").write_text(config + "nux:\n  enabled: false\n", encoding="utf-8")
        env = dagster_env(params, home)
        dagster(env, "asset", "materialize", "-m", "ddp_dagster.definitions", "--select", "*")
        dagster(env, "job", "execute", "-m", "ddp_dagster.definitions", "-j", "schema_drift_job")
        run_id = latest_run_id(env)
        with webserver(env) as base:
            pages = dict(PAGES)
            if run_id:
                pages[f"/runs/{run_id}"] = "drift-run.png"
            for path, name in pages.items():
                shoot(browser, base + path, args.out / name)
                print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
