"""Comparing what the server prints, when the same schema can print two ways.

Across major versions two things differ although the schema is the same: privileges that only newer
servers know (MAINTAIN, PostgreSQL 17), and how ``pg_get_viewdef`` prints a query (PostgreSQL 16
stopped qualifying columns of single-table queries). The first is stripped; the second is
settled by asking the target server itself: the source's view query is created as a temporary
view on the target, inside a transaction that is rolled back, and read back in the target's
own words.
"""

from __future__ import annotations

from typing import Any

import psycopg
from pydantic import BaseModel

from ddp_engine.connect import connect
from ddp_engine.diff import index_objects
from ddp_engine.model import Column, Constraint, Key, Snapshot, View, object_key
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sqltext import ident

#: Privilege letters and the first server version that knows them.
NEW_PRIVILEGES = {"m": 170000}


def same_major(a: Snapshot, b: Snapshot) -> bool:
    return a.server_version // 10000 == b.server_version // 10000


def strip_privileges(snapshot: Snapshot, server_version: int) -> Snapshot:
    """The snapshot without what the other server (``server_version``) does not have:
    privileges it cannot grant, names of NOT NULL constraints."""
    unknown = {p for p, since in NEW_PRIVILEGES.items() if server_version < since}
    unnamed_not_null = server_version < 180000 or snapshot.server_version < 180000
    if not unknown and not unnamed_not_null:
        return snapshot

    def clean(acl: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for item in acl:
            grantee, _, privileges = item.rpartition("=")
            kept, i = "", 0
            while i < len(privileges):
                letter = privileges[i]
                grant = privileges[i + 1 : i + 2] == "*"
                if letter not in unknown:
                    kept += letter + ("*" if grant else "")
                i += 2 if grant else 1
            if kept:
                out.append(f"{grantee}={kept}")
        return tuple(out)

    def walk(value: Any) -> Any:
        if isinstance(value, BaseModel):
            update: dict[str, Any] = {}
            for name in type(value).model_fields:
                field = getattr(value, name)
                if name in ("not_null_names", "not_null_inherited") and unnamed_not_null:
                    update[name] = ()  # only PostgreSQL 18+ names NOT NULL constraints
                elif name == "acl":
                    update[name] = clean(field)
                elif name == "column_acls":
                    update[name] = tuple((column, clean(acl)) for column, acl in field)
                elif isinstance(field, BaseModel | tuple):
                    update[name] = walk(field)
            return value.model_copy(update=update)
        if isinstance(value, Column):
            return value._replace(acl=clean(value.acl))
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        return value

    result: Snapshot = walk(snapshot)
    return result


def canonical_views(
    source: Snapshot, target: Snapshot, settings: ConnectionSettings, all_schemas: bool
) -> Snapshot:
    """Source view queries printed by the target server (only those whose text differs)."""
    target_views = {(v.schema_name, v.name): v for v in target.views}
    differing = [
        v
        for v in source.views
        if (v.schema_name, v.name) in target_views
        and target_views[(v.schema_name, v.name)].definition != v.definition
    ]
    if not differing:
        return source
    canonical: dict[tuple[str, str], str] = {}
    with connect(settings, "target") as conn:
        for number, view in enumerate(differing):
            try:
                with conn.transaction(force_rollback=True):
                    probe = f"ddp_probe_{number}"
                    body = view.definition.strip().rstrip(";")
                    conn.execute(f"CREATE TEMPORARY VIEW {ident(probe)} AS {body}".encode())
                    row = conn.execute(
                        "SELECT pg_get_viewdef(%s::regclass)", (f"pg_temp.{ident(probe)}",)
                    ).fetchone()
                    if row:
                        canonical[(view.schema_name, view.name)] = row[0]
            except psycopg.Error:
                continue  # it needs objects the target lacks yet: compare the text as it is
    views = tuple(_with_definition(v, canonical.get((v.schema_name, v.name))) for v in source.views)
    return source.model_copy(update={"views": views})


def _with_definition(view: View, definition: str | None) -> View:
    return view if definition is None else view.model_copy(update={"definition": definition})


def reparsed_checks(
    source: Snapshot,
    target: Snapshot,
    settings: ConnectionSettings,
    all_schemas: bool,
    constraints: tuple[dict[Key, Constraint], dict[Key, Constraint]] | None = None,
) -> Snapshot:
    """Source CHECK constraints whose text differs from the target's only by how the server
    prints a re-parsed expression take the target's text.

    pg_get_constraintdef is not a fixed point: ``status IN ('a', 'b')`` on a varchar column
    prints as ``(status)::text = ANY ((ARRAY['a'::varchar, ...])::text[])``, which parses
    back into a different tree and prints differently again. The source's text is added to a
    temporary copy of the target table, in a transaction that is rolled back, and read back.
    ``constraints``: both sides' constraints by key (diff.index_objects), when the caller has
    them (a big catalog has tens of thousands).
    """
    src, tgt = constraints or (index_objects(source.constraints), index_objects(target.constraints))
    differing = [
        c
        for key, c in src.items()
        if c.constraint_type == "c"
        and (other := tgt.get(key)) is not None
        and other.constraint_type == "c"
        and other.definition != c.definition
    ]
    if not differing:
        return source
    settled: set[tuple[str, str, str]] = set()
    with connect(settings, "target") as conn:
        for check in differing:
            key = (check.schema_name, check.table, check.name)
            try:
                with conn.transaction(force_rollback=True):
                    table = f"{ident(check.schema_name)}.{ident(check.table)}"
                    conn.execute(f"CREATE TEMPORARY TABLE ddp_probe (LIKE {table})".encode())
                    add = f"ALTER TABLE ddp_probe ADD CONSTRAINT ddp_probe {check.definition}"
                    conn.execute(add.encode())
                    row = conn.execute(
                        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = 'pg_temp.ddp_probe'::regclass AND conname = 'ddp_probe'"
                    ).fetchone()
            except psycopg.Error:
                continue
            if row and row[0] == tgt[object_key(check)].definition:
                settled.add(key)
    if not settled:
        return source
    checks = tuple(
        c.model_copy(update={"definition": tgt[object_key(c)].definition})
        if (c.schema_name, c.table, c.name) in settled
        else c
        for c in source.constraints
    )
    return source.model_copy(update={"constraints": checks})
