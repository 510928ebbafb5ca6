"""Rules, statistics, operators, text search, foreign data, event triggers: created from the
statements their catalog query wrote (deparsed.py), dropped by the statement it wrote, and
dropped and created again when anything in them changes (none holds data)."""

from __future__ import annotations

from ddp_engine.ddl.base import StepBase
from ddp_engine.diff import Change
from ddp_engine.hazards import BEHAVIOUR, PRIVILEGES
from ddp_engine.model import Deparsed, Key, Kind
from ddp_engine.stepspec import Generated, creates, drop_note, drops


def _label(obj: Deparsed, kind: str) -> str:
    """``rule log_shoelace on shoelace_data``, ``operator +(public.complex,public.complex)``."""
    what = f"{kind.replace('_', ' ')} {obj.name}"
    return f"{what} on {obj.table}" if obj.table else what


class DeparsedSteps(StepBase):
    """The generators shared by every deparsed kind."""

    def _skipped(self, change: Change) -> bool:
        """Default privileges are privileges: left alone when the sync leaves grants alone."""
        return change.kind == Kind.DEFAULT_PRIVILEGE and not self.ctx.privileges

    def _deparsed_create(self, change: Change, why: str | None = None) -> Generated:
        obj: Deparsed = self.ctx.src[change.key]
        if self._skipped(change) or not obj.statements:
            return
        requires: list[Key] = []
        if obj.table:  # a rule stands on its table or view
            requires = [
                (Kind.TABLE, obj.schema_name, obj.table, ""),
                (Kind.VIEW, obj.schema_name, obj.table, ""),
            ]
        yield creates(
            change.key,
            self._created(_label(obj, change.kind), why),
            obj.statements,
            requires=requires,
            hazards=[PRIVILEGES] if change.kind == Kind.DEFAULT_PRIVILEGE else [],
        )

    def _deparsed_drop(self, change: Change, recreate: bool = False) -> Generated:
        obj: Deparsed = self.ctx.tgt[change.key]
        if self._skipped(change) or not obj.drop:
            return
        lost = [PRIVILEGES] if change.kind == Kind.DEFAULT_PRIVILEGE else [BEHAVIOUR]
        yield drops(
            change.key,
            drop_note(_label(obj, change.kind), recreate),
            obj.drop,
            hazards=[] if recreate else lost,
        )

    def _deparsed_alter(self, change: Change) -> Generated:
        """Never reached through StepBuilder.change (every alter recreates): kept so that the
        kind has its three generators like every other."""
        yield from self._deparsed_drop(Change.drop(change.key), recreate=True)
        yield from self._deparsed_create(Change.create(change.key), "changed")
