"""Comparing what the server prints, when the same schema can print two ways.

Across major versions privileges that only newer servers know (MAINTAIN, PostgreSQL 17) are
stripped. Texts a server prints are settled on a shadow server of the target's major version,
never on the target (reads only read): ``pg_get_viewdef`` prints a query differently across
versions (PostgreSQL 16 stopped qualifying columns of single-table queries), and
``pg_get_constraintdef`` is not a fixed point (``status IN ('a', 'b')`` on a varchar column
prints as ``(status)::text = ANY ((ARRAY[...])::text[])``, which prints differently again once
re-parsed). When the texts of an object present on both sides differ, the source's objects are
loaded into a throwaway database on the shadow (the source planned against an empty schema) and
read back: the source's texts as the target's server prints them. What no shadow could settle is
reported with the hazard ``text_not_settled``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import psycopg
from psycopg import sql
from pydantic import BaseModel

from ddp_engine.codes import INDEX_BACKED, ConstraintType
from ddp_engine.connect import SessionLimits, connect
from ddp_engine.diff import index_objects
from ddp_engine.hazards import Hazard, HazardCode, hazard
from ddp_engine.introspect import introspect
from ddp_engine.model import Column, Constraint, Key, Schema, Sequence, Snapshot, View
from ddp_engine.plan import make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.render import prelude
from ddp_engine.settings import ConnectionSettings
from ddp_engine.shadow import major_of, shadow_server, throwaway_database

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


def not_settled_hazard(major: int) -> Hazard:
    """The hazard of a step whose object's text could not be settled."""
    return hazard(
        HazardCode.TEXT_NOT_SETTLED,
        f"the text differs from the target's, and no shadow server of PostgreSQL {major} was "
        "at hand to tell whether only the printing differs (give --shadow-url)",
    )


class Settled(NamedTuple):
    """The source with the texts a shadow settled, and the keys whose text it could not."""

    source: Snapshot
    unsettled: tuple[Key, ...]


def differing_texts(
    source: Snapshot,
    target: Snapshot,
    constraints: tuple[dict[Key, Constraint], dict[Key, Constraint]] | None = None,
) -> list[Key]:
    """Keys of the views and CHECK constraints on both sides whose printed text differs.

    Views only across major versions: within one, pg_get_viewdef prints the query it was given
    back the same, so a difference is a change and needs no server to tell. ``constraints``:
    both sides' constraints by key (diff.index_objects), when the caller has them (a big
    catalog has tens of thousands).
    """
    src, tgt = constraints or (index_objects(source.constraints), index_objects(target.constraints))
    keys = [
        key
        for key, c in src.items()
        if c.constraint_type == ConstraintType.CHECK
        and (other := tgt.get(key)) is not None
        and other.constraint_type == ConstraintType.CHECK
        and other.definition != c.definition
    ]
    if same_major(source, target):
        return keys
    target_views = index_objects(target.views)
    keys += [
        key
        for key, view in index_objects(source.views).items()
        if (other := target_views.get(key)) is not None and other.definition != view.definition
    ]
    return keys


def settle_texts(
    source: Snapshot,
    target: Snapshot,
    *,
    shadow_url: str | None,
    limits: SessionLimits,
    schema_name: str,
    constraints: tuple[dict[Key, Constraint], dict[Key, Constraint]] | None = None,
) -> Settled:
    """The source whose differing view and CHECK texts are printed by a shadow server of the
    target's major version (ddp_engine.shadow); the target is only read, never written.

    ``source`` is already in the target's schema names (single-schema: ``schema_name``).
    Nothing starts when no text differs.
    """
    differing = differing_texts(source, target, constraints)
    if not differing:
        return Settled(source, ())
    with shadow_server(major_of(target.server_version), shadow_url, limits) as server:
        if server is None:
            return Settled(source, tuple(differing))
        with throwaway_database(server, schema_name, limits) as database:
            load_source(database, needed_objects(source, differing), limits)
            shadow, _ = introspect(database, "shadow", source.all_schemas, limits)
    printed = {**index_objects(shadow.views), **index_objects(shadow.constraints)}
    settled = {key: printed[key].definition for key in differing if key in printed}
    views = tuple(_with_definition(v, settled) for v in source.views)
    checks = tuple(_with_definition(c, settled) for c in source.constraints)
    return Settled(
        source.model_copy(update={"views": views, "constraints": checks}),
        tuple(key for key in differing if key not in settled),
    )


