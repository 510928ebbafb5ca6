"""The SQL of each change, one module per family of object kinds.

``StepBuilder`` turns a Change into step specs (stepspec.py) read from the planning context;
plan.py orders them. Catalog-deparsed text (defaults, constraint, index, trigger and view
definitions, function signatures) is used as read: deparsed under the empty search_path, it
names every user object schema-qualified (a cross-schema sync has renamed the source's
qualifiers: relabel.py), and the script runs under the empty search_path too. Names DDP writes
itself are always qualified and quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ddp_engine.context import PlanContext
from ddp_engine.ddl.columns import ColumnSteps
from ddp_engine.ddl.constraints import ConstraintSteps
from ddp_engine.ddl.deparsed import DeparsedSteps
from ddp_engine.ddl.owners import OwnerSteps
from ddp_engine.ddl.schemas import SchemaSteps
from ddp_engine.ddl.sequences import SequenceSteps
from ddp_engine.ddl.tables import TableSteps
from ddp_engine.ddl.types import TypeSteps
from ddp_engine.diff import Action, Change
from ddp_engine.kinds import RECREATED_ON_ALTER
from ddp_engine.model import Key, Kind
from ddp_engine.registry import DEPARSED_KINDS
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, alters, drops


class KindSteps(NamedTuple):
    """The generators of one kind: create (told why when it recreates), drop (told whether
    it drops to recreate) and alter."""

    create: Callable[..., Generated]
    drop: Callable[..., Generated]
    alter: Callable[[Change], Generated]


class StepBuilder(
    SchemaSteps,
    TypeSteps,
    SequenceSteps,
    TableSteps,
    ColumnSteps,
    ConstraintSteps,
    OwnerSteps,
    DeparsedSteps,
):
    """The step specs of each change (see the module docstring)."""

    def __init__(self, ctx: PlanContext, reached: frozenset[Key] = frozenset()) -> None:
        super().__init__(ctx, reached)
        self.kinds: dict[str, KindSteps] = {
            Kind.SCHEMA: KindSteps(self._schema_create, self._schema_drop, self._schema_alter),
            Kind.EXTENSION: KindSteps(
                self._extension_create, self._extension_drop, self._extension_alter
            ),
            Kind.COLLATION: KindSteps(
                self._collation_create, self._collation_drop, self._collation_alter
            ),
            Kind.TYPE: KindSteps(self._type_create, self._type_drop, self._type_alter),
            Kind.SEQUENCE: KindSteps(
                self._sequence_create, self._sequence_drop, self._sequence_alter
            ),
            Kind.TABLE: KindSteps(self._table_create, self._table_drop, self._table_alter),
            Kind.COLUMN: KindSteps(self._column_create, self._column_drop, self._column_alter),
            Kind.FUNCTION: KindSteps(
                self._function_create, self._function_drop, self._function_alter
            ),
            Kind.VIEW: KindSteps(self._view_create, self._view_drop, self._view_alter),
            Kind.CONSTRAINT: KindSteps(
                self._constraint_create, self._constraint_drop, self._constraint_alter
            ),
            Kind.INDEX: KindSteps(self._index_create, self._index_drop, self._index_alter),
            Kind.TRIGGER: KindSteps(self._trigger_create, self._trigger_drop, self._trigger_alter),
            Kind.POLICY: KindSteps(self._policy_create, self._policy_drop, self._policy_alter),
        }
        deparsed = KindSteps(self._deparsed_create, self._deparsed_drop, self._deparsed_alter)
        self.kinds.update((spec.kind, deparsed) for spec in DEPARSED_KINDS)
        self.creator = {kind: steps.create for kind, steps in self.kinds.items()}
        self._owned: set[Key] = set()  # objects given their owner (--owners) already

    def change(self, change: Change, in_rebuild: bool) -> Generated:
        """The steps of one change; ``in_rebuild``: the planner drops and recreates it because
        something it stands on changes. With ``--owners`` every object created, altered or
        rebuilt is given its source's owner."""
        if "owner" in change.fields:
            fields = tuple(f for f in change.fields if f != "owner")
            change = change.model_copy(update={"fields": fields})
        if change.action != Action.DROP:
            yield from self._owner(change.key)
        if change.action == Action.ALTER and not change.fields and not in_rebuild:
            return
        yield from self._change(change, in_rebuild)

    def _change(self, change: Change, in_rebuild: bool) -> Generated:
        if self._with_its_table(change.key):
            yield from self._freed_name_create(change.key)
            return
        steps = self.kinds[change.kind]
        if (
            change.action == Action.ALTER
            and change.kind in RECREATED_ON_ALTER
            and (in_rebuild or self.ctx.alter_recreates(change))
        ):
            yield from self.rebuild(change.key)
        elif change.action == Action.CREATE:
            yield from steps.create(change)
        elif change.action == Action.DROP:
            yield from steps.drop(change)
        else:
            yield from steps.alter(change)

    def rebuild(self, key: Key) -> Generated:
        """Drop an object without data and create it again from the source."""
        if self._with_its_table(key):
            yield from self._freed_name_create(key)
            return
        kind = key[0]
        if kind == Kind.INDEX and self._index_broken_online(key):
            yield from self._index_replace_online(key)
            return
        if kind == Kind.INDEX and self._index_online(self.ctx.src[key]):
            yield from self._index_create(Change.create(key))
            return
        if kind == Kind.DEFAULT:
            yield from self._default_rebuild(key)
            return
        steps = self.kinds[kind]
        yield from self._owner(key)
        yield from steps.drop(Change.drop(key), recreate=True)
        why = "changed" if key in self.change_of else "it stands on something that changes"
        yield from steps.create(Change.create(key), why)

    def inheritance(self) -> Generated:
        """What children existing on both sides hold of their own on inherited columns, where
        it differs once their parents are changed (ddl/inherit.py)."""
        for t in self.ctx.source.tables:
            if not (t.partition_of or t.inherits) or (t.schema_name, t.name) in self.moved_tables:
                continue
            old = self.ctx.target_table(t.schema_name, t.name)
            if old is not None and (
                old.partition_of or old.inherits or t.partition_of or t.inherits
            ):
                yield from self._inherited_own_steps(t, new=False)

    def _default_rebuild(self, key: Key) -> Generated:
        """A column's default is dropped and set again (what it stands on changes)."""
        table, column = self.ctx.tgt[key]
        _, src_column = self.ctx.src[key]
        q = qualified(table.schema_name, table.name)
        yield drops(
            key,
            f"Drop default of {key[2]}.{key[3]} (recreated below)",
            [f"ALTER TABLE {q} ALTER COLUMN {ident(column.name)} DROP DEFAULT"],
        )
        yield alters(
            key,
            f"Restore default of {key[2]}.{key[3]}",
            [f"ALTER TABLE {q} ALTER COLUMN {ident(column.name)} SET DEFAULT {src_column.default}"],
            provides=[key],
            seq=1,
        )

    def _with_its_table(self, key: Key) -> bool:
        """Whether a constraint, index, trigger or policy is left to its table's steps.

        A tombstoned or replaced table renames (or drops) what sits on it, freeing the names,
        and a replaced table is created with its own. What is left is the source's object of a
        freed name on another table: it is only created (``_freed_name_create``), never
        dropped by a name that the table's rename has already taken away.
        """
        if key[0] not in (Kind.CONSTRAINT, Kind.INDEX, Kind.TRIGGER, Kind.POLICY, Kind.RULE):
            return False
        if self._moves_with_its_table(key):
            return True
        new = self.ctx.src.get(key)
        return new is not None and (new.schema_name, new.table) in self.replaced_tables

    def _freed_name_create(self, key: Key) -> Generated:
        """The source's object of a name that its old table's steps free, on another table."""
        new = self.ctx.src.get(key)
        if (
            self._moves_with_its_table(key)
            and new is not None
            and (new.schema_name, new.table) not in self.moved_tables
        ):
            yield from self.creator[key[0]](Change.create(key))


__all__ = ["StepBuilder"]
