"""The Plan: what a script will do, in order, and what it could not do.

The planner (plan.py) makes it; render.py writes it as the script, apply.py runs it, planfile.py
keeps it in a plan file, and the presenter (present.py) reports it on every face. It holds the
ordered steps with their hazards, the data checks' findings, the cleanup part and what was left
out: data only, no catalog access, no SQL building.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ddp_engine.diff import Change
from ddp_engine.hazards import Hazard, HazardCode, refused
from ddp_engine.model import Unsupported
from ddp_engine.stepspec import Step
from ddp_engine.unmodelled import REFUSED

__all__ = ["WHOLE_PLAN", "DataFinding", "Plan"]


class DataFinding(BaseModel):
    """What a read-only look at the target's rows says about one step."""

    model_config = ConfigDict(frozen=True)

    step: int
    note: str
    check: str
    count: int | None
    message: str
    fails: bool
    #: values_fail / values_change when the count shows values that would fail or change (or
    #: could not be counted): these block an apply without consent.
    hazard: Hazard | None = None


#: The step note of a hazard of the plan as a whole (Plan.plan_hazards).
WHOLE_PLAN = "the whole plan"


class Plan(BaseModel):
    """What the script will do, in order, and what it could not do."""

    model_config = ConfigDict(frozen=True)

    source_label: str
    target_label: str
    target_schema: str
    all_schemas: bool
    generated_at: str
    stamp: str
    #: The target snapshot's fingerprint, or "" when the plan was made only to be written
    #: (SyncOptions.fingerprint): apply_plan refuses such a plan.
    target_fingerprint: str
    changes: tuple[Change, ...] = ()
    steps: tuple[Step, ...] = ()
    cleanup: tuple[str, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    warnings: tuple[str, ...] = ()
    #: What people should know about how the plan was made (where SQL files were loaded).
    notes: tuple[str, ...] = ()
    #: Hazards of the plan as a whole rather than of one step (see ``hazards``).
    plan_hazards: tuple[Hazard, ...] = ()
    data_checks: tuple[DataFinding, ...] = ()
    online: bool = False
    lock_timeout: str = "10s"
    statement_timeout: str = "0"
    #: The TimeZone of ddp's session on the target, read with the plan when a column's type
    #: changes (conversions.TargetConversions): the script sets it, so that a timestamptz
    #: converts as the data checks counted whatever the PGTZ of whoever runs the script.
    time_zone: str | None = None
    #: Objects out of scope (--include/--exclude, a schema map): left as the target has them.
    left_out: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.steps

    @property
    def differences(self) -> int:
        """What differs: the diff's changes, and each unsynchronised object only one side
        holds (a statement-free refusal step, unmodelled.py)."""
        return len(self.changes) + sum(1 for s in self.steps if s.key[0] == REFUSED)

    def hazards(self) -> list[tuple[str, Hazard]]:
        """(step note, hazard) pairs, the steps' own and their data checks', in step order."""
        found: dict[int, list[Hazard]] = {}
        for finding in self.data_checks:
            if finding.hazard is not None:
                found.setdefault(finding.step, []).append(finding.hazard)
        return [(WHOLE_PLAN, h) for h in self.plan_hazards] + [
            (step.note, h)
            for i, step in enumerate(self.steps)
            for h in (*step.hazards, *found.get(i, ()))
        ]

    def refused(self, allowed: frozenset[HazardCode] = frozenset()) -> list[HazardCode]:
        """The blocking hazard codes of this plan that ``allowed`` does not let through."""
        return refused((h.code for _, h in self.hazards()), allowed)

    def counts(self) -> dict[str, int]:
        """Statements per section."""
        out: dict[str, int] = {}
        for step in self.steps:
            out[step.section] = out.get(step.section, 0) + len(step.statements)
        return out
