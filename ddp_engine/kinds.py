"""What a change of each kind takes, decided from the objects alone (no SQL, no planner).

The planner asks these questions before any SQL is written: whether an ``alter`` of a kind
means dropping the object and creating it again, whether a table must be replaced, and which
kinds hold no data (so are rebuilt when something they stand on changes). The answers come
from each kind's description (registry.py); an enum's, which depends on its labels and on
what uses them, is worked out here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ddp_engine.codes import TypeKind
from ddp_engine.diff import Action, Change, Changes
from ddp_engine.model import Key, Kind, Snapshot, Table, UserType
from ddp_engine.registry import KINDS, SPEC_OF
from ddp_engine.sqltext import split_ident, unquote

#: Kinds whose ``alter`` may drop the object and create it again (``alter_recreates``).
RECREATED_ON_ALTER = frozenset(
    spec.kind for spec in KINDS if spec.in_place is not None or spec.recreated_by
)
#: Kinds that hold no data: dropped and recreated when something they depend on is disturbed
#: (a column's default too, which is no object of its own in a snapshot).
REBUILDABLE = frozenset(
    {spec.kind for spec in KINDS if spec.rebuilt_with_dependencies} | {Kind.DEFAULT}
)


#: The pseudo-field of a partition whose partitioned table is made anew: made anew with it
#: (``with_partitions_replaced``).
PARENT_REPLACED = "parent_replaced"


def needs_replacement(change: Change) -> bool:
    """A table whose partitioning changes cannot be altered: it is renamed and created anew."""
    return (
        change.action == Action.ALTER
        and change.kind == Kind.TABLE
        and bool((SPEC_OF[Kind.TABLE].replaced_by | {PARENT_REPLACED}) & set(change.fields))
    )


def _parent(t: Table) -> tuple[str, str] | None:
    """(schema, name) of the partitioned table ``t`` is a partition of."""
    if not t.partition_of:
        return None
    head, rest = split_ident(t.partition_of, sep=".")
    return (unquote(head), unquote(rest)) if rest else (t.schema_name, unquote(head))


def with_partitions_replaced(changes: Changes, source: Snapshot, target: Snapshot) -> Changes:
    """``changes`` with the partitions of a table made anew made anew too, where the source
    keeps them as its partitions: the old ones go to tombstones with the old table (their rows
    stay there; re-attached under a new key they would fail on them), new ones are created."""
    replaced = {c.key[1:3] for c in changes if needs_replacement(c)}
    if not replaced:
        return changes
    src = {(t.schema_name, t.name): t for t in source.tables}
    out = {c.key: c for c in changes}
    grew = True
    while grew:  # partitions of partitions
        grew = False
        for t in target.tables:
            name = (t.schema_name, t.name)
            new = src.get(name)
            parent = _parent(t)
            if name in replaced or parent not in replaced or new is None or _parent(new) != parent:
                continue
            replaced.add(name)
            grew = True
            key: Key = (Kind.TABLE, *name, "")
            old = out.get(key)
            fields = (*old.fields, PARENT_REPLACED) if old is not None else (PARENT_REPLACED,)
            out[key] = Change(action=Action.ALTER, kind=Kind.TABLE, key=key, fields=fields)
    return tuple(out.values())


def alter_recreates(
    change: Change, new: Any, old: Any, source_expressions: Callable[[], str]
) -> bool:
    """Whether an ``alter`` of this kind drops the object and creates it again; ``new`` and
    ``old`` are the source's and the target's object, ``source_expressions`` the source's
    expression texts (read only for an enum that gains labels)."""
    if change.kind == Kind.TYPE:
        return enum_rebuild(new, old, source_expressions)
    spec = SPEC_OF.get(change.kind)
    return spec is not None and spec.recreates(change.fields)


def enum_rebuild(src: UserType, tgt: UserType, source_expressions: Callable[[], str]) -> bool:
    """An enum must be rebuilt when values go away or move, or a new value is used at once.

    ``ALTER TYPE ... ADD VALUE`` cannot be used in the same transaction that adds it, so a new
    label that a default, check or view of the source names forces a rebuild too.
    """
    if src.type_kind != TypeKind.ENUM or tgt.type_kind != TypeKind.ENUM or src.labels == tgt.labels:
        return src.type_kind != tgt.type_kind
    remaining = [label for label in src.labels if label in tgt.labels]
    if remaining != list(tgt.labels):
        return True
    new = [label for label in src.labels if label not in tgt.labels]
    # A plain substring test: '{black}'::color[] names a label too. A false alarm only costs a
    # rebuild where ADD VALUE would have done.
    texts = source_expressions()
    return any(label in texts for label in new)
