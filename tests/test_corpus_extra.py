"""Every schema pair of tests/corpus_extra converges (schemas that are not in shared/).

The cases were written from memory of real public schemas (pagila/dvdrental, a
Django app, a Rails app, a multi-tenant SaaS) and from PostgreSQL documentation examples; each
also runs the other way, as ``<case>_reverse``. ``<case>_min`` folders hold the smallest
pair that still shows a failure found by ``../shared/tools/converge.py``. One more case per
correctness class the engine must handle (``part_*`` for partitioned tables, ``inherit_*``,
``sequence_*``, ``replica_identity_index``, ``cluster_on``, ...) and per object kind it does not
model yet (``rules``, ``operator``, ``foreign_table``, ``event_trigger``, ...) was written from
the PostgreSQL documentation's own examples; each is already as small as its class allows.

Like tests/test_corpus.py: a.sql is the target's starting schema, b.sql the source's desired
one; the sync runs with --all-schemas; the script must apply under ON_ERROR_STOP in one
transaction, the independent judge (tests/judge.py, tombstones left out) must find the target
equal to the source, the generated rows' values must survive, and the second sync must be
empty (the ``converge`` fixture). Known failures are strict xfails that name what they
expect to raise, so a fix shows up as an XPASS to be unmarked.
"""

from __future__ import annotations

import pytest

from tests.conftest import Server, ensure_roles
from tests.corpus_cases import CASES, case_sql, param


@pytest.mark.parametrize("case", [param(c) for c in CASES])
def test_corpus_extra_case_converges(case: str, server: Server, converge) -> None:
    folder, target, source = case_sql(case)
    ensure_roles(server, folder)
    converge(target, source, all_schemas=True, skip_unloadable=True)
