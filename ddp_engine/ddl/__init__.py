"""The SQL of each change, one module per family of object kinds.

``StepBuilder`` turns a Change into Planner steps (plan.py orders them). Catalog-deparsed text
(defaults, constraint, index, trigger and view definitions, function signatures) is used as
read: deparsed under the empty search_path, it names every user object schema-qualified (a
cross-schema sync has renamed the source's qualifiers: relabel.py), and the script runs under
the empty search_path too. Names DDP writes itself are always qualified and quoted.
"""

from __future__ import annotations

from ddp_engine.ddl.base import RECREATED_ON_ALTER, alter_recreates, needs_replacement
from ddp_engine.ddl.objects import ObjectSteps
from ddp_engine.ddl.tables import TableSteps
from ddp_engine.ddl.types import TypeSteps
from ddp_engine.diff import Change
from ddp_engine.model import Key
from ddp_engine.sqltext import ident, qualified


class StepBuilder(TypeSteps, TableSteps, ObjectSteps):
    """Emits the steps of each change into the planner."""

    def change(self, change: Change, in_rebuild: bool) -> None:
        if self._with_its_table(change.key):
            return
        handler = getattr(self, f"_{change.kind}_{change.action}")
        recreatable = change.kind in RECREATED_ON_ALTER
        if (
            change.action == "alter"
            and recreatable
            and (in_rebuild or alter_recreates(change, self.p))
        ):
            self.rebuild(change.key)
            return
        handler(change)

    def rebuild(self, key: Key) -> None:
        """Drop an object without data and create it again from the source."""
        if self._with_its_table(key):
            return
        kind = key[0]
        if kind == "index" and self._index_replace_online(key):
            return
        if kind == "index" and self._index_online(self.p.src[key]):
            self._index_create(Change(action="create", kind=kind, key=key))
            return
        if kind == "default":
            table, column = self.p.tgt[key]
            src_table, src_column = self.p.src[key]
            q = qualified(table.schema_name, table.name)
            self.p.add(
                "COLUMN",
                key,
                "drop",
                f"Drop default of {key[2]}.{key[3]} (recreated below)",
                [f"ALTER TABLE {q} ALTER COLUMN {ident(column.name)} DROP DEFAULT"],
                disturbs=[key],
            )
            self.p.add(
                "COLUMN",
                key,
                "alter",
                f"Restore default of {key[2]}.{key[3]}",
                [
                    f"ALTER TABLE {q} ALTER COLUMN {ident(column.name)} "
                    f"SET DEFAULT {src_column.default}"
                ],
                provides=[key],
                seq=1,
            )
            return
        getattr(self, f"_{kind}_drop")(Change(action="drop", kind=kind, key=key), recreate=True)
        first = len(self.p.nodes)
        getattr(self, f"_{kind}_create")(Change(action="create", kind=kind, key=key))
        reason = "changed" if key in self.change_of else "it stands on something that changes"
        for node in self.p.nodes[first:]:
            note = node.step.note.replace("Create missing", "Recreate", 1) + f" ({reason})"
            node.step = node.step.model_copy(update={"note": note})

    def _with_its_table(self, key: Key) -> bool:
        """Whether a constraint, index, trigger or policy is left to its table's steps.

        A tombstoned or replaced table renames (or drops) what sits on it, freeing the names,
        and a replaced table is created with its own. What is left is the source's object of a
        freed name on another table: it is only created, never dropped by a name that the
        table's rename has already taken away.
        """
        if key[0] not in ("constraint", "index", "trigger", "policy"):
            return False
        new = self.p.src.get(key)
        if self._moves_with_its_table(key):
            if new is not None and (new.schema_name, new.table) not in self.moved_tables:
                getattr(self, f"_{key[0]}_create")(Change(action="create", kind=key[0], key=key))
            return True
        return new is not None and (new.schema_name, new.table) in self.replaced_tables


__all__ = ["StepBuilder", "alter_recreates", "needs_replacement"]
