"""What a change of each kind takes, decided from the objects alone (no SQL, no planner).

The planner asks these questions before any SQL is written: whether an ``alter`` of a kind
means dropping the object and creating it again, whether a table must be replaced, and which
kinds hold no data (so are rebuilt when something they stand on changes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ddp_engine.diff import Action, Change
from ddp_engine.model import Function, Kind, TypeKind, UserType

#: Fields whose change is a comment or a grant: never a reason to rebuild.
COSMETIC = {"comment", "acl", "column_comments", "column_acls"}
#: Kinds whose ``alter`` (beyond COSMETIC fields) drops the object and creates it again.
RECREATED_ON_ALTER = {
    Kind.VIEW,
    Kind.CONSTRAINT,
    Kind.INDEX,
    Kind.TRIGGER,
    Kind.POLICY,
    Kind.FUNCTION,
    Kind.COLLATION,
}
#: Kinds that hold no data: dropped and recreated when something they depend on is disturbed.
REBUILDABLE = {
    Kind.VIEW,
    Kind.CONSTRAINT,
    Kind.INDEX,
    Kind.TRIGGER,
    Kind.POLICY,
    Kind.DEFAULT,
    Kind.FUNCTION,
}


def needs_replacement(change: Change) -> bool:
    """A table whose partitioning changes cannot be altered: it is renamed and created anew."""
    return (
        change.kind == Kind.TABLE
        and change.action == Action.ALTER
        and bool({"partitioned", "partition_key"} & set(change.fields))
    )


def alter_recreates(
    change: Change, new: Any, old: Any, source_expressions: Callable[[], str]
) -> bool:
    """Whether an ``alter`` of this kind drops the object and creates it again; ``new`` and
    ``old`` are the source's and the target's object, ``source_expressions`` the source's
    expression texts (read only for an enum that gains labels)."""
    fields = set(change.fields)
    if change.kind in (
        Kind.VIEW,
        Kind.CONSTRAINT,
        Kind.INDEX,
        Kind.TRIGGER,
        Kind.POLICY,
        Kind.COLLATION,
    ):
        if change.kind == Kind.TRIGGER and fields <= COSMETIC | {"enabled"}:
            return False
        return not fields <= COSMETIC
    if change.kind == Kind.FUNCTION:
        return not function_replaceable(new, old)
    if change.kind == Kind.TYPE:
        return enum_rebuild(new, old, source_expressions)
    return False


def function_replaceable(src: Function, tgt: Function) -> bool:
    """CREATE OR REPLACE keeps the result type, argument names and defaults, and the kind."""
    return (src.kind, src.result_type, src.arguments) == (tgt.kind, tgt.result_type, tgt.arguments)


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
