"""Every schema pair of ../shared/corpus (a peer's real fixtures) converges.

a.sql is the target's starting schema, b.sql the source's desired one; the sync runs with
--all-schemas like the independent checker (shared/tools/converge.py) does.
"""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, Server, ensure_roles

CASES = (
    sorted(p.name for p in CORPUS.iterdir() if (p / "a.sql").is_file()) if CORPUS.is_dir() else []
)


@pytest.mark.skipif(not CASES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("case", CASES)
def test_corpus_case_converges(case: str, server: Server, converge) -> None:
    folder = CORPUS / case
    ensure_roles(server, folder)
    converge(
        (folder / "a.sql").read_bytes(),
        (folder / "b.sql").read_bytes(),
        all_schemas=True,
        skip_unloadable=True,
    )
