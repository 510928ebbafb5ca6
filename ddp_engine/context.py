"""The read-only planning context: what the SQL generators may look at, and nothing to change.

Both snapshots' objects by key, the changes by key, the run's stamp, the options, how column
types convert on the target, and the lookups over pg_depend's edges (what stands on an object
in the target, what an object stands on in the source). Made once per plan by the planner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any, NamedTuple

from ddp_engine import kinds
from ddp_engine.conversions import UNKNOWN, Conversion
from ddp_engine.diff import Action, Change, SnapshotIndex, index_snapshot
from ddp_engine.hazards import Hazard, HazardCode, hazard
from ddp_engine.model import Function, Key, Kind, Snapshot, Table
from ddp_engine.qualifiers import body_names_schema
from ddp_engine.registry import KINDS
from ddp_engine.sqltext import dropped_name, ident
from ddp_engine.user_conversions import UserConversion

#: Asks the target how each (old type, new type) pair converts (conversions.read_modes); the
#: planner itself knows no database.
ConversionReader = Callable[[set[tuple[str, str]]], Mapping[tuple[str, str], Conversion]]


class ObjectIndex(Mapping[Key, Any]):
    """Every object of a snapshot by key; a column or default key gives (table, column).

    Columns are found through their table when asked for, not indexed up front: a big
    catalog has a hundred thousand of them and a plan looks at a few.
    """

    #: Kinds that live on a table, listed per table by ``on_table``.
    TABLE_PARTS = ("constraints", "indexes", "triggers", "policies")

    def __init__(self, snapshot: Snapshot, by_kind: SnapshotIndex) -> None:
        self.snapshot = snapshot
        self.by_kind = by_kind
        self._parts: dict[tuple[str, str], list[Any]] | None = None

    def on_table(self, schema_name: str, table: str) -> list[Any]:
        """Constraints, indexes, triggers and policies of one table, in that order.

        Per-table work (dropping or recreating a table) reads this instead of scanning every
        object of the snapshot, which made plans quadratic in the number of tables. The lists
        are made on first use: most plans drop or recreate no table.
        """
        if self._parts is None:
            self._parts = defaultdict(list)
            for attr in self.TABLE_PARTS:
                for obj in getattr(self.snapshot, attr):
                    self._parts[(obj.schema_name, obj.table)].append(obj)
        return self._parts.get((schema_name, table), [])

    def _object(self, key: Key) -> Any:
        objects = self.by_kind.get(_ATTR_OF_KIND.get(key[0], ""))
        return None if objects is None else objects.get(key)

    def _column(self, key: Key) -> tuple[Table, Any] | None:
        table = self._object((Kind.TABLE, key[1], key[2], ""))
        if not isinstance(table, Table):
            return None
        column = table.column(key[3])
        if column is None or (key[0] == Kind.DEFAULT and column.default is None):
            return None
        return table, column

    def __getitem__(self, key: Key) -> Any:
        found = self._column(key) if key[0] in (Kind.COLUMN, Kind.DEFAULT) else self._object(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 4:
            return False
        if key[0] in (Kind.COLUMN, Kind.DEFAULT):
            return self._column(key) is not None  # type: ignore[arg-type]
        return self._object(key) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Key]:
        return chain.from_iterable(self.by_kind.values())

    def __len__(self) -> int:
        return sum(map(len, self.by_kind.values()))


#: Snapshot attribute of each object kind.
_ATTR_OF_KIND: dict[str, str] = {spec.kind: spec.attr for spec in KINDS}


class Lookups(NamedTuple):
    """What the planner looks up in one snapshot: its objects by key and its dependency edges
    grouped by one end (a source's by dependent, a target's by what they reference).

    Made once per snapshot; ``sync.read_both`` makes each side's as soon as that side is read,
    while the other may still be reading (0.1-0.2 s of a 10,000-table plan). The planner takes
    them only for the very snapshot they were made from, and makes its own for any other (a
    relabelled or cross-version source).
    """

    snapshot: Snapshot
    objects: SnapshotIndex
    edges: dict[Key, list[Key]]

    @classmethod
    def of_source(cls, snapshot: Snapshot) -> Lookups:
        """Objects, and for each object what it requires."""
        return cls(snapshot, index_snapshot(snapshot), _grouped(snapshot.dependencies, 0))

    @classmethod
    def of_target(cls, snapshot: Snapshot) -> Lookups:
        """Objects, and for each object what stands on it."""
        return cls(snapshot, index_snapshot(snapshot), _grouped(snapshot.dependencies, 1))


def pair_lookups(
    source: Snapshot, target: Snapshot, given: tuple[Lookups | None, Lookups | None]
) -> tuple[Lookups, Lookups]:
    """Each side's lookups: the ones given where made from that very snapshot, else new."""
    src, tgt = given
    if src is None or src.snapshot is not source:
        src = Lookups.of_source(source)
    if tgt is None or tgt.snapshot is not target:
        tgt = Lookups.of_target(target)
    return src, tgt


def _grouped(edges: Iterable[tuple[Key, Key]], by: int) -> dict[Key, list[Key]]:
    """(dependent, referenced) edges grouped by one end (``by`` 0 or 1), listing the other."""
    graph: dict[Key, list[Key]] = defaultdict(list)
    other = 1 - by
    for edge in edges:
        graph[edge[by]].append(edge[other])
    return graph


