"""Shared rules and helpers of the per-kind SQL builders.

How columns and identities are written, and ``StepBase``: the read-only planning context, the
plan's changes and the helpers for comments, privileges and names that every kind's generator
uses. (What an ALTER of each kind means, in place or drop and create, is kinds.py's.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ddp_engine.codes import FunctionKind, TriggerState, TypeKind
from ddp_engine.context import PlanContext
from ddp_engine.diff import Action
from ddp_engine.hazards import KEPT, PRIVILEGES
from ddp_engine.kinds import needs_replacement
from ddp_engine.model import Column, Key, Kind, Table
from ddp_engine.registry import object_key
from ddp_engine.sqltext import ident, literal, qualified, split_ident, unquote
from ddp_engine.stepspec import SECTION_OF, Generated, Section, StepSpec, step

PRIVILEGE_NAMES = {
    "r": "SELECT",
    "w": "UPDATE",
    "a": "INSERT",
    "d": "DELETE",
    "D": "TRUNCATE",
    "x": "REFERENCES",
    "t": "TRIGGER",
    "X": "EXECUTE",
    "U": "USAGE",
    "C": "CREATE",
    "c": "CONNECT",
    "T": "TEMPORARY",
    "m": "MAINTAIN",
    "s": "SET",
    "A": "ALTER SYSTEM",
}
TRIGGER_STATE = {
    TriggerState.DISABLED: "DISABLE TRIGGER",
    TriggerState.REPLICA: "ENABLE REPLICA TRIGGER",
    TriggerState.ALWAYS: "ENABLE ALWAYS TRIGGER",
    TriggerState.ORIGIN: "ENABLE TRIGGER",
}
FUNCTION_WORD = {FunctionKind.PROCEDURE: "PROCEDURE", FunctionKind.AGGREGATE: "AGGREGATE"}


def identity_sql(column: Column, schema: str) -> str:
    """``GENERATED ... AS IDENTITY``, naming the sequence so both sides name it alike."""
    kind = "ALWAYS" if column.identity == "a" else "BY DEFAULT"
    options = []
    if column.identity_sequence:
        options.append(f"SEQUENCE NAME {qualified(schema, column.identity_sequence)}")
    if column.identity_options:
        options += identity_options(column.identity_options)
    return f"GENERATED {kind} AS IDENTITY" + (f" ({' '.join(options)})" if options else "")


def identity_options(values: tuple[int, int, int, int, int, bool], prefix: str = "") -> list[str]:
    """START/INCREMENT/MINVALUE/MAXVALUE/CACHE/CYCLE of an identity's sequence."""
    start, increment, minimum, maximum, cache, cycle = values
    return [
        f"{prefix}START WITH {start}",
        f"{prefix}INCREMENT BY {increment}",
        f"{prefix}MINVALUE {minimum}",
        f"{prefix}MAXVALUE {maximum}",
        f"{prefix}CACHE {cache}",
        f"{prefix}{'' if cycle else 'NO '}CYCLE",
    ]


def column_sql(column: Column, schema: str) -> str:
    """A column definition as in CREATE TABLE / ADD COLUMN."""
    parts = [ident(column.name), column.data_type]
    if column.collation:
        parts += ["COLLATE", column.collation]
    if column.generated is not None:
        kind = "VIRTUAL" if column.virtual else "STORED"
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) {kind}")
    elif column.identity:
        parts.append(identity_sql(column, schema))
    elif column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


_TYPMOD = re.compile(r"^(character varying|numeric|varchar|bit varying)(?:\((\d+)(?:,(\d+))?\))?$")


