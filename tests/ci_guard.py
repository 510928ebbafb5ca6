"""A run under ``CI=true`` cannot shrink silently (pytest hooks, imported by tests/conftest.py).

A green CI once hid 26 corpus cases behind one skip, a cross-version test behind a server that
did not start, and known failures behind xfails that any error satisfied. Under ``CI=true``:

- ``../shared/corpus`` must be beside the checkout (its cases are the corpus tests);
- every skip must match a line of tests/skips_allowed.txt, else the run fails and names it;
- every xfail must be strict and say what it expects to raise (``raises=``), in CI or not;
- the run prints the PostgreSQL versions its tests used (tests/pg_server.py records them).

A local cluster that exists but does not answer is refused in tests/pg_server.py.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ALLOWLIST = Path("tests") / "skips_allowed.txt"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def corpus_dir(rootpath: Path) -> Path:
    """Where the shared corpus is: ``../shared/corpus`` beside the checkout."""
    return rootpath.parent / "shared" / "corpus"


@dataclass
class Seen:
    """What the controller saw of the run (xdist forwards the workers' reports to it)."""

    skips: list[tuple[str, str]] = field(default_factory=list)
    servers: set[str] = field(default_factory=set)


SEEN = Seen()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def allowed(rootpath: Path) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    """(test id pattern, reason pattern) per line ``<test id regex> :: <reason regex>``."""
    path = rootpath / ALLOWLIST
    rules = []
    for line in path.read_text().splitlines() if path.is_file() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        nodeid, _, reason = line.partition(" :: ")
        rules.append((re.compile(nodeid), re.compile(reason or ".*")))
    return rules


def unexpected_skips(rootpath: Path, skips: list[tuple[str, str]]) -> list[tuple[str, str]]:
    rules = allowed(rootpath)
    return [
        (nodeid, reason)
        for nodeid, reason in skips
        if not any(n.search(nodeid) and r.search(reason) for n, r in rules)
    ]


def _reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if in_ci() and not _is_worker(config) and not corpus_dir(config.rootpath).is_dir():
        raise pytest.UsageError(
            f"CI: {corpus_dir(config.rootpath)} is missing: the corpus tests would not run"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for mark in item.iter_markers("xfail"):
            if not mark.kwargs.get("strict") or mark.kwargs.get("raises") is None:
                raise pytest.UsageError(
                    f"{item.nodeid}: an xfail must be strict=True and name what it expects "
                    "to raise (raises=...)"
                )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        SEEN.skips.append((report.nodeid, _reason(report)))
    SEEN.servers.update(str(v) for k, v in report.user_properties if k == "postgresql")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        SEEN.skips.append((report.nodeid, _reason(report)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    if _is_worker(config):
        return
    servers = ", ".join(sorted(SEEN.servers)) or "none"
    terminalreporter.write_line(f"PostgreSQL servers used: {servers}")
    unexpected = unexpected_skips(config.rootpath, SEEN.skips)
    if unexpected and in_ci():
        terminalreporter.write_line(f"CI: {len(unexpected)} skip(s) not in {ALLOWLIST}:", red=True)
        for nodeid, reason in unexpected:
            terminalreporter.write_line(f"  {nodeid}: {reason}", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not in_ci() or _is_worker(config):
        return
    if unexpected_skips(config.rootpath, SEEN.skips) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
