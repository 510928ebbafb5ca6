"""Objects of kinds DDP does not synchronise (queries/unsupported.sql): listed in the script
when both sides hold them alike, refused when they differ.

A plan that left such a difference out would call two different databases "in sync". Each
object only one side holds becomes a step without statements that carries a blocking hazard
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


def one_sided(source: Snapshot, target: Snapshot) -> set[Unsupported]:
    """The unsynchronised objects only one side holds: differences the diff cannot express."""
    return set(source.unsupported) ^ set(target.unsupported)


def refusals(source: Snapshot, target: Snapshot) -> list[Step]:
    """One step per unsynchronised object that only one side holds, in a stable order."""
    src = set(source.unsupported)
    steps = []
    for u in sorted(
        one_sided(source, target), key=lambda u: (u.schema_name, u.object_type, u.identity)
    ):
        where = "source" if u in src else "target"
        steps.append(
            Step(
                section=Section.PRIVILEGE,
                key=(REFUSED, u.schema_name, u.identity, u.object_type),
                action=Action.CREATE if u in src else Action.DROP,
                note=f"Not synchronised: {_label(u)} (only in the {where}); change it by hand",
                statements=(),
                hazards=(
                    hazard(
                        HazardCode.NOT_SYNCHRONISED,
                        f"{_label(u)} is only in the {where}: DDP does not synchronise "
                        f"{u.object_type}s",
                    ),
                ),
            )
        )
    return steps


def _label(u: Unsupported) -> str:
    """One line: a newline in a name is written ``\\n`` (notes and hazards are printed)."""
    return f"{u.object_type} {u.identity}".replace("\r", "\\r").replace("\n", "\\n")
