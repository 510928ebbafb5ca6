"""What an SQL generator returns: step specs the planner orders, and warnings.

A generator (ddl/) says what a change takes: its statements, typed hazards and data check,
which objects the step provides (creates or alters), requires, disturbs (drops, renames,
alters) and which names it frees or claims. It never orders anything itself: ``after`` names
earlier specs of the same generator that must run first, and the planner (plan.py) turns all
of it into edges of the dependency graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from ddp_engine.diff import Action
from ddp_engine.hazards import Hazard
from ddp_engine.model import Key
from ddp_engine.registry import Section


class Step(BaseModel):
    """One statement (or a few that belong together) with why it is there and what it risks."""

    model_config = ConfigDict(frozen=True)

    section: Section
    key: Key
    action: Action
    note: str
    statements: tuple[str, ...]
    hazards: tuple[Hazard, ...] = ()
    check: tuple[str, ...] = ()  # what the data check of this step counts (datacheck.py)
    online: bool = False  # runs after the transaction, each statement on its own


@dataclass(frozen=True, eq=False, slots=True)
class StepSpec:
    """A step as a generator describes it, with what orders it (compared by identity:
    ``after`` points at specs)."""

    step: Step
    provides: tuple[Key, ...] = ()
    disturbs: tuple[Key, ...] = ()
    frees: tuple[tuple[str, str], ...] = ()
    claims: tuple[str, str] | None = None
    requires: tuple[Key, ...] = ()
    #: Run after every step that disturbs one of these (a column added to a child after the
    #: parent's column of that name is renamed away).
    after_disturbed: tuple[Key, ...] = ()
    #: Tie-break among steps of one object and section (smaller first).
    seq: int = 0
    #: Earlier specs of the same generator this one must follow.
    after: tuple[StepSpec, ...] = ()
    #: Statements for the script's cleanup part (the DROP of what this step renamed away).
    cleanup: tuple[str, ...] = ()


def step(
    section: Section,
    key: Key,
    action: Action,
    note: str,
    statements: Iterable[str],
    *,
    provides: Iterable[Key] = (),
    disturbs: Iterable[Key] = (),
    hazards: Iterable[Hazard] = (),
    frees: Iterable[tuple[str, str]] = (),
    claims: tuple[str, str] | None = None,
    requires: Iterable[Key] = (),
    after_disturbed: Iterable[Key] = (),
    check: tuple[str, ...] = (),
    online: bool = False,
    seq: int = 0,
    after: Iterable[StepSpec | None] = (),
    cleanup: Iterable[str] = (),
) -> StepSpec:
    """A StepSpec from any iterables (generators build their lists as they go)."""
    made = Step(
        section=section,
        key=key,
        action=action,
        note=note,
        statements=tuple(statements),
        hazards=tuple(hazards),
        check=check,
        online=online,
    )
    return StepSpec(
        step=made,
        provides=tuple(provides),
        disturbs=tuple(disturbs),
        frees=tuple(frees),
        claims=claims,
        requires=tuple(requires),
        after_disturbed=tuple(after_disturbed),
        seq=seq,
        after=tuple(s for s in after if s is not None),
        cleanup=tuple(cleanup),
    )


class PlanWarning(NamedTuple):
    """Something the plan cannot do or the user must do by hand (the script's warnings)."""

    text: str


#: What a generator yields, in the order the steps were thought of (the planner's tie-break).
Emitted = StepSpec | PlanWarning
Generated = Iterator[Emitted]
