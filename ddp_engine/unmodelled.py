"""Objects of kinds DDP does not synchronise (queries/unsupported.sql): listed in the script
when both sides hold them alike, refused when they differ (one side only, or another
definition under the same name).

A plan that left such a difference out would call two different databases "in sync". Each
object that differs becomes a step without statements that carries a blocking hazard
(``not_synchronised``): the plan is not empty, ``--exit-code`` reports drift, and an apply is
refused until the object is changed by hand (or the user lets the rest through with
``--allow-hazards not_synchronised``).
"""

from __future__ import annotations

from ddp_engine.diff import Action
from ddp_engine.hazards import HazardCode, hazard
from ddp_engine.model import Snapshot, Unsupported
from ddp_engine.registry import Section
from ddp_engine.stepspec import Step

#: The kind in a refusal step's key: DDP gives such objects no kind of its own.
REFUSED = "unsupported"


def differing(source: Snapshot, target: Snapshot) -> list[tuple[Unsupported, str]]:
    """Each unsynchronised object that differs, with where: ``source`` or ``target`` when only
    that side holds it, ``both`` when both do with other definitions (the source's given), in a
    stable order. Differences the diff cannot express."""
    src = {_identity(u): u for u in source.unsupported}
    tgt = {_identity(u): u for u in target.unsupported}
    found = []
    for key in sorted(src.keys() | tgt.keys()):
        s, t = src.get(key), tgt.get(key)
        if s is not None and t is not None:
            if s.definition != t.definition:
                found.append((s, "both"))
        elif s is not None:
            found.append((s, "source"))
        elif t is not None:
            found.append((t, "target"))
    return found


def listed(source: Snapshot, target: Snapshot) -> tuple[Unsupported, ...]:
    """Every unsynchronised object of either side, once (the source's where both hold it)."""
    both = {_identity(u): u for u in (*target.unsupported, *source.unsupported)}
    return tuple(both[key] for key in sorted(both))


def refusals(source: Snapshot, target: Snapshot) -> list[Step]:
    """One step per unsynchronised object that differs, in a stable order."""
    steps = []
    for u, where in differing(source, target):
        how = "differs between the sides" if where == "both" else f"only in the {where}"
        action = {"source": Action.CREATE, "target": Action.DROP}.get(where, Action.ALTER)
        steps.append(
            Step(
                section=Section.PRIVILEGE,
                key=(REFUSED, u.schema_name, u.identity, u.object_type),
                action=action,
                note=f"Not synchronised: {_label(u)} ({how}); change it by hand",
                statements=(),
                hazards=(
                    hazard(
                        HazardCode.NOT_SYNCHRONISED,
                        f"{_label(u)} is {how}: DDP does not synchronise {u.object_type}s",
                    ),
                ),
            )
        )
    return steps


def _identity(u: Unsupported) -> tuple[str, str, str]:
    return (u.schema_name, u.object_type, u.identity)


def _label(u: Unsupported) -> str:
    """One line: a newline in a name is written ``\\n`` (notes and hazards are printed)."""
    return f"{u.object_type} {u.identity}".replace("\r", "\\r").replace("\n", "\\n")
