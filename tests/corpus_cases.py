"""The schema pairs the convergence tests run: ../shared/corpus (a peer's real fixtures) and
tests/corpus_extra (written from public schemas and PostgreSQL's documentation).

a.sql is the target's starting schema, b.sql the source's desired one. Every full case of
corpus_extra also runs the other way, as ``<case>_reverse``; ``<case>_min`` folders hold the
smallest pair that still shows a failure once found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ci_guard import corpus_dir

SHARED = corpus_dir(Path(__file__).resolve().parents[1]) / "migra"
CORPUS_EXTRA = Path(__file__).resolve().parent / "corpus_extra"

SHARED_CASES = (
    sorted(p.name for p in SHARED.iterdir() if (p / "a.sql").is_file()) if SHARED.is_dir() else []
)
FOLDERS = sorted(p.name for p in CORPUS_EXTRA.iterdir() if (p / "a.sql").is_file())
REVERSED = "_reverse"
#: Every full case also runs the other way (b.sql as the target, a.sql as the source).
REVERSE_CASES = {f"{f}{REVERSED}" for f in FOLDERS if not f.endswith("_min")}
CASES = sorted([*FOLDERS, *REVERSE_CASES])

#: case -> why it fails today (on every version): a strict xfail naming what it raises. Empty:
#: every case converges; a case added for a class not yet handled goes here until it does.
KNOWN_FAILURES: dict[str, str] = {}


def param(case: str, also: dict[str, str] | None = None) -> Any:
    """``case`` as a test parameter: a strict xfail naming what it raises where it is known to
    fail (``also``: failures known on one version only)."""
    reason = KNOWN_FAILURES.get(case) or (also or {}).get(case)
    if reason is None:
        return case
    return pytest.param(
        case, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
    )


def case_sql(case: str) -> tuple[Path, bytes, bytes]:
    """(folder, target SQL, source SQL) of a corpus_extra case (``_reverse`` swaps them)."""
    folder = (
        CORPUS_EXTRA / case.removesuffix(REVERSED) if case in REVERSE_CASES else CORPUS_EXTRA / case
    )
    a, b = (folder / "a.sql").read_bytes(), (folder / "b.sql").read_bytes()
    return (folder, b, a) if case in REVERSE_CASES else (folder, a, b)


def shared_sql(case: str) -> tuple[Path, bytes, bytes]:
    """(folder, target SQL, source SQL) of a ../shared/corpus case."""
    folder = SHARED / case
    return folder, (folder / "a.sql").read_bytes(), (folder / "b.sql").read_bytes()


#: ``extra:<case>`` / ``shared:<case>`` -> why a dump of the case's b.sql, loaded again, does
#: not compare equal to it today (tests/test_dump.py).
DUMP_KNOWN_FAILURES: dict[str, str] = {}
