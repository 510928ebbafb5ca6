"""The run cannot shrink silently under CI=true (tests/ci_guard.py, tests/pg_server.py).

Each case runs pytest in a subprocess on a small project of its own whose conftest loads the
suite's guard, with and without ``CI=true``: the guard must fail the run exactly when CI is on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.pg_server import local_cluster_exists

REPO = Path(__file__).resolve().parents[1]

CONFTEST = """
from tests.ci_guard import (  # noqa: F401
    pytest_collection_modifyitems, pytest_collectreport, pytest_runtest_logreport,
    pytest_sessionfinish, pytest_sessionstart, pytest_terminal_summary,
)
"""


def run(
    tmp_path: Path, tests: str, ci: bool, corpus: bool = True, allow: str = "", *args: str
) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True, exist_ok=True)
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_cases.py").write_text(tests)
    (project / "tests" / "skips_allowed.txt").write_text(allow)
    if corpus:
        (tmp_path / "shared" / "corpus").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER")}
    env["PYTHONPATH"] = str(REPO)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SKIPPING = (
    "import pytest\n\ndef test_a():\n    pytest.skip('no server here')\n\ndef test_b():\n    pass\n"
)


def test_a_missing_corpus_fails_ci_only(tmp_path: Path) -> None:
    failed = run(tmp_path, "def test_a():\n    pass\n", ci=True, corpus=False)
    assert failed.returncode != 0
    assert "shared/corpus is missing" in failed.stdout + failed.stderr
    assert run(tmp_path, "def test_a():\n    pass\n", ci=False, corpus=False).returncode == 0


def test_an_unexpected_skip_fails_ci_only(tmp_path: Path) -> None:
    failed = run(tmp_path, SKIPPING, ci=True)
    assert failed.returncode == 1, failed.stdout
    assert "test_cases.py::test_a: no server here" in failed.stdout
    assert run(tmp_path, SKIPPING, ci=False).returncode == 0


def test_a_skip_on_the_allowlist_passes_ci(tmp_path: Path) -> None:
    allow = "# why\n^test_cases\\.py::test_a$ :: ^no server here$\n"
    assert run(tmp_path, SKIPPING, ci=True, allow=allow).returncode == 0
    other = "^test_cases\\.py::test_a$ :: ^another reason$\n"
    assert run(tmp_path, SKIPPING, ci=True, allow=other).returncode == 1


def test_a_module_skip_counts_too(tmp_path: Path) -> None:
    module = "import pytest\npytest.skip('whole module', allow_module_level=True)\n"
    assert run(tmp_path, module, ci=True).returncode != 0


def test_skips_on_xdist_workers_count_too(tmp_path: Path) -> None:
    """The README's command runs two workers: their skips reach the controller's guard."""
    failed = run(tmp_path, SKIPPING, True, True, "", "-n", "2")
    assert failed.returncode == 1, failed.stdout
    assert "test_cases.py::test_a: no server here" in failed.stdout


@pytest.mark.parametrize(
    "mark",
    [
        "pytest.mark.xfail(reason='x')",
        "pytest.mark.xfail(strict=True, reason='x')",
        "pytest.mark.xfail(raises=ValueError, reason='x')",
    ],
)
def test_an_xfail_must_be_strict_and_name_what_it_raises(tmp_path: Path, mark: str) -> None:
    tests = f"import pytest\n\n@{mark}\ndef test_a():\n    raise ValueError\n"
    result = run(tmp_path, tests, ci=False)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "raises=" in result.stderr
    strict = "import pytest\n\n@pytest.mark.xfail(strict=True, raises=ValueError, reason='x')\ndef test_a():\n    raise ValueError\n"
    assert run(tmp_path, strict, ci=True).returncode == 0


def test_every_test_has_a_time_limit(tmp_path: Path) -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]
    assert 0 < int(config["ini_options"]["timeout"]) <= 600
    hanging = "import time\n\ndef test_a():\n    time.sleep(30)\n"
    result = run(tmp_path, hanging, False, True, "", "-o", "timeout=2")
    assert result.returncode == 1
    assert "Timeout" in result.stdout


def test_the_run_prints_the_servers_it_used(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_judge.py::test_tombstones_are_left_out_and_nothing_else"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("PostgreSQL servers used:"))
    assert line != "PostgreSQL servers used: none"


def test_a_cluster_that_does_not_answer_fails_ci(tmp_path: Path) -> None:
    if not local_cluster_exists():
        pytest.skip("no local PostgreSQL cluster on this machine")
    tests = "def test_a(server):\n    pass\n"
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "conftest.py").write_text("from tests.conftest import *  # noqa\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER",)}
    env.update(PYTHONPATH=str(REPO), CI="true", PGPORT="1")
    (tmp_path / "project" / "test_cases.py").write_text(tests)
    (tmp_path / "shared" / "corpus").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path / "project", env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CI: a local PostgreSQL cluster exists" in result.stdout
