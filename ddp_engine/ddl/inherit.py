"""Inheritance children and partitions: what a child holds of its own on inherited columns.

A child gets its inherited columns' defaults and NOT NULL from its parents, and may hold its
own: a default its parents lack or do not share, a NOT NULL its parents do not have (the
snapshot lists only these, ``Table.inherited_defaults`` and ``inherited_not_null``). What a
child holds is therefore worked out up its chain of parents (``_inherited``). A parent's SET or
DROP DEFAULT reaches every child unless written with ONLY: it is written with ONLY where a
child holds its own default on either side, and each child whose value then differs gets a step
of its own. SET and DROP NOT NULL always reach the children (PostgreSQL gives no choice): a
child's own NOT NULL is set again after its parent's changes.
"""

from __future__ import annotations

from typing import NamedTuple

from ddp_engine.context import ObjectIndex
from ddp_engine.ddl.base import StepBase
from ddp_engine.hazards import MAY_FAIL, SCAN, Hazard
from ddp_engine.model import Key, Kind, Table
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, alters

#: How far up a chain of parents is followed (a guard, inheritance has no cycles).
_DEPTH = 32


class Held(NamedTuple):
    """What a table holds on one column, its own or from its parents."""

    found: bool
    default: str | None
    not_null: bool


_ABSENT = Held(False, None, False)