class PlanContext:
    """What the generators of one plan read: never changed once made."""

    def __init__(
        self,
        source: Lookups,
        target: Lookups,
        changes: Iterable[Change],
        stamp: str,
        *,
        privileges: bool = True,
        owners: bool = False,
        online: bool = False,
        renamed_from: str | None = None,
        conversions: ConversionReader | None = None,
        using: Iterable[UserConversion] = (),
    ) -> None:
        self.source = source.snapshot
        self.target = target.snapshot
        self.src = ObjectIndex(source.snapshot, source.objects)
        self.tgt = ObjectIndex(target.snapshot, target.objects)
        self.src_deps = source.edges
        self.tgt_dependents = target.edges
        self.changes = tuple(changes)
        self.change_of = {c.key: c for c in self.changes}
        self.stamp = stamp
        self.privileges = privileges
        self.owners = owners  # set the source's owners (``--owners``)
        self.online = online
        #: The source's own schema name when it was relabelled (a cross-schema sync).
        self.renamed_from = renamed_from
        #: How each (old type, new type) of a column type change converts on the target,
        #: asked once, before any step is built.
        self.conversions: Mapping[tuple[str, str], Conversion] = (
            {} if conversions is None else conversions(self._type_changes())
        )
        self._source_expressions: str | None = None
        #: The conversions the user gave (``--using``), by the column's key.
        self.using: dict[Key, UserConversion] = {
            (Kind.COLUMN, u.schema_name, u.table, u.column): u for u in using
        }

    def unused_conversions(self) -> list[str]:
        """What the plan says of a ``--using`` for a column whose type does not change."""
        retyped = {
            c.key
            for c in self.changes
            if c.kind == Kind.COLUMN and c.action == Action.ALTER and "data_type" in c.fields
        }
        return [
            f"--using {u.label}: not used, the column's type does not change"
            for key, u in self.using.items()
            if key not in retyped
        ]

    def _type_changes(self) -> set[tuple[str, str]]:
        """(old type, new type) of every column whose type changes."""
        pairs = set()
        for change in self.changes:
            if (
                change.kind == Kind.COLUMN
                and change.action == Action.ALTER
                and "data_type" in change.fields
            ):
                old, new = self.tgt[change.key][1], self.src[change.key][1]
                pairs.add((old.data_type, new.data_type))
        return pairs

    def conversion(self, old_type: str, new_type: str) -> Conversion:
        return self.conversions.get((old_type, new_type), UNKNOWN)

    def not_carried(self, key: Key) -> bool:
        """Whether a column's type change cannot carry its values: no cast between the two
        types and no ``--using`` (ddl/retype.py keeps them in a tombstone column instead)."""
        change = self.change_of.get(key)
        if change is None or change.action != Action.ALTER or key in self.using:
            return False
        if key[0] != Kind.COLUMN or "data_type" not in change.fields:
            return False
        old, new = self.tgt[key][1].data_type, self.src[key][1].data_type
        return self.conversion(old, new).mode == "none"

    def retyped_in_place(self) -> set[Key]:
        """Columns an ALTER COLUMN TYPE changes (it rebuilds their indexes and constraints
        itself): not a computed one, nor one renamed away and added anew (``not_carried``)."""
        return {
            c.key
            for c in self.changes
            if c.kind == Kind.COLUMN
            and c.action == Action.ALTER
            and {"data_type", "collation"} & set(c.fields)
            and "generated" not in c.fields
            and not self.not_carried(c.key)
        }

    def dropped(self, name: str) -> str:
        return dropped_name(name, self.stamp)

    def target_table(self, schema: str, name: str) -> Table | None:
        obj = self.tgt.get((Kind.TABLE, schema, name, ""))
        return obj if isinstance(obj, Table) else None

    def source_table(self, schema: str, name: str) -> Table | None:
        obj = self.src.get((Kind.TABLE, schema, name, ""))
        return obj if isinstance(obj, Table) else None

    def target_dependents(self, key: Key) -> list[Key]:
        """What stands on ``key`` in the target, the default on a column included."""
        found = list(self.tgt_dependents.get(key, ()))
        if key[0] == Kind.COLUMN and (Kind.DEFAULT, *key[1:]) in self.tgt:
            found.append((Kind.DEFAULT, key[1], key[2], key[3]))
        return found

    def source_requirements(self, key: Key) -> list[Key]:
        """What ``key`` stands on in the source, a default's own column included."""
        found = self.src_deps.get(key, [])
        if key[0] == Kind.DEFAULT:
            return [*found, (Kind.COLUMN, key[1], key[2], key[3])]
        return found

    def body_hazards(self, function: Function) -> list[Hazard]:
        """A cross-schema sync copies function bodies as they are: one that names the source
        schema would still use it in the target."""
        old = self.renamed_from
        if old is None or not body_names_schema(function, old):
            return []
        return [
            hazard(
                HazardCode.BODY_NAMES_SOURCE_SCHEMA,
                f"the body of {function.signature} names schema {ident(old)}, copied as it "
                f"is: it still refers to {ident(old)} in the target",
            )
        ]

    def source_expressions(self) -> str:
        """Every check, view, index and default text of the source, one per line: what an enum
        label could be used by (kinds.enum_rebuild). Gathered once per plan, on first use."""
        if self._source_expressions is None:
            source = self.source
            texts = [c.definition for c in source.constraints]
            texts += [v.definition for v in source.views]
            texts += [i.body for i in source.indexes]
            texts += [c.default for t in source.tables for c in t.columns if c.default]
            self._source_expressions = "\n".join(texts)
        return self._source_expressions

    def alter_recreates(self, change: Change) -> bool:
        """Whether this ``alter`` drops the object and creates it again (kinds.py decides)."""
        return kinds.alter_recreates(
            change, self.src.get(change.key), self.tgt.get(change.key), self.source_expressions
        )
