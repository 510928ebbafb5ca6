"""Several schemas at once under other names: ``--schema-map SRC=TGT``, repeatable.

A map compares each source schema with the target schema it names, as ``--source-schema`` and
``--target-schema`` do for one pair. Both sides are read whole (as ``--all-schemas`` reads
them); the source keeps only the mapped schemas, each relabelled to its target name
(relabel.py), and the target's schemas that no pair names are out of scope (scope.py): left
as they are, never retired.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ddp_engine.errors import BadInput
from ddp_engine.model import Snapshot
from ddp_engine.registry import OBJECT_ATTRS
from ddp_engine.relabel import relabel

SchemaMap = tuple[tuple[str, str], ...]


def parse_schema_map(values: Iterable[str]) -> SchemaMap:
    """``["sales=shop", "ops=ops"]`` as pairs; each side named once, or one line saying what
    to give instead."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        source, sep, target = value.partition("=")
        if not sep or not source or not target:
            raise BadInput(f"--schema-map {value!r}: give SOURCE_SCHEMA=TARGET_SCHEMA")
        pairs.append((source, target))
    for side, names in (("source", [s for s, _ in pairs]), ("target", [t for _, t in pairs])):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise BadInput(f"--schema-map names the {side} schema {twice[0]!r} twice: once only")
    return tuple(pairs)


def only_schemas(snapshot: Snapshot, names: frozenset[str]) -> Snapshot:
    """``snapshot`` with only the objects of the schemas ``names`` (and their edges)."""
    update: dict[str, Any] = {"schemas": tuple(s for s in snapshot.schemas if s.name in names)}
    for attr in OBJECT_ATTRS:
        if attr != "extensions":  # database-wide, as are objects whose schema_name is ""
            objects = getattr(snapshot, attr)
            update[attr] = tuple(o for o in objects if o.schema_name in names or not o.schema_name)
    update["dependencies"] = tuple(
        e for e in snapshot.dependencies if _in(e[0], names) and _in(e[1], names)
    )
    return snapshot.model_copy(update=update)


def _in(key: tuple[str, str, str, str], names: frozenset[str]) -> bool:
    kind, schema, name, _ = key
    return (name if kind == "schema" else schema) in names or kind == "extension"


def map_schemas(source: Snapshot, pairs: SchemaMap) -> Snapshot:
    """The mapped schemas of ``source``, each called by its target name.

    Pairs whose names cross (``a=b`` with ``b=c``) would be renamed twice if relabelled one
    after the other: every schema goes to a placeholder name first, then to its target name.
    """
    source = only_schemas(source, frozenset(s for s, _ in pairs))
    moving = [(s, t) for s, t in pairs if s != t]
    if len(moving) == 1:
        return relabel(source, *moving[0])
    for i, (old, _) in enumerate(moving):
        source = relabel(source, old, f"ddp schema map {i}")
    for i, (_, new) in enumerate(moving):
        source = relabel(source, f"ddp schema map {i}", new)
    return source
