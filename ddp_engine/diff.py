"""Snapshot × Snapshot → Changes: what differs, with nothing about order or SQL.

Tables are compared field by field and their columns one by one, so that a table that exists on
both sides is altered in place. Every other kind is compared as a whole object.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from itertools import repeat
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict

from ddp_engine.model import Key, Kind, Snapshot, Table, field_names
from ddp_engine.registry import KINDS, OBJECT_KINDS, SPEC_OF_MODEL, object_key


class Action(StrEnum):
    """What a change (create, drop, alter) or a step (also rename, detach) does."""

    CREATE = "create"
    DROP = "drop"
    ALTER = "alter"
    RENAME = "rename"
    DETACH = "detach"


class Change(BaseModel):
    """One difference: ``create`` (only in source), ``drop`` (only in target) or ``alter``."""

    model_config = ConfigDict(frozen=True)

    action: Action
    kind: Kind
    key: Key
    fields: tuple[str, ...] = ()

    @classmethod
    def create(cls, key: Key) -> Change:
        """The creation of ``key``'s object (what a rebuild or a replaced table makes again)."""
        return cls(action=Action.CREATE, kind=Kind(key[0]), key=key)

    @classmethod
    def drop(cls, key: Key) -> Change:
        """The removal of ``key``'s object."""
        return cls(action=Action.DROP, kind=Kind(key[0]), key=key)

    @property
    def label(self) -> str:
        """``schema.table.column``-style name for summaries."""
        _, schema, name, sub = self.key
        parts = [p for p in (schema, name, sub) if p]
        return ".".join(parts)


def index_objects(objects: tuple[Any, ...]) -> dict[Key, Any]:
    """``objects`` (all of one kind) by key. The keys are put together by C code (attrgetter,
    zip): a big catalog has a hundred thousand objects a side."""
    if not objects:
        return {}
    spec = SPEC_OF_MODEL.get(type(objects[0]))
    if spec is None:
        return {object_key(o): o for o in objects}
    parts = [map(attrgetter(name), objects) if name else repeat("") for name in spec.key]
    return dict(zip(zip(repeat(spec.kind), *parts), objects, strict=True))


#: What differs between two snapshots, in listing order (the diff stage's output).
Changes = tuple[Change, ...]

#: Objects of one snapshot by key, per Snapshot attribute (``OBJECT_KINDS``).
SnapshotIndex = dict[str, dict[Key, Any]]


def index_snapshot(snapshot: Snapshot) -> SnapshotIndex:
    """Every compared object of ``snapshot`` by key, per kind: built once, shared by the diff
    and the planner."""
    return {attr: index_objects(getattr(snapshot, attr)) for attr in OBJECT_KINDS}


def changed_fields(source: Any, target: Any, ignore: Iterable[str] = ()) -> tuple[str, ...]:
    """Names of the model fields whose values differ."""
    skip = set(ignore)
    return tuple(
        name
        for name in field_names(source)
        if name not in skip and getattr(source, name) != getattr(target, name)
    )


def diff(
    source: Snapshot,
    target: Snapshot,
    privileges: bool = True,
    indexes: tuple[SnapshotIndex, SnapshotIndex] | None = None,
    owners: bool = False,
) -> Changes:
    """All differences between ``source`` (desired) and ``target`` (current); ``indexes`` are
    their ``index_snapshot`` when the caller has them already. ``privileges=False`` leaves
    grants out of the comparison; ``owners=True`` compares owners too (``--owners``)."""
    source_index, target_index = indexes or (index_snapshot(source), index_snapshot(target))
    ignore = set() if owners else {"owner"}
    if not privileges:
        ignore |= {"acl", "column_acls"}
    changes: list[Change] = []
    for spec in KINDS:
        attr, kind = spec.attr, spec.kind
        src = source_index[attr]
        tgt = target_index[attr]
        # Equal objects are the common case: they are skipped before anything is sorted.
        # Objects of one kind share a class, so equal attribute dicts are equal objects
        # (what Frozen.__eq__ checks), without a Python call per object.
        differing = [
            key for key, obj in src.items() if key not in tgt or tgt[key].__dict__ != obj.__dict__
        ]
        differing += [key for key in tgt if key not in src]
        for key in sorted(differing):
            if key not in tgt:
                changes.append(Change(action=Action.CREATE, kind=kind, key=key))
            elif key not in src:
                changes.append(Change(action=Action.DROP, kind=kind, key=key))
            else:
                fields = changed_fields(src[key], tgt[key], ignore | spec.not_compared)
                if "not_null_names" in fields and same_not_null_names(src[key], tgt[key]):
                    fields = tuple(f for f in fields if f != "not_null_names")
                if attr == "indexes" and not src[key].valid:
                    # a broken build in the source is not copied: only a target's counts
                    fields = tuple(f for f in fields if f != "valid")
                if fields:
                    changes.append(Change(action=Action.ALTER, kind=kind, key=key, fields=fields))
                if attr == "tables":
                    changes.extend(column_changes(src[key], tgt[key], ignore))
    return tuple(changes)


def column_changes(source: Table, target: Table, ignore: set[str]) -> list[Change]:
    """Column-level changes of a table present on both sides."""
    src = {c.name: c for c in source.columns}
    tgt = {c.name: c for c in target.columns}
    out = []
    for name in list(src) + [n for n in tgt if n not in src]:
        key: Key = ("column", target.schema_name, target.name, name)
        if name not in tgt:
            out.append(Change(action=Action.CREATE, kind=Kind.COLUMN, key=key))
        elif name not in src:
            out.append(Change(action=Action.DROP, kind=Kind.COLUMN, key=key))
        elif src[name] != tgt[name]:
            fields = changed_fields(src[name], tgt[name], ignore)
            if fields:
                out.append(Change(action=Action.ALTER, kind=Kind.COLUMN, key=key, fields=fields))
    return out


def same_not_null_names(source: Table, target: Table) -> bool:
    """Whether the NOT NULL constraint names (PostgreSQL 18) agree on the columns both sides
    hold NOT NULL: the others are added or dropped with their column or its NOT NULL."""
    src, tgt = dict(source.not_null_names), dict(target.not_null_names)
    return all(src[column] == tgt[column] for column in src.keys() & tgt.keys())