def _with_definition(obj: View | Constraint, settled: dict[Key, str]) -> Any:
    key: Key = (
        ("view", obj.schema_name, obj.name, "")
        if isinstance(obj, View)
        else ("constraint", obj.schema_name, obj.table, obj.name)
    )
    text = settled.get(key)
    return obj if text is None else obj.model_copy(update={"definition": text})


def needed_objects(source: Snapshot, differing: Iterable[Key]) -> Snapshot:
    """The part of ``source`` the differing texts need: the tables of the CHECKs and the views,
    what those views and tables stand on (pg_depend, walked), with their CHECK, primary and
    unique keys (a view may group by a key); every type, function, sequence, collation and
    extension (cheap, and any text may name them). Foreign keys, indexes, triggers and policies
    print no text that is settled here and are left out: a big catalog loads in a moment."""
    tables: set[tuple[str, str]] = set()
    stack: list[Key] = []
    for kind, schema, name, sub in differing:
        start: Key = (
            ("table", schema, name, "") if kind == "constraint" else (kind, schema, name, sub)
        )
        stack.append(start)
    requires: dict[Key, list[Key]] = {}
    for dependent, referenced in source.dependencies:
        requires.setdefault(dependent, []).append(referenced)
    seen = set(stack)
    while stack:
        key = stack.pop()
        if key[0] == "table":
            tables.add((key[1], key[2]))
        for referenced in requires.get(key, ()):
            if referenced[0] == "column":  # a view on a column stands on its table
                referenced = ("table", referenced[1], referenced[2], "")
            if referenced[0] in ("table", "view") and referenced not in seen:
                seen.add(referenced)
                stack.append(referenced)
    views = {(key[1], key[2]) for key in seen if key[0] == "view"}

    def kept_owner(s: Sequence) -> Sequence:
        owner = s.owned_by
        if owner is None or (owner[0], owner[1]) in tables:
            return s
        return s.model_copy(update={"owned_by": None})

    return source.model_copy(
        update={
            "tables": tuple(t for t in source.tables if (t.schema_name, t.name) in tables),
            "views": tuple(v for v in source.views if (v.schema_name, v.name) in views),
            "constraints": tuple(
                c
                for c in source.constraints
                if c.constraint_type in (ConstraintType.CHECK, *INDEX_BACKED)
                and (c.schema_name, c.table) in tables
            ),
            "sequences": tuple(kept_owner(s) for s in source.sequences),
            "indexes": (),
            "triggers": (),
            "policies": (),
        }
    )


def load_source(database: ConnectionSettings, source: Snapshot, limits: SessionLimits) -> None:
    """Create the source's objects in a fresh shadow database: the source planned against an
    empty schema, run as one transaction; when that fails (an extension or a role the shadow
    lacks), statement by statement, keeping what loads. An object that did not load keeps the
    source's text (and its difference is reported as not settled)."""
    schema_name = database.schema_name
    # Schemas already there (created below, or public in a fresh database): only their objects
    # are made.
    there = {"public"} if source.all_schemas else {schema_name}
    schemas = tuple(s for s in source.schemas if s.name in there)
    if not source.all_schemas:
        schemas = schemas or (Schema(name=schema_name),)
    empty = Snapshot(
        server_version=source.server_version, all_schemas=source.all_schemas, schemas=schemas
    )
    plan = make_plan(
        source,
        empty,
        source_label="source",
        target_label="shadow",
        target_schema=schema_name,
        privileges=False,
        lock_timeout=limits.lock_timeout,  # the script's SETs keep the session's limits
        statement_timeout=limits.statement_timeout,
        target_fingerprint="",
    )
    statements = [statement for step in plan.steps for statement in step.statements]
    with connect(database, "shadow", limits) as conn:
        conn.autocommit = True
        if not source.all_schemas:
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name))
            )
        for setting in prelude(plan):
            conn.execute(setting.rstrip(";").encode())
        try:
            with conn.transaction():
                conn.execute("\n".join(f"{s};" for s in statements).encode())
        except psycopg.Error:
            for statement in statements:
                try:
                    conn.execute(statement.encode())
                except psycopg.Error:
                    continue


def mark_unsettled(plan: Plan, unsettled: Iterable[Key], major: int) -> Plan:
    """The plan with ``text_not_settled`` on the first step of each object whose text could
    not be settled (informational: the difference may be only how a server prints it)."""
    keys = set(unsettled)
    if not keys:
        return plan
    unsettled_hazard = not_settled_hazard(major)
    steps = []
    for step in plan.steps:
        if step.key in keys:
            keys.discard(step.key)
            step = step.model_copy(update={"hazards": (*step.hazards, unsettled_hazard)})
        steps.append(step)
    return plan.model_copy(update={"steps": tuple(steps)})
