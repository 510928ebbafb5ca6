"""Every schema pair of tests/corpus_extra converges (issue 6: schemas that are not in shared/).

The cases were written for issue 6 from memory of real public schemas (pagila/dvdrental, a
Django app, a Rails app, a multi-tenant SaaS) and from PostgreSQL documentation examples; each
also runs the other way, as ``<case>_reverse``. ``<case>_min`` folders hold the smallest
pair that still shows a failure found by ``../shared/tools/converge.py``.

Like tests/test_corpus.py: a.sql is the target's starting schema, b.sql the source's desired
one; the sync runs with --all-schemas; the script must apply under ON_ERROR_STOP in one
transaction, the independent judge (tests/judge.py, tombstones left out) must find the target
equal to the source, the generated rows' values must survive, and the second sync must be
empty (the ``converge`` fixture). Known failures are strict xfails that name what they
expect to raise, so a fix shows up as an XPASS to be unmarked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, ensure_roles

CORPUS_EXTRA = Path(__file__).resolve().parent / "corpus_extra"

FOLDERS = sorted(p.name for p in CORPUS_EXTRA.iterdir() if (p / "a.sql").is_file())
REVERSED = "_reverse"
#: Every full case also runs the other way (b.sql as the target, a.sql as the source).
REVERSE_CASES = {f"{f}{REVERSED}" for f in FOLDERS if not f.endswith("_min")}
CASES = sorted([*FOLDERS, *REVERSE_CASES])

# case -> why it fails today; the _min folders reproduce each one.
KNOWN_FAILURES: dict[str, str] = {}


def _param(case: str) -> Any:
    reason = KNOWN_FAILURES.get(case)
    if reason is None:
        return case
    return pytest.param(
        case, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
    )


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_extra_case_converges(case: str, server: Server, converge) -> None:
    folder = CORPUS_EXTRA / (case.removesuffix(REVERSED) if case in REVERSE_CASES else case)
    ensure_roles(server, folder)
    a, b = (folder / "a.sql").read_bytes(), (folder / "b.sql").read_bytes()
    target, source = (b, a) if case in REVERSE_CASES else (a, b)
    converge(target, source, all_schemas=True, skip_unloadable=True)
