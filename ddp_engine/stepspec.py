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
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from ddp_engine.diff import Action
from ddp_engine.hazards import Hazard
from ddp_engine.model import Key, Kind
from ddp_engine.registry import KINDS, Section


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


#: The section of the script a step on an object goes to, by the object's kind: its kind's
#: (registry.py); a column and its default are changed in the columns' section.
SECTION_OF: dict[str, Section] = {
    **{spec.kind: spec.section for spec in KINDS},
    Kind.COLUMN: Section.COLUMN,
    Kind.DEFAULT: Section.COLUMN,
}


def creates(key: Key, note: str, statements: Iterable[str], **more: Any) -> StepSpec:
    """The step that creates ``key``'s object, in its kind's section: it provides the key.
    ``more``: the other keywords of ``step``."""
    return step(SECTION_OF[key[0]], key, Action.CREATE, note, statements, provides=[key], **more)


def drops(key: Key, note: str, statements: Iterable[str], **more: Any) -> StepSpec:
    """The step that drops ``key``'s object, in its kind's section: it disturbs the key."""
    return step(SECTION_OF[key[0]], key, Action.DROP, note, statements, disturbs=[key], **more)


def alters(key: Key, note: str, statements: Iterable[str], **more: Any) -> StepSpec:
    """A step that changes ``key``'s object in place, in its kind's section (what it provides
    or disturbs, the caller says: a comment provides nothing others wait for)."""
    return step(SECTION_OF[key[0]], key, Action.ALTER, note, statements, **more)


def drop_note(what: str, recreate: bool) -> str:
    """``Drop extra <what>``, or ``Drop <what> to recreate it`` when it is created again."""
    return f"Drop {what} to recreate it" if recreate else f"Drop extra {what}"


class PlanWarning(NamedTuple):
    """Something the plan cannot do or the user must do by hand (the script's warnings)."""

    text: str


#: What a generator yields, in the order the steps were thought of (the planner's tie-break).
Emitted = StepSpec | PlanWarning
Generated = Iterator[Emitted]
