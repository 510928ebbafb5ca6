"""ddp installs like a library: ``ddp sync`` needs no Dagster, and nothing is pinned exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import Server

#: Top-level packages of the Dagster integration's extra (and what only it brings).
DAGSTER_ONLY = ("dagster", "dagster_postgres", "dagster_webserver", "dagster_graphql", "yaml")


def requirements() -> list[Requirement]:
    return [Requirement(text) for text in requires("ddp") or []]


def test_dagster_only_in_its_extra() -> None:
    """The metadata pip installs from: dagster and its companions only under the extra
    ``dagster`` (which ``dev`` includes), no SQLAlchemy at all, and ranges, not pins."""
    reqs = requirements()
    core = [r for r in reqs if r.marker is None]
    assert core and not [r for r in core if r.name.startswith("dagster")]
    in_extra = {
        r.name for r in reqs if r.marker is not None and r.marker.evaluate({"extra": "dagster"})
    }
    assert {"dagster", "dagster-webserver", "dagster-postgres"} <= in_extra
    dev = [r for r in reqs if r.marker is not None and r.marker.evaluate({"extra": "dev"})]
    assert any(r.name == "ddp" and "dagster" in r.extras for r in dev)
    assert not [r for r in reqs if r.name.lower() == "sqlalchemy"]
    for r in core + [r for r in reqs if r.name in in_extra]:
        assert not any(spec.operator == "==" for spec in r.specifier), r


def test_dagster_and_dagster_postgres_move_together() -> None:
    """dagster 1.13.N is released with dagster-postgres 0.29.N: the two ranges are the same
    minor series."""
    found = {r.name: r.specifier for r in requirements()}
    assert found["dagster"].contains("1.13.99") and not found["dagster"].contains("1.14.0")
    assert found["dagster-postgres"].contains("0.29.99")
    assert not found["dagster-postgres"].contains("0.30.0")


def test_constraints_lowest_are_the_lower_bounds() -> None:
    """constraints-lowest.txt holds versions only, each one the lower bound pyproject allows."""
    path = Path(__file__).resolve().parents[1] / "constraints-lowest.txt"
    pinned = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version and "/" not in line and "@" not in line, line
            pinned[name.strip().lower()] = version.strip()
    checked = [r for r in requirements() if r.name.lower() in pinned]
    assert {r.name.lower() for r in checked} | {"psycopg-binary"} == set(pinned)
    for r in checked:
        bounds = [Version(s.version) for s in r.specifier if s.operator == ">="]
        assert bounds == [Version(pinned[r.name.lower()])], r


def test_the_cli_path_imports_nothing_from_dagster(server: Server, make_db, tmp_path) -> None:
    """``ddp sync --help`` and a real ``ddp sync`` in one interpreter leave no module of the
    Dagster extra loaded: the command works where only ``pip install ddp`` ran."""
    source = make_db("CREATE TABLE public.t (id int);")
    target = make_db()
    side = f"postgresql://{server.user}@{server.host}:{server.port}/"
    code = (
        "import json, sys\n"
        "from ddp_engine.cli import main\n"
        f"for args in (['sync', '--help'], ['sync', '--source', {side + source!r}, "
        f"'--target', {side + target!r}, '--dry-run', '-q']):\n"
        "    try:\n"
        "        main.main(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {DAGSTER_ONLY!r}"
        " or m.split('.')[0] == 'sqlalchemy')))\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=clean, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE" in result.stdout  # the sync did run
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