class InheritSteps(StepBase):
    """What children hold on inherited columns, and the steps that set it."""

    def _parents(self, side: ObjectIndex, t: Table) -> list[Table]:
        """``t``'s parents (partitioned table or inheritance parents) that ``side`` holds."""
        names = [*t.inherits, *([t.partition_of] if t.partition_of else [])]
        found = []
        for name in names:
            schema, table = self._split_regclass(name, t.schema_name)
            parent = side.get((Kind.TABLE, schema, table, ""))
            if isinstance(parent, Table):
                found.append(parent)
        return found

    def _inherited(self, side: ObjectIndex, t: Table, column: str, depth: int = 0) -> Held:
        """What ``t`` holds on ``column``: its own column, or its parents' with its own
        default and NOT NULL on top."""
        own = t.column(column)
        if own is not None:
            return Held(True, own.default, own.not_null)
        if depth > _DEPTH:
            return _ABSENT
        for parent in self._parents(side, t):
            held = self._inherited(side, parent, column, depth + 1)
            if held.found:
                defaults = dict(t.inherited_defaults)
                default = defaults.get(column, held.default)
                return Held(True, default, held.not_null or column in t.inherited_not_null)
        return _ABSENT

    def _all_columns(self, side: ObjectIndex, t: Table, depth: int = 0) -> list[str]:
        """Every column of ``t``, its parents' first."""
        names: list[str] = []
        if depth <= _DEPTH:
            for parent in self._parents(side, t):
                names += [n for n in self._all_columns(side, parent, depth + 1) if n not in names]
        return names + [c.name for c in t.columns if c.name not in names]

    def _children(self, schema: str, table: str) -> list[Table]:
        """The target's tables that inherit from (or are partitions of) ``schema.table``."""
        cached = getattr(self, "_children_of", None)
        if cached is None:
            cached = {}
            for t in self.ctx.target.tables:
                for parent in self._parents(self.ctx.tgt, t):
                    cached.setdefault((parent.schema_name, parent.name), []).append(t)
            self._children_of: dict[tuple[str, str], list[Table]] = cached
        return cached.get((schema, table), [])

    def _holds_own_default(self, t: Table, column: str) -> bool:
        """Whether ``t`` holds its own default on inherited ``column``, on either side."""
        src = self.ctx.source_table(t.schema_name, t.name)
        return column in dict(t.inherited_defaults) or (
            src is not None and column in dict(src.inherited_defaults)
        )

    def _reaches_children(self, schema: str, table: str, column: str, depth: int = 0) -> bool:
        """Whether a SET/DROP DEFAULT on the parent may reach its children: none of them (at
        any depth) holds a default of its own on ``column``."""
        for child in self._children(schema, table):
            if child.column(column) is not None:
                continue  # its own column: a default change does not reach it
            if self._holds_own_default(child, column):
                return False
            if depth < _DEPTH and not self._reaches_children(
                child.schema_name, child.name, column, depth + 1
            ):
                return False
        return True

    def _only(self, schema: str, table: str, column: str) -> str:
        """``ONLY `` for a parent's SET/DROP DEFAULT that must not reach its children."""
        return "" if self._reaches_children(schema, table, column) else "ONLY "

    def _set_not_null(self, t: Table, column: str) -> str:
        """SET NOT NULL, or on PostgreSQL 18 the source's named NOT NULL constraint: a name the
        server picks must be unused in the schema, and a partition's may hold it already (it
        then merges with the parent's)."""
        q, col = qualified(t.schema_name, t.name), ident(column)
        name = dict(t.not_null_names).get(column)
        if name is None or self.ctx.target.server_version < 180000:
            return f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL"
        return f"ALTER TABLE {q} ADD CONSTRAINT {ident(name)} NOT NULL {col}"

    def _column_owner(
        self, side: ObjectIndex, t: Table, column: str, depth: int = 0
    ) -> Table | None:
        """The ancestor of ``t`` whose own column ``column`` is (None if none is)."""
        for parent in self._parents(side, t):
            if parent.column(column) is not None:
                return parent
            found = self._column_owner(side, parent, column, depth + 1) if depth < _DEPTH else None
            if found is not None:
                return found
        return None

    def _after_parents(self, t: Table, column: str) -> Held:
        """What the target's ``t`` holds on inherited ``column`` once the column's owner (the
        ancestor whose own column it is) is changed: a change of its NOT NULL always reaches
        ``t``, of its default where written without ONLY."""
        held = self._inherited(self.ctx.tgt, t, column)
        owner = self._column_owner(self.ctx.tgt, t, column)
        new = owner and self.ctx.source_table(owner.schema_name, owner.name)
        old_column = owner.column(column) if owner is not None else None
        new_column = new.column(column) if new is not None else None
        if owner is None or old_column is None or new_column is None:
            return held
        default, not_null = held.default, held.not_null
        if new_column.default != old_column.default and self._reaches_children(
            owner.schema_name, owner.name, column
        ):
            default = new_column.default
        if new_column.not_null != old_column.not_null:
            not_null = new_column.not_null
        return Held(True, default, not_null)

    def _inherited_own_steps(self, t: Table, new: bool) -> Generated:
        """Set what the source's ``t`` holds on its inherited columns where the target's does
        not hold it already (``new``: ``t`` is created by the plan, holding what its parents
        give it)."""
        old = None if new else self.ctx.target_table(t.schema_name, t.name)
        inherited_old = set(self._all_columns(self.ctx.tgt, old)) if old is not None else set()
        own = {c.name for c in t.columns}
        q = qualified(t.schema_name, t.name)
        for column in self._all_columns(self.ctx.src, t):
            if column in own or (
                old is not None and (column not in inherited_old or old.column(column))
            ):
                continue
            want = self._inherited(self.ctx.src, t, column)
            if old is None:
                parents = [
                    self._inherited(self.ctx.src, p, column) for p in self._parents(self.ctx.src, t)
                ]
                given = next((h for h in parents if h.found), _ABSENT)
                have = Held(True, given.default, any(h.not_null for h in parents))
            else:
                have = self._after_parents(old, column)
            stmts = []
            col = ident(column)
            if want.default != have.default:
                what = "DROP DEFAULT" if want.default is None else f"SET DEFAULT {want.default}"
                stmts.append(f"ALTER TABLE ONLY {q} ALTER COLUMN {col} {what}")
            hazards: list[Hazard] = []
            check: tuple[str, ...] = ()
            if want.not_null != have.not_null:
                what = "SET NOT NULL" if want.not_null else "DROP NOT NULL"
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} {what}")
                if want.not_null and old is not None:
                    hazards += [SCAN, MAY_FAIL]
                    check = ("not_null", t.schema_name, t.name, column)
            if not stmts:
                continue
            key: Key = (Kind.DEFAULT, t.schema_name, t.name, column)
            ancestors = [*self._parents(self.ctx.src, t)]
            if old is not None:
                ancestors += self._parents(self.ctx.tgt, old)
            requires: list[Key] = [(Kind.TABLE, t.schema_name, t.name, "")]
            for parent in ancestors:
                for kind in (Kind.COLUMN, Kind.DEFAULT):
                    requires.append((kind, parent.schema_name, parent.name, column))
            yield alters(
                key,
                f"Set {t.name}'s own default and NOT NULL of inherited column {column}",
                stmts,
                provides=[key],
                requires=requires,
                hazards=hazards,
                check=check,
                seq=6,
            )