def column_settings(table: str, c: Column, old: Column | None) -> list[str]:
    """A column's compression method and planner options (n_distinct...), set to the source's
    (new values take effect for values written from now on; nothing is rewritten)."""
    stmts, column = [], f"ALTER TABLE {table} ALTER COLUMN {ident(c.name)}"
    if c.compression != (old.compression if old else None):
        method = {"p": "pglz", "l": "lz4", None: "DEFAULT"}[c.compression]
        stmts.append(f"{column} SET COMPRESSION {method}")
    before = dict(o.split("=", 1) for o in (old.options if old else ()))
    after = dict(o.split("=", 1) for o in c.options)
    if gone := sorted(before.keys() - after.keys()):
        stmts.append(f"{column} RESET ({', '.join(ident(k) for k in gone)})")
    if changed := [k for k in sorted(after) if before.get(k) != after[k]]:
        values = ", ".join(f"{ident(k)} = {literal(after[k])}" for k in changed)
        stmts.append(f"{column} SET ({values})")
    return stmts


def type_storage_sql(table: str, column: str) -> str:
    """Set a column's storage back to its type's own, which only the server knows (the
    catalog read leaves a column's storage out where it is its type's; PostgreSQL 15 has no
    ``SET STORAGE DEFAULT``)."""
    regclass = f"{literal(table)}::pg_catalog.regclass"
    word = (
        "(ARRAY['PLAIN', 'EXTERNAL', 'MAIN', 'EXTENDED'])"
        "[pg_catalog.strpos('pemx', t.typstorage::pg_catalog.text)]"
    )
    return (
        "DO $ddp$BEGIN EXECUTE pg_catalog.format("
        f"'ALTER TABLE %s ALTER COLUMN %I SET STORAGE %s', {literal(table)}, {literal(column)}, "
        f"(SELECT {word} FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t "
        "ON t.oid OPERATOR(pg_catalog.=) a.atttypid "
        f"WHERE a.attrelid OPERATOR(pg_catalog.=) {regclass} "
        f"AND a.attname OPERATOR(pg_catalog.=) {literal(column)})); END$ddp$"
    )


def rewrites(old: str, new: str) -> bool:
    """Whether ALTER COLUMN TYPE old → new rewrites the table (binary-coercible widenings don't)."""
    if new == "text" and (old == "text" or old.startswith("character varying")):
        return False
    a, b = _TYPMOD.match(old), _TYPMOD.match(new)
    if not a or not b or a.group(1) != b.group(1):
        return True
    if b.group(2) is None:
        return False  # the limit goes away
    if a.group(2) is None:
        return True
    if a.group(1) == "numeric" and (a.group(3) or "0") != (b.group(3) or "0"):
        return True
    return int(b.group(2)) < int(a.group(2))


def acl_items(acl: tuple[str, ...]) -> set[tuple[str, str, bool]]:
    """``grantee=arw*`` strings → {(grantee, privilege letter, with grant option)}."""
    out = set()
    for item in acl:
        grantee, _, privs = item.rpartition("=")
        i = 0
        while i < len(privs):
            grantable = privs[i + 1 : i + 2] == "*"
            out.add((grantee, privs[i], grantable))
            i += 2 if grantable else 1
    return out


def default_acl(kind: str, server_version: int) -> tuple[str, ...]:
    """What a newly created object's ACL looks like (acldefault), in canonical form."""
    table = "arwdDxtm" if server_version >= 170000 else "arwdDxt"
    acls: dict[str, tuple[str, ...]] = {
        Kind.TABLE: (f"<owner>={table}",),
        Kind.VIEW: (f"<owner>={table}",),
        Kind.SEQUENCE: ("<owner>=rwU",),
        Kind.FUNCTION: ("<owner>=X", "PUBLIC=X"),
        Kind.TYPE: ("<owner>=U", "PUBLIC=U"),
        Kind.SCHEMA: ("<owner>=UC",),
    }
    return acls.get(kind, ())


