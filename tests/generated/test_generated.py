"""Generated schema pairs converge both ways with values kept (issue 14.3).

Each example is a random schema A and an edit of it, B (tests/generated/strategies.py). A is
loaded into the target and B into the source, rows are generated into the target
(tests/values.py), B is synced to A and the script applied; the ``converge`` fixture then
requires the independent judge to find them equal, every kept value to be there and DDP's
second sync to be empty. Then the other way: B as the target, A as the source.

The normal run is small and derandomized (CI is deterministic); ``DDP_GENERATED_EXAMPLES``
raises the count, ``DDP_GENERATED_SEED`` explores other examples (scripts/generated.sh). A
failure hypothesis shrinks is printed as its a.sql and b.sql, and written to
``$DDP_GENERATED_SAVE/{a.sql,b.sql}`` when that is set: it becomes a tests/corpus_extra case.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, note, seed, settings

from tests.generated.strategies import Pair, schema_pairs

EXAMPLES = int(os.environ.get("DDP_GENERATED_EXAMPLES", "15"))
SEED = os.environ.get("DDP_GENERATED_SEED")
SAVE = os.environ.get("DDP_GENERATED_SAVE")


def _save(pair: Pair, direction: str, error: BaseException) -> None:
    if not SAVE:
        return
    folder = Path(SAVE)
    folder.mkdir(parents=True, exist_ok=True)
    target, source = (pair.a, pair.b) if direction == "forward" else (pair.b, pair.a)
    (folder / "a.sql").write_text(target)
    (folder / "b.sql").write_text(source)
    (folder / "error.txt").write_text(f"{direction}\n{error}\n")


def _seeded(test: Any) -> Any:
    """Another part of the example space than CI's, with DDP_GENERATED_SEED."""
    return test if SEED is None else seed(int(SEED))(test)


@_seeded
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED is None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pair=schema_pairs())
def test_generated_pair_converges_both_ways(pair: Pair, converge, make_db) -> None:
    note(repr(pair))
    for edit in sorted(set(pair.edits)):
        event(f"edit {edit}")
    if pair.a == pair.b:
        event("edits left the schema as it was")
    for direction, (target, source) in (
        ("forward", (pair.a, pair.b)),
        ("reverse", (pair.b, pair.a)),
    ):
        make_db.recycle()
        try:
            converge(target, source)
        except BaseException as exc:
            _save(pair, direction, exc)
            raise
