"""Every schema pair of ../shared/corpus (a peer's real fixtures) converges.

a.sql is the target's starting schema, b.sql the source's desired one; the sync runs with
--all-schemas like the independent checker (shared/tools/converge.py) does.
"""

from __future__ import annotations

import pytest

from tests.conftest import Server, ensure_roles
from tests.corpus_cases import SHARED_CASES as CASES
from tests.corpus_cases import shared_sql


@pytest.mark.skipif(not CASES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("case", CASES)
def test_corpus_case_converges(case: str, server: Server, converge) -> None:
    folder, target, source = shared_sql(case)
    ensure_roles(server, folder)
    converge(target, source, all_schemas=True, skip_unloadable=True)