class StepBase:
    """What every kind's generator shares: the planning context, ACLs, comments, notes."""

    #: The create generator of each kind (StepBuilder's table).
    creator: dict[str, Callable[..., Generated]]

    def __init__(self, ctx: PlanContext, reached: frozenset[Key] = frozenset()) -> None:
        self.ctx = ctx
        #: Objects without data that stand on something the plan disturbs (plan.py's closure).
        self.reached = reached
        self.replaced_tables = {c.key[1:3] for c in ctx.changes if needs_replacement(c)}
        self.change_of = ctx.change_of
        self.gone_tables = {
            c.key[1:3] for c in ctx.changes if c.kind == Kind.TABLE and c.action == Action.DROP
        }
        self.moved_tables = self.gone_tables | self.replaced_tables

    @staticmethod
    def _created(what: str, why: str | None) -> str:
        """The note of a creation: ``Create missing <what>``, or ``Recreate <what> (<why>)``
        when the object is dropped and created again."""
        return f"Create missing {what}" if why is None else f"Recreate {what} ({why})"

    @staticmethod
    def _because(note: str, why: str | None) -> str:
        """A note of a step that comes with a recreated object: it says why."""
        return note if why is None else f"{note} ({why})"

    def _moves_with_its_table(self, key: Key) -> bool:
        """Whether the target's object sits on a table that is tombstoned or replaced (its
        table's steps rename or drop it, freeing its name)."""
        old = self.ctx.tgt.get(key)
        table = getattr(old, "table", None)
        return table is not None and (getattr(old, "schema_name", ""), table) in self.moved_tables

    def _comment(self, what: str, comment: str | None) -> str:
        return f"COMMENT ON {what} IS {literal(comment) if comment is not None else 'NULL'}"

    def _new_comment(self, what: str, comment: str | None) -> list[str]:
        """The comment of an object being created: none unless it has one (NULL is the
        default)."""
        return [] if comment is None else [self._comment(what, comment)]

    def _column_extras(self, t: Table, c: Column, old: Column | None) -> list[str]:
        """Statistics, storage and comment of a column (new, or changed from ``old``)."""
        q = qualified(t.schema_name, t.name)
        stmts = []
        if c.statistics != (old.statistics if old else None):
            stmts.append(
                f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} SET STATISTICS "
                f"{c.statistics if c.statistics is not None else -1}"
            )
        if c.storage is not None and c.storage != (old.storage if old else None):
            word = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}[c.storage]
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} SET STORAGE {word}")
        elif c.storage is None and old is not None and old.storage is not None:
            stmts.append(type_storage_sql(q, c.name))
        if c.comment != (old.comment if old else None):
            stmts.append(self._comment(f"COLUMN {q}.{ident(c.name)}", c.comment))
        return stmts + column_settings(q, c, old)

    def _privileges(
        self,
        kind: str,
        key: Key,
        on: str,
        src_acl: tuple[str, ...],
        tgt_acl: tuple[str, ...],
        owner: str | None,
        columns: str = "",
        why: str | None = None,
    ) -> Generated:
        if not self.ctx.privileges:
            return
        want, have = acl_items(src_acl), acl_items(tgt_acl)
        if want == have:
            return

        def grantee(name: str) -> str:
            if name == "<owner>":
                return ident(owner) if owner else "CURRENT_USER"
            return "PUBLIC" if name == "PUBLIC" else ident(name)

        statements = []
        for g, priv, grantable in sorted(have - want):
            if (g, priv, not grantable) in want and grantable:
                statements.append(
                    f"REVOKE GRANT OPTION FOR {PRIVILEGE_NAMES[priv]}{columns} "
                    f"ON {on} FROM {grantee(g)}"
                )
            elif (g, priv, not grantable) not in want:
                statements.append(
                    f"REVOKE {PRIVILEGE_NAMES[priv]}{columns} ON {on} FROM {grantee(g)}"
                )
        for g, priv, grantable in sorted(want - have):
            statements.append(
                f"GRANT {PRIVILEGE_NAMES[priv]}{columns} ON {on} TO {grantee(g)}"
                + (" WITH GRANT OPTION" if grantable else "")
            )
        acl_key: Key = ("acl", key[1], key[2], key[3] + columns)
        yield step(
            Section.PRIVILEGE,
            acl_key,
            Action.ALTER,
            self._because(f"Privileges on {kind} {key[2]}", why),
            statements,
            hazards=[PRIVILEGES],
            requires=[key],
        )

    def _rename_away(
        self,
        key: Key,
        note: str,
        word: str,
        name: str,
        ref: Callable[[str], str],
        *,
        frees: tuple[tuple[str, str], ...] = (),
        cascade: bool = False,
    ) -> StepSpec:
        """Rename-before-drop (DESIGN): the object ``name`` keeps its data under the run's
        ``_dropped_`` name; the DROP of the renamed object goes to the cleanup part. ``ref``
        writes the object's reference from a name (qualified, or with its arguments)."""
        new = self.ctx.dropped(name)
        return step(
            SECTION_OF[key[0]],
            key,
            Action.RENAME,
            note,
            [f"ALTER {word} {ref(name)} RENAME TO {ident(new)}"],
            disturbs=[key],
            hazards=[KEPT],
            frees=frees,
            cleanup=[f"DROP {word} IF EXISTS {ref(new)}{' CASCADE' if cascade else ''};"],
        )

    def _new_acl(
        self, kind: str, key: Key, on: str, acl: tuple[str, ...], why: str | None = None
    ) -> Generated:
        version = self.ctx.target.server_version
        yield from self._privileges(kind, key, on, acl, default_acl(kind, version), None, why=why)

    def _kept_users(self, key: Key) -> list[tuple[str, str, str]]:
        """Columns using ``key`` that the plan renames to keep their data, by their new names."""
        kept = []
        for dep in self.ctx.target_dependents(key):
            if dep[0] != Kind.COLUMN:
                continue
            _, schema, table, column = dep
            if (schema, table) in self.gone_tables:
                kept.append((schema, self.ctx.dropped(table), column))
            elif self.change_of.get(dep) is not None and self.change_of[dep].action == Action.DROP:
                kept.append((schema, table, self.ctx.dropped(column)))
        return kept

    @staticmethod
    def _split_regclass(text: str, default_schema: str) -> tuple[str, str]:
        """``schema.name`` or ``name`` as regclass prints it → (schema, name); a quoted part
        may hold dots and doubled quotes."""
        head, rest = split_ident(text, sep=".")
        if not rest:
            return default_schema, unquote(head)
        return unquote(head), unquote(rest)

    def _enum_involved(self, *type_names: str) -> bool:
        """Whether a type change needs a detour through text: enums and ranges have no casts
        to each other (tsrange → tstzrange), but both read their text form."""
        enums = {
            (t.schema_name, t.name)
            for t in (*self.ctx.source.types, *self.ctx.target.types)
            if t.type_kind in (TypeKind.ENUM, TypeKind.RANGE)
        }
        for name in type_names:
            # format_type qualifies every type outside pg_catalog (the empty search_path)
            schema, base = self._split_regclass(name.removesuffix("[]"), "pg_catalog")
            if (schema, base) in enums or base.endswith(("range", "multirange")):
                return True
        return False

    def _inherited_in(
        self, snapshot: Any, table: Table, column: str, leaving: Table | None = None
    ) -> bool:
        """Whether ``table`` gets ``column`` from a parent (one it keeps no longer, if
        ``leaving`` gives the table's other version)."""
        parents = list(table.inherits) + ([table.partition_of] if table.partition_of else [])
        if leaving is not None:
            kept = set(leaving.inherits) | {leaving.partition_of}
            parents = [p for p in parents if p not in kept]
        for parent in parents:
            schema, name = self._split_regclass(parent, table.schema_name)
            for t in snapshot.tables:
                if (t.schema_name, t.name) == (schema, name) and t.column(column) is not None:
                    return True
        return False

    def _existing(self, schema: str, table: str) -> bool:
        """Whether the table exists in the target before the script (so it may hold rows)."""
        return (
            self.ctx.target_table(schema, table) is not None
            and (schema, table) not in self.replaced_tables
        )


def _key(obj: Any) -> Key:
    return object_key(obj)
