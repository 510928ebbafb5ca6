"""Sequences: their options, owner column and renames."""

from __future__ import annotations

from functools import partial

from ddp_engine.ddl.base import (
    StepBase,
)
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import HazardCode, hazard
from ddp_engine.model import (
    Key,
    Sequence,
)
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Generated, Section, StepSpec, alters, creates, step

#: A counter moved into a sequence's narrower bounds (SequenceSteps._into_bounds).
RESTART = hazard(
    HazardCode.RESTARTS_IDENTITY,
    "where the counter lies outside the new bounds, it starts again at START (going back, "
    "it may hand out numbers again)",
)


class SequenceSteps(StepBase):
    """Sequences: the kind whose values are counters."""

    def _sequence_options(self, s: Sequence, only: set[str] | None = None) -> str:
        parts = []
        fields = [
            ("data_type", f"AS {s.data_type}"),
            ("increment", f"INCREMENT BY {s.increment}"),
            ("min_value", f"MINVALUE {s.min_value}"),
            ("max_value", f"MAXVALUE {s.max_value}"),
            ("start", f"START WITH {s.start}"),
            ("cache", f"CACHE {s.cache}"),
            ("cycle", "CYCLE" if s.cycle else "NO CYCLE"),
        ]
        for name, text in fields:
            if only is None or name in only:
                parts.append(text)
        return " ".join(parts)

    def _owned_by(self, s: Sequence, note: str) -> StepSpec:
        """OWNED BY the sequence's column (or NONE): once both exist, after its other steps."""
        owner = "NONE"
        requires: list[Key] = [("sequence", s.schema_name, s.name, "")]
        if s.owned_by is not None:
            schema, table, column = s.owned_by
            owner = f"{qualified(schema, table)}.{ident(column)}"
            requires.append(("column", schema, table, column))
        return step(
            Section.SEQUENCE,
            ("owned", s.schema_name, s.name, ""),
            Action.ALTER,
            note,
            [f"ALTER SEQUENCE {qualified(s.schema_name, s.name)} OWNED BY {owner}"],
            requires=requires,
            seq=1,
        )

    @staticmethod
    def _into_bounds(src: Sequence, tgt: Sequence) -> list[str]:
        """Narrower bounds (a higher MINVALUE, a lower MAXVALUE) than the counter's value are
        refused by ALTER SEQUENCE: the counter first starts again at the new START, read when
        the script runs and only where it lies outside them. Moving it never changes a stored
        value; a counter that goes back may hand out numbers again, as the source's bounds
        ask (``RESTART``: the restarts_identity hazard says so).

        setval must stay inside the old bounds: where the new START is not, the counter
        starts again at START through bounds that hold both ranges (then narrowed)."""
        if src.min_value <= tgt.min_value and src.max_value >= tgt.max_value:
            return []
        q = qualified(src.schema_name, src.name)
        if not tgt.min_value <= src.start <= tgt.max_value:
            return [
                f"ALTER SEQUENCE {q} MINVALUE {min(src.min_value, tgt.min_value)} "
                f"MAXVALUE {max(src.max_value, tgt.max_value)} RESTART WITH {src.start}"
            ]
        lt, gt = "OPERATOR(pg_catalog.<)", "OPERATOR(pg_catalog.>)"
        return [
            f"SELECT pg_catalog.setval({literal(q)}::pg_catalog.regclass, {src.start}, false) "
            f"FROM {q} AS s WHERE s.last_value {lt} {src.min_value} "
            f"OR s.last_value {gt} {src.max_value}"
        ]

    def _sequence_create(self, change: Change) -> Generated:
        s: Sequence = self.ctx.src[change.key]
        q = qualified(s.schema_name, s.name)
        stmts = [
            f"CREATE {'UNLOGGED ' if s.unlogged else ''}SEQUENCE {q} {self._sequence_options(s)}"
        ]
        stmts += self._new_comment(f"SEQUENCE {q}", s.comment)
        yield creates(
            change.key, f"Create missing sequence {s.name}", stmts, claims=(s.schema_name, s.name)
        )
        if s.owned_by is not None:
            yield self._owned_by(s, f"Attach sequence {s.name} to its column")
        yield from self._new_acl("sequence", change.key, f"SEQUENCE {q}", s.acl)

    def _sequence_drop(self, change: Change, recreate: bool = False) -> Generated:
        s: Sequence = self.ctx.tgt[change.key]
        yield self._rename_away(
            change.key,
            f"Rename extra sequence {s.name} (data preservation)",
            "SEQUENCE",
            s.name,
            partial(qualified, s.schema_name),
            frees=((s.schema_name, s.name),),
        )

    def _sequence_alter(self, change: Change) -> Generated:
        src: Sequence = self.ctx.src[change.key]
        tgt: Sequence = self.ctx.tgt[change.key]
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts = []
        options = fields & {
            "data_type",
            "increment",
            "min_value",
            "max_value",
            "start",
            "cache",
            "cycle",
        }
        hazards = []
        if options:
            stmts += self._into_bounds(src, tgt)
            stmts.append(f"ALTER SEQUENCE {q} {self._sequence_options(src, options)}")
            hazards += [RESTART] if len(stmts) > 1 else []
        if "unlogged" in fields:
            stmts.append(f"ALTER SEQUENCE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
        if "comment" in fields:
            stmts.append(self._comment(f"SEQUENCE {q}", src.comment))
        if stmts:
            yield alters(
                change.key,
                f"Change sequence {src.name}",
                stmts,
                provides=[change.key],
                hazards=hazards,
            )
        if "owned_by" in fields:
            yield self._owned_by(src, f"Change the owner column of sequence {src.name}")
        if "acl" in fields:
            yield from self._privileges(
                "sequence", change.key, f"SEQUENCE {q}", src.acl, tgt.acl, tgt.owner
            )
