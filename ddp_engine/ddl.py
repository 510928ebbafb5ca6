"""The SQL of each change, one handler per object kind.

``StepBuilder`` turns a Change into Planner steps (plan.py orders them). Catalog-deparsed text
(defaults, constraint, index, trigger and view definitions, function bodies) is used as read:
it names in-schema objects unqualified, and the script sets ``search_path`` to the target schema,
so every reference lands in the target. Names DDP writes itself are always qualified and quoted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ddp_engine.diff import Change
from ddp_engine.model import (
    Collation,
    Column,
    Constraint,
    Extension,
    Function,
    Index,
    Key,
    Policy,
    Schema,
    Sequence,
    Table,
    Trigger,
    UserType,
    View,
    object_key,
)
from ddp_engine.sqltext import ident, literal, qualified

if TYPE_CHECKING:
    from ddp_engine.plan import Planner

LOCK = "takes an ACCESS EXCLUSIVE lock"
REWRITE = "rewrites the table"
SCAN = "scans the table to validate"
MAY_FAIL = "may fail on existing data"
BEHAVIOUR = "drops behaviour"
PRIVILEGES = "changes privileges"
KEPT = "data kept under a renamed object: drop it in the cleanup part after verifying"

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
COSMETIC = {"comment", "acl", "column_comments", "column_acls"}
TRIGGER_STATE = {
    "D": "DISABLE TRIGGER",
    "R": "ENABLE REPLICA TRIGGER",
    "A": "ENABLE ALWAYS TRIGGER",
    "O": "ENABLE TRIGGER",
}
FUNCTION_WORD = {"p": "PROCEDURE", "a": "AGGREGATE"}
RECREATED_ON_ALTER = {"view", "constraint", "index", "trigger", "policy", "function", "collation"}


def needs_replacement(change: Change) -> bool:
    """A table whose partitioning changes cannot be altered: it is renamed and created anew."""
    return (
        change.kind == "table"
        and change.action == "alter"
        and bool({"partitioned", "partition_key"} & set(change.fields))
    )


def alter_recreates(change: Change, planner: Planner) -> bool:
    """Whether an ``alter`` of this kind drops the object and creates it again."""
    fields = set(change.fields)
    if change.kind in ("view", "constraint", "index", "trigger", "policy", "collation"):
        if change.kind == "trigger" and fields <= COSMETIC | {"enabled"}:
            return False
        return not fields <= COSMETIC
    if change.kind == "function":
        return not function_replaceable(planner.src[change.key], planner.tgt[change.key])
    if change.kind == "type":
        return enum_rebuild(planner.src[change.key], planner.tgt[change.key], planner)
    return False


def function_replaceable(src: Function, tgt: Function) -> bool:
    """CREATE OR REPLACE keeps the result type, argument names and defaults, and the kind."""
    return (src.kind, src.result_type, src.arguments) == (tgt.kind, tgt.result_type, tgt.arguments)


def enum_rebuild(src: UserType, tgt: UserType, planner: Planner) -> bool:
    """An enum must be rebuilt when values go away or move, or a new value is used at once.

    ``ALTER TYPE ... ADD VALUE`` cannot be used in the same transaction that adds it, so a new
    label that a default, check or view of the source names forces a rebuild too.
    """
    if src.type_kind != "e" or tgt.type_kind != "e" or src.labels == tgt.labels:
        return src.type_kind != tgt.type_kind
    remaining = [label for label in src.labels if label in tgt.labels]
    if remaining != list(tgt.labels):
        return True
    new = [label for label in src.labels if label not in tgt.labels]
    texts = [c.definition for c in planner.source.constraints]
    texts += [v.definition for v in planner.source.views]
    texts += [i.body for i in planner.source.indexes]
    texts += [col.default or "" for t in planner.source.tables for col in t.columns]
    # A plain substring test: '{black}'::color[] names a label too. A false alarm only costs a
    # rebuild where ADD VALUE would have done.
    return any(label in text for label in new for text in texts)


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
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
    elif column.identity:
        parts.append(identity_sql(column, schema))
    elif column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


_TYPMOD = re.compile(r"^(character varying|numeric|varchar|bit varying)(?:\((\d+)(?:,(\d+))?\))?$")


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
    return {
        "table": (f"<owner>={table}",),
        "view": (f"<owner>={table}",),
        "sequence": ("<owner>=rwU",),
        "function": ("<owner>=X", "PUBLIC=X"),
        "type": ("<owner>=U", "PUBLIC=U"),
        "schema": ("<owner>=UC",),
    }.get(kind, ())


class StepBuilder:
    """Emits the steps of each change into the planner."""

    def __init__(self, planner: Planner) -> None:
        self.p = planner
        self.replaced_tables = {c.key[1:3] for c in planner.changes if needs_replacement(c)}
        self.change_of = {c.key: c for c in planner.changes}
        self.gone_tables = {
            c.key[1:3] for c in planner.changes if c.kind == "table" and c.action == "drop"
        }

    # -- dispatch -------------------------------------------------------------------------

    def change(self, change: Change, in_rebuild: bool) -> None:
        table = self._table_of(change.key)
        if (
            change.kind in ("constraint", "index", "trigger", "policy")
            and table is not None
            and (table in self.replaced_tables or table in self.gone_tables)
        ):
            return  # handled with the table
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
        kind = key[0]
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

    def _table_of(self, key: Key) -> tuple[str, str] | None:
        if key[0] in ("constraint", "trigger", "policy", "column", "default"):
            return (key[1], key[2])
        if key[0] == "index":
            obj = self.p.src.get(key) or self.p.tgt.get(key)
            return (obj.schema_name, obj.table) if isinstance(obj, Index) else None
        return None

    # -- small helpers --------------------------------------------------------------------

    def _comment(self, what: str, comment: str | None) -> str:
        return f"COMMENT ON {what} IS {literal(comment) if comment is not None else 'NULL'}"

    def _privileges(
        self,
        kind: str,
        key: Key,
        on: str,
        src_acl: tuple[str, ...],
        tgt_acl: tuple[str, ...],
        owner: str | None,
        columns: str = "",
    ) -> None:
        if not self.p.privileges:
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
        self.p.add(
            "PRIVILEGE",
            acl_key,
            "alter",
            f"Privileges on {kind} {key[2]}",
            statements,
            hazards=[PRIVILEGES],
            requires=[key],
        )

    def _new_acl(self, kind: str, key: Key, on: str, acl: tuple[str, ...]) -> None:
        version = self.p.target.server_version
        self._privileges(kind, key, on, acl, default_acl(kind, version), None)

    # -- schemas and extensions -----------------------------------------------------------

    def _schema_create(self, change: Change) -> None:
        s: Schema = self.p.src[change.key]
        stmts = [f"CREATE SCHEMA {ident(s.name)}"]
        if s.comment is not None:
            stmts.append(self._comment(f"SCHEMA {ident(s.name)}", s.comment))
        self.p.add(
            "SCHEMA",
            change.key,
            "create",
            f"Create missing schema {s.name}",
            stmts,
            provides=[change.key],
        )
        self._new_acl("schema", change.key, f"SCHEMA {ident(s.name)}", s.acl)

    def _schema_drop(self, change: Change, recreate: bool = False) -> None:
        s: Schema = self.p.tgt[change.key]
        new = self.p.dropped(s.name)
        self.p.add(
            "SCHEMA",
            change.key,
            "rename",
            f"Rename extra schema {s.name} and everything in it (data preservation)",
            [f"ALTER SCHEMA {ident(s.name)} RENAME TO {ident(new)}"],
            disturbs=[change.key],
            hazards=[KEPT],
        )
        self.p.cleanup.append(f"DROP SCHEMA IF EXISTS {ident(new)} CASCADE;")

    def _schema_alter(self, change: Change) -> None:
        src: Schema = self.p.src[change.key]
        tgt: Schema = self.p.tgt[change.key]
        if "comment" in change.fields:
            self.p.add(
                "SCHEMA",
                change.key,
                "alter",
                f"Comment on schema {src.name}",
                [self._comment(f"SCHEMA {ident(src.name)}", src.comment)],
            )
        if "acl" in change.fields:
            self._privileges(
                "schema", change.key, f"SCHEMA {ident(src.name)}", src.acl, tgt.acl, tgt.owner
            )

    def _extension_create(self, change: Change) -> None:
        e: Extension = self.p.src[change.key]
        self.p.add(
            "EXTENSION",
            change.key,
            "create",
            f"Create missing extension {e.name}",
            [
                f"CREATE EXTENSION IF NOT EXISTS {ident(e.name)} WITH SCHEMA "
                f"{ident(e.schema_name)} VERSION {literal(e.version)}"
            ],
            provides=[change.key],
            requires=[("schema", "", e.schema_name, "")],
        )

    def _extension_drop(self, change: Change, recreate: bool = False) -> None:
        e: Extension = self.p.tgt[change.key]
        kept = self._kept_users(change.key)
        stmts = [
            f"ALTER TABLE {qualified(schema, table)} ALTER COLUMN {ident(column)} TYPE text "
            f"USING {ident(column)}::text"
            for schema, table, column in kept
        ]
        self.p.add(
            "EXTENSION",
            change.key,
            "drop",
            f"Drop extra extension {e.name}"
            + (" (renamed columns of its types keep their values as text)" if kept else ""),
            [*stmts, f"DROP EXTENSION {ident(e.name)}"],
            disturbs=[change.key],
            hazards=[BEHAVIOUR, *([LOCK, REWRITE] if kept else [])],
            after_disturbed=[
                *(k for k in self.p.target_dependents(change.key) if k[0] != "extension"),
                *(("table", k[1], k[2], "") for k in self.p.target_dependents(change.key)),
            ],
        )

    def _kept_users(self, key: Key) -> list[tuple[str, str, str]]:
        """Columns using ``key`` that the plan renames to keep their data, by their new names."""
        kept = []
        for dep in self.p.target_dependents(key):
            if dep[0] != "column":
                continue
            _, schema, table, column = dep
            if (schema, table) in self.gone_tables:
                kept.append((schema, self.p.dropped(table), column))
            elif self.change_of.get(dep) is not None and self.change_of[dep].action == "drop":
                kept.append((schema, table, self.p.dropped(column)))
        return kept

    def _extension_alter(self, change: Change) -> None:
        e: Extension = self.p.src[change.key]
        stmts = []
        if "schema_name" in change.fields:
            stmts.append(f"ALTER EXTENSION {ident(e.name)} SET SCHEMA {ident(e.schema_name)}")
        if "version" in change.fields:
            stmts.append(f"ALTER EXTENSION {ident(e.name)} UPDATE TO {literal(e.version)}")
        self.p.add(
            "EXTENSION",
            change.key,
            "alter",
            f"Change extension {e.name}",
            stmts,
            provides=[change.key],
        )

    # -- collations and types -------------------------------------------------------------

    def _collation_create(self, change: Change) -> None:
        c: Collation = self.p.src[change.key]
        opts = [f"provider = {'icu' if c.provider == 'i' else 'libc'}"]
        if c.provider == "i":
            opts.append(f"locale = {literal(c.icu_locale or '')}")
        else:
            opts += [
                f"lc_collate = {literal(c.lc_collate or '')}",
                f"lc_ctype = {literal(c.lc_ctype or '')}",
            ]
        if not c.deterministic:
            opts.append("deterministic = false")
        q = qualified(c.schema_name, c.name)
        stmts = [f"CREATE COLLATION {q} ({', '.join(opts)})"]
        if c.comment is not None:
            stmts.append(self._comment(f"COLLATION {q}", c.comment))
        self.p.add(
            "TYPE",
            change.key,
            "create",
            f"Create missing collation {c.name}",
            stmts,
            provides=[change.key],
        )

    def _collation_drop(self, change: Change, recreate: bool = False) -> None:
        c: Collation = self.p.tgt[change.key]
        if not recreate and self._kept_users(change.key):
            new = self.p.dropped(c.name)
            self.p.add(
                "TYPE",
                change.key,
                "rename",
                f"Rename extra collation {c.name}: renamed columns still use it",
                [f"ALTER COLLATION {qualified(c.schema_name, c.name)} RENAME TO {ident(new)}"],
                disturbs=[change.key],
                hazards=[KEPT],
            )
            self.p.cleanup.append(f"DROP COLLATION IF EXISTS {qualified(c.schema_name, new)};")
            return
        self.p.add(
            "TYPE",
            change.key,
            "drop",
            f"Drop {'changed' if recreate else 'extra'} collation {c.name}",
            [f"DROP COLLATION {qualified(c.schema_name, c.name)}"],
            disturbs=[change.key],
        )

    def _collation_alter(self, change: Change) -> None:
        c: Collation = self.p.src[change.key]
        self.p.add(
            "TYPE",
            change.key,
            "alter",
            f"Comment on collation {c.name}",
            [self._comment(f"COLLATION {qualified(c.schema_name, c.name)}", c.comment)],
        )

    def _type_sql(self, t: UserType) -> list[str]:
        q = qualified(t.schema_name, t.name)
        if t.type_kind == "e":
            stmts = [f"CREATE TYPE {q} AS ENUM ({', '.join(literal(v) for v in t.labels)})"]
        elif t.type_kind == "d":
            parts = [f"CREATE DOMAIN {q} AS {t.base_type}"]
            if t.collation:
                parts.append(f"COLLATE {t.collation}")
            if t.default is not None:
                parts.append(f"DEFAULT {t.default}")
            if t.not_null:
                parts.append("NOT NULL")
            parts += [f"CONSTRAINT {c}" for c in t.constraints]
            stmts = [" ".join(parts)]
        elif t.type_kind == "c":
            stmts = [f"CREATE TYPE {q} AS ({', '.join(t.attributes)})"]
        else:
            stmts = [f"CREATE TYPE {q} AS RANGE ({t.range_options})"]
        if t.comment is not None:
            word = "DOMAIN" if t.type_kind == "d" else "TYPE"
            stmts.append(self._comment(f"{word} {q}", t.comment))
        for constraint, comment in t.constraint_comments:
            stmts.append(self._comment(f"CONSTRAINT {ident(constraint)} ON DOMAIN {q}", comment))
        return stmts

    def _type_create(self, change: Change) -> None:
        t: UserType = self.p.src[change.key]
        self.p.add(
            "TYPE",
            change.key,
            "create",
            f"Create missing type {t.name}",
            self._type_sql(t),
            provides=[change.key],
        )
        self._new_acl("type", change.key, f"TYPE {qualified(t.schema_name, t.name)}", t.acl)

    def _type_drop(self, change: Change, recreate: bool = False) -> None:
        t: UserType = self.p.tgt[change.key]
        q = qualified(t.schema_name, t.name)
        word = "DOMAIN" if t.type_kind == "d" else "TYPE"
        if self._kept_users(change.key):
            new = self.p.dropped(t.name)
            self.p.add(
                "TYPE",
                change.key,
                "rename",
                f"Rename extra type {t.name}: kept columns still use it",
                [f"ALTER {word} {q} RENAME TO {ident(new)}"],
                disturbs=[change.key],
                hazards=[KEPT],
                frees=[(t.schema_name, t.name)],
            )
            self.p.cleanup.append(f"DROP {word} IF EXISTS {qualified(t.schema_name, new)};")
            return
        self.p.add(
            "TYPE",
            change.key,
            "drop",
            f"Drop extra type {t.name}",
            [f"DROP {word} {q}"],
            disturbs=[change.key],
            frees=[(t.schema_name, t.name)],
        )

    def _type_alter(self, change: Change) -> None:
        src: UserType = self.p.src[change.key]
        tgt: UserType = self.p.tgt[change.key]
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        if src.type_kind != tgt.type_kind or enum_rebuild(src, tgt, self.p):
            self._rebuild_type(change.key, src, tgt)
            return
        if src.type_kind == "e" and "labels" in fields:
            stmts = []
            for i, label in enumerate(src.labels):
                if label in tgt.labels:
                    continue
                following = next((v for v in src.labels[i + 1 :] if v in tgt.labels), None)
                where = f" BEFORE {literal(following)}" if following else ""
                stmts.append(f"ALTER TYPE {q} ADD VALUE {literal(label)}{where}")
            self.p.add(
                "TYPE",
                change.key,
                "alter",
                f"Add values to enum {src.name}",
                stmts,
                provides=[change.key],
            )
        if src.type_kind == "d":
            stmts = []
            if "default" in fields:
                stmts.append(
                    f"ALTER DOMAIN {q} "
                    + (f"SET DEFAULT {src.default}" if src.default is not None else "DROP DEFAULT")
                )
            if "not_null" in fields:
                stmts.append(f"ALTER DOMAIN {q} {'SET' if src.not_null else 'DROP'} NOT NULL")
            for con in sorted(set(tgt.constraints) - set(src.constraints)):
                stmts.append(f"ALTER DOMAIN {q} DROP CONSTRAINT {con.split(' ', 1)[0]}")
            for con in sorted(set(src.constraints) - set(tgt.constraints)):
                stmts.append(f"ALTER DOMAIN {q} ADD CONSTRAINT {con}")
            hazards = [SCAN, MAY_FAIL] if fields & {"not_null", "constraints"} else []
            if fields & {"base_type", "collation"}:
                self.p.warnings.append(
                    f"domain {src.name}: base type or collation change is "
                    "not applied (recreate the domain by hand)"
                )
            if stmts:
                self.p.add(
                    "TYPE",
                    change.key,
                    "alter",
                    f"Change domain {src.name}",
                    stmts,
                    provides=[change.key],
                    hazards=hazards,
                )
        if src.type_kind == "c" and "attributes" in fields:
            stmts = [
                f"ALTER TYPE {q} DROP ATTRIBUTE {a.split(' ', 1)[0]}"
                for a in tgt.attributes
                if a not in src.attributes
            ]
            stmts += [
                f"ALTER TYPE {q} ADD ATTRIBUTE {a}"
                for a in src.attributes
                if a not in tgt.attributes
            ]
            self.p.add(
                "TYPE",
                change.key,
                "alter",
                f"Change composite type {src.name}",
                stmts,
                provides=[change.key],
                disturbs=[change.key],  # a type it drops an attribute of may then go
            )
        if src.type_kind == "r" and "range_options" in fields:
            self.p.warnings.append(
                f"range type {src.name}: its definition differs; recreate it by hand"
            )
        if "constraint_comments" in fields:
            old_comments, new_comments = (
                dict(tgt.constraint_comments),
                dict(src.constraint_comments),
            )
            live = {c.split(" ", 1)[0].strip('"') for c in src.constraints}
            self.p.add(
                "TYPE",
                change.key,
                "alter",
                f"Comments on the constraints of domain {src.name}",
                [
                    self._comment(f"CONSTRAINT {ident(name)} ON DOMAIN {q}", new_comments.get(name))
                    for name in sorted(old_comments.keys() | new_comments.keys())
                    if old_comments.get(name) != new_comments.get(name) and name in live
                ],
                provides=[change.key],
                seq=3,
            )
        if "comment" in fields:
            word = "DOMAIN" if src.type_kind == "d" else "TYPE"
            self.p.add(
                "TYPE",
                change.key,
                "alter",
                f"Comment on type {src.name}",
                [self._comment(f"{word} {q}", src.comment)],
                seq=2,
            )
        if "acl" in fields:
            self._privileges("type", change.key, f"TYPE {q}", src.acl, tgt.acl, tgt.owner)

    def _rebuild_type(self, key: Key, src: UserType, tgt: UserType) -> None:
        """Rename the old type away, create the new one, move every column over, drop the old."""
        q = qualified(src.schema_name, src.name)
        old = self.p.dropped(src.name)
        word = "DOMAIN" if tgt.type_kind == "d" else "TYPE"
        self.p.add(
            "TYPE",
            key,
            "rename",
            f"Rebuild type {src.name}: rename the old one away",
            [f"ALTER {word} {q} RENAME TO {ident(old)}"],
            disturbs=[key],
            frees=[(src.schema_name, src.name)],
        )
        create = self.p.add(
            "TYPE",
            key,
            "create",
            f"Rebuild type {src.name}: create it anew",
            self._type_sql(src),
            provides=[key],
            claims=(src.schema_name, src.name),
            seq=1,
        )
        moves = []
        for dep in self.p.target_dependents(key):
            if dep[0] != "column" or dep not in self.p.src:
                continue
            _, column = self.p.src[dep]
            cast = "text[]" if column.data_type.endswith("[]") else "text"
            sid = self.p.add(
                "COLUMN",
                dep,
                "alter",
                f"Move {dep[2]}.{dep[3]} to the rebuilt type {src.name}",
                [
                    f"ALTER TABLE {qualified(dep[1], dep[2])} ALTER COLUMN {ident(dep[3])} TYPE "
                    f"{column.data_type} USING {ident(dep[3])}::{cast}::{column.data_type}"
                ],
                provides=[dep],
                disturbs=[dep],
                hazards=[LOCK, REWRITE, MAY_FAIL],
            )
            self.p.after(sid, create)
            moves.append(sid)
        drop = self.p.add(
            "TYPE",
            key,
            "alter",
            f"Rebuild type {src.name}: drop the old one",
            [f"DROP {word} {qualified(src.schema_name, old)}"],
            disturbs=[key],
            seq=2,
        )
        for sid in moves:
            self.p.after(drop, sid)

    # -- sequences ------------------------------------------------------------------------

    def _sequence_options(self, s: Sequence, only: set[str] | None = None) -> str:
        parts = []
        fields = [
            ("data_type", f"AS {s.data_type}"),
            ("increment", f"INCREMENT BY {s.increment}"),
            ("min_value", f"MINVALUE {s.min_value}"),
            ("max_value", f"MAXVALUE {s.max_value}"),
            ("start", f"START WITH {s.start}"),
            ("cache", f"CACHE {s.cache}"),
            ("cycle", "CYCLE" if s.cycle else "NO CYCLE"),
        ]
        for name, text in fields:
            if only is None or name in only:
                parts.append(text)
        return " ".join(parts)

    def _owned_by(self, s: Sequence) -> str:
        if s.owned_by is None:
            return "NONE"
        schema, table, column = s.owned_by
        return f"{qualified(schema, table)}.{ident(column)}"

    def _sequence_create(self, change: Change) -> None:
        s: Sequence = self.p.src[change.key]
        q = qualified(s.schema_name, s.name)
        stmts = [
            f"CREATE {'UNLOGGED ' if s.unlogged else ''}SEQUENCE {q} {self._sequence_options(s)}"
        ]
        if s.comment is not None:
            stmts.append(self._comment(f"SEQUENCE {q}", s.comment))
        self.p.add(
            "SEQUENCE",
            change.key,
            "create",
            f"Create missing sequence {s.name}",
            stmts,
            provides=[change.key],
            claims=(s.schema_name, s.name),
        )
        if s.owned_by is not None:
            schema, table, column = s.owned_by
            self.p.add(
                "SEQUENCE",
                ("owned", s.schema_name, s.name, ""),
                "alter",
                f"Attach sequence {s.name} to its column",
                [f"ALTER SEQUENCE {q} OWNED BY {self._owned_by(s)}"],
                requires=[change.key, ("column", schema, table, column)],
                seq=1,
            )
        self._new_acl("sequence", change.key, f"SEQUENCE {q}", s.acl)

    def _sequence_drop(self, change: Change, recreate: bool = False) -> None:
        s: Sequence = self.p.tgt[change.key]
        new = self.p.dropped(s.name)
        self.p.add(
            "SEQUENCE",
            change.key,
            "rename",
            f"Rename extra sequence {s.name} (data preservation)",
            [f"ALTER SEQUENCE {qualified(s.schema_name, s.name)} RENAME TO {ident(new)}"],
            disturbs=[change.key],
            hazards=[KEPT],
            frees=[(s.schema_name, s.name)],
        )
        self.p.cleanup.append(f"DROP SEQUENCE IF EXISTS {qualified(s.schema_name, new)};")

    def _sequence_alter(self, change: Change) -> None:
        src: Sequence = self.p.src[change.key]
        tgt: Sequence = self.p.tgt[change.key]
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts = []
        options = fields & {
            "data_type",
            "increment",
            "min_value",
            "max_value",
            "start",
            "cache",
            "cycle",
        }
        if options:
            stmts.append(f"ALTER SEQUENCE {q} {self._sequence_options(src, options)}")
        if "unlogged" in fields:
            stmts.append(f"ALTER SEQUENCE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
        if "comment" in fields:
            stmts.append(self._comment(f"SEQUENCE {q}", src.comment))
        if stmts:
            self.p.add(
                "SEQUENCE",
                change.key,
                "alter",
                f"Change sequence {src.name}",
                stmts,
                provides=[change.key],
            )
        if "owned_by" in fields:
            requires: list[Key] = [change.key]
            if src.owned_by is not None:
                requires.append(("column", *src.owned_by))
            self.p.add(
                "SEQUENCE",
                ("owned", src.schema_name, src.name, ""),
                "alter",
                f"Change the owner column of sequence {src.name}",
                [f"ALTER SEQUENCE {q} OWNED BY {self._owned_by(src)}"],
                requires=requires,
                seq=1,
            )
        if "acl" in fields:
            self._privileges("sequence", change.key, f"SEQUENCE {q}", src.acl, tgt.acl, tgt.owner)

    # -- tables ---------------------------------------------------------------------------

    def _create_table_sql(self, t: Table) -> list[str]:
        q = qualified(t.schema_name, t.name)
        if t.partition_of:
            sql = f"CREATE TABLE {q} PARTITION OF {t.partition_of} {t.partition_bound}"
        else:
            cols = ",\n  ".join(column_sql(c, t.schema_name) for c in t.columns)
            unlogged = "UNLOGGED " if t.unlogged else ""
            sql = (
                f"CREATE {unlogged}TABLE {q} (\n  {cols}\n)"
                if cols
                else f"CREATE {unlogged}TABLE {q} ()"
            )
            if t.inherits:
                sql += f" INHERITS ({', '.join(t.inherits)})"
        if t.partition_key:
            sql += f" PARTITION BY {t.partition_key}"
        if t.options:
            sql += f" WITH ({', '.join(t.options)})"
        stmts = [sql]
        stmts += self._table_extras(t, None)
        return stmts

    def _table_extras(self, t: Table, old: Table | None) -> list[str]:
        """Statements for table attributes not expressible in CREATE TABLE."""
        q = qualified(t.schema_name, t.name)
        stmts = []
        if t.rls and (old is None or not old.rls):
            stmts.append(f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY")
        if old is not None and old.rls and not t.rls:
            stmts.append(f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY")
        if t.force_rls != (old.force_rls if old else False):
            stmts.append(f"ALTER TABLE {q} {'' if t.force_rls else 'NO '}FORCE ROW LEVEL SECURITY")
        if (
            t.replica_identity != (old.replica_identity if old else "d")
            and t.replica_identity in "dfn"
        ):
            word = {"d": "DEFAULT", "f": "FULL", "n": "NOTHING"}[t.replica_identity]
            stmts.append(f"ALTER TABLE {q} REPLICA IDENTITY {word}")
        if t.comment != (old.comment if old else None):
            stmts.append(self._comment(f"TABLE {q}", t.comment))
        if old is None:
            for c in t.columns:
                stmts += self._column_extras(t, c, None)
        return stmts

    def _not_null_renames(self, src: Table, tgt: Table) -> list[str]:
        """PostgreSQL 18 names NOT NULL constraints: a detached partition keeps its parent's."""
        q = qualified(src.schema_name, src.name)
        attached = bool(src.partition_of or src.inherits)
        have = dict(tgt.not_null_names)
        out = []
        for column, name in src.not_null_names:
            old = have.get(column)
            if old is None or old == name:
                continue
            if attached and column in tgt.not_null_inherited:
                continue  # an inherited constraint cannot be renamed while attached
            out.append(f"ALTER TABLE {q} RENAME CONSTRAINT {ident(old)} TO {ident(name)}")
        return out

    def _column_extras(self, t: Table, c: Column, old: Column | None) -> list[str]:
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
        if c.comment != (old.comment if old else None):
            stmts.append(self._comment(f"COLUMN {q}.{ident(c.name)}", c.comment))
        return stmts

    def _table_create(self, change: Change) -> None:
        t: Table = self.p.src[change.key]
        provides: list[Key] = [change.key]
        for c in t.columns:
            provides.append(("column", t.schema_name, t.name, c.name))
            if c.default is not None:
                provides.append(("default", t.schema_name, t.name, c.name))
        requires: list[Key] = []
        if t.partition_of or t.inherits:
            requires += [k for k in self.p.src_deps.get(change.key, ()) if k[0] == "table"]
        self.p.add(
            "TABLE",
            change.key,
            "create",
            f"Create missing table {t.name}",
            self._create_table_sql(t),
            provides=provides,
            requires=requires,
            claims=(t.schema_name, t.name),
        )
        q = qualified(t.schema_name, t.name)
        self._new_acl("table", change.key, f"TABLE {q}", t.acl)
        for c in t.columns:
            if c.acl:
                self._privileges(
                    "table",
                    ("column", t.schema_name, t.name, c.name),
                    f"TABLE {q}",
                    c.acl,
                    (),
                    None,
                    columns=f" ({ident(c.name)})",
                )
        if table_created_with_subobjects := (t.schema_name, t.name) in self.replaced_tables:
            self._subobjects_create(t)
        del table_created_with_subobjects

    def _subobjects_create(self, t: Table) -> None:
        subobjects: list[Constraint | Index | Trigger | Policy] = [
            *self.p.source.constraints,
            *self.p.source.indexes,
            *self.p.source.triggers,
            *self.p.source.policies,
        ]
        for obj in subobjects:
            if (obj.schema_name, obj.table) == (t.schema_name, t.name):
                key = _key(obj)
                getattr(self, f"_{key[0]}_create")(Change(action="create", kind=key[0], key=key))

    def _table_drop(self, change: Change, recreate: bool = False) -> None:
        """Keep the data: detach, free the names, drop what blocks live tables, rename."""
        t: Table = self.p.tgt[change.key]
        q = qualified(t.schema_name, t.name)
        new = self.p.dropped(t.name)
        stmts: list[str] = []
        disturbs: list[Key] = [change.key]
        frees = [(t.schema_name, t.name)]
        if t.partition_of:
            stmts.append(f"ALTER TABLE {t.partition_of} DETACH PARTITION {q}")
        for parent in t.inherits:
            stmts.append(f"ALTER TABLE {q} NO INHERIT {parent}")
        for trig in self.p.target.triggers:
            if (trig.schema_name, trig.table) == (t.schema_name, t.name):
                stmts.append(f"DROP TRIGGER {ident(trig.name)} ON {q}")
                disturbs.append(_key(trig))
        for con in self.p.target.constraints:
            if (con.schema_name, con.table) != (t.schema_name, t.name):
                continue
            if con.constraint_type == "f":
                stmts.append(f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}")
                disturbs.append(_key(con))
            elif con.constraint_type in "pux":
                stmts.append(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(con.name)} TO "
                    f"{ident(self.p.dropped(con.name))}"
                )
                frees.append((t.schema_name, con.name))
        for idx in self.p.target.indexes:
            if (idx.schema_name, idx.table) == (t.schema_name, t.name):
                stmts.append(
                    f"ALTER INDEX {qualified(idx.schema_name, idx.name)} RENAME TO "
                    f"{ident(self.p.dropped(idx.name))}"
                )
                frees.append((t.schema_name, idx.name))
        for column_name, constraint in t.not_null_names:
            if column_name not in t.not_null_inherited and not t.partition_of and not t.inherits:
                stmts.append(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(constraint)} TO "
                    f"{ident(self.p.dropped(constraint))}"
                )
        for column in t.columns:
            if column.identity and column.identity_sequence:
                stmts.append(
                    f"ALTER SEQUENCE {qualified(t.schema_name, column.identity_sequence)} "
                    f"RENAME TO {ident(self.p.dropped(column.identity_sequence))}"
                )
                frees.append((t.schema_name, column.identity_sequence))
        stmts.append(f"ALTER TABLE {q} RENAME TO {ident(new)}")
        why = "its partitioning changes" if recreate else "extra table"
        self.p.add(
            "TABLE",
            change.key,
            "rename",
            f"Rename {why} {t.name} before drop (data preservation)",
            stmts,
            disturbs=disturbs,
            frees=frees,
            hazards=[KEPT, LOCK],
        )
        self.p.cleanup.append(f"DROP TABLE IF EXISTS {qualified(t.schema_name, new)};")

    def _table_alter(self, change: Change) -> None:
        src: Table = self.p.src[change.key]
        tgt: Table = self.p.tgt[change.key]
        if needs_replacement(change):
            self._table_drop(Change(action="drop", kind="table", key=change.key), recreate=True)
            self._table_create(Change(action="create", kind="table", key=change.key))
            self.p.warnings.append(
                f"table {src.name}: partitioning changed, so the old table was renamed and a new "
                "one created; copy the rows over after verifying"
            )
            return
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts, hazards = [], []
        if "partition_of" in fields or "partition_bound" in fields:
            if tgt.partition_of:
                self.p.add(
                    "TABLE",
                    change.key,
                    "detach",
                    f"Detach partition {src.name} (and drop its copies of the parent's indexes "
                    "and constraints, which detaching would leave behind as its own)",
                    [
                        f"ALTER TABLE {tgt.partition_of} DETACH PARTITION {q}",
                        *(
                            f"ALTER TABLE {q} DROP CONSTRAINT IF EXISTS {ident(name)}"
                            for name in tgt.cloned_constraints
                        ),
                        *(
                            f"DROP INDEX IF EXISTS {qualified(src.schema_name, name)}"
                            for name in tgt.cloned_indexes
                        ),
                    ],
                    disturbs=[change.key],
                    hazards=[LOCK],
                    frees=[
                        (src.schema_name, n) for n in (*tgt.cloned_constraints, *tgt.cloned_indexes)
                    ],
                )
            if src.partition_of:
                self.p.add(
                    "TABLE",
                    change.key,
                    "alter",
                    f"Attach partition {src.name}",
                    [f"ALTER TABLE {src.partition_of} ATTACH PARTITION {q} {src.partition_bound}"],
                    provides=[change.key],
                    hazards=[SCAN, MAY_FAIL],
                    seq=5,
                    requires=[k for k in self.p.src_deps.get(change.key, ()) if k[0] == "table"],
                )
        if "inherits" in fields:
            for parent in tgt.inherits:
                if parent not in src.inherits:
                    stmts.append(f"ALTER TABLE {q} NO INHERIT {parent}")
            for parent in src.inherits:
                if parent not in tgt.inherits:
                    stmts.append(f"ALTER TABLE {q} INHERIT {parent}")
        if "unlogged" in fields:
            stmts.append(f"ALTER TABLE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
            hazards += [LOCK, REWRITE]
        if "options" in fields:
            gone = [
                o.split("=", 1)[0]
                for o in tgt.options
                if o.split("=", 1)[0] not in {s.split("=", 1)[0] for s in src.options}
            ]
            if gone:
                stmts.append(f"ALTER TABLE {q} RESET ({', '.join(gone)})")
            if src.options:
                stmts.append(f"ALTER TABLE {q} SET ({', '.join(src.options)})")
        stmts += self._table_extras(src, tgt)
        if "not_null_names" in fields:
            stmts += self._not_null_renames(src, tgt)
        if stmts:
            self.p.add(
                "TABLE",
                change.key,
                "alter",
                f"Change table {src.name}",
                stmts,
                provides=[change.key],
                hazards=hazards,
                seq=1,
            )
        if "acl" in fields:
            self._privileges("table", change.key, f"TABLE {q}", src.acl, tgt.acl, tgt.owner)

    # -- columns --------------------------------------------------------------------------

    def _column_create(self, change: Change) -> None:
        _, schema, table, name = change.key
        t = self.p.source_table(schema, table)
        assert t is not None
        c = t.column(name)
        assert c is not None
        tgt_table = self.p.target_table(schema, table)
        if tgt_table is not None and self._inherited_in(self.p.target, tgt_table, name, leaving=t):
            return  # it becomes the table's own column when the table is detached
        q = qualified(schema, table)
        hazards = []
        check: tuple[str, ...] = ()
        if c.not_null and c.default is None and c.identity is None and c.generated is None:
            hazards.append(MAY_FAIL)
            if self._existing(schema, table):
                check = ("rows", schema, table, name)
        if c.generated is not None or c.identity is not None:
            hazards += [LOCK, REWRITE]
        stmts = [f"ALTER TABLE {q} ADD COLUMN {column_sql(c, schema)}"]
        stmts += self._column_extras(t, c, None)
        provides: list[Key] = [change.key]
        if c.default is not None:
            provides.append(("default", schema, table, name))
        parents = [self._split_regclass(p, schema) for p in t.inherits]
        self.p.add(
            "COLUMN",
            change.key,
            "create",
            f"Add missing column {table}.{name}",
            stmts,
            provides=provides,
            hazards=hazards,
            after_disturbed=[("column", ps, pn, name) for ps, pn in parents],
            check=check,
        )
        if c.acl:
            self._privileges(
                "column", change.key, f"TABLE {q}", c.acl, (), None, columns=f" ({ident(c.name)})"
            )

    def _not_null_online(self, schema: str, table: str, column: str) -> None:
        """SET NOT NULL without a long lock: a NOT VALID check, validated online, then used."""
        q = qualified(schema, table)
        name = self.p.dropped(f"{column}_not_null").replace("_dropped_", "_ddp_")
        key: Key = ("column", schema, table, column)
        self.p.add(
            "COLUMN",
            key,
            "alter",
            f"Prepare NOT NULL on {table}.{column} (a NOT VALID check, validated online)",
            [
                f"ALTER TABLE {q} ADD CONSTRAINT {ident(name)} CHECK ({ident(column)} IS NOT NULL) "
                "NOT VALID"
            ],
            provides=[key],
            hazards=[LOCK],
            seq=5,
        )
        self.p.add(
            "COLUMN",
            key,
            "alter",
            f"Set NOT NULL on {table}.{column} through the validated check",
            [
                f"ALTER TABLE {q} VALIDATE CONSTRAINT {ident(name)}",
                f"ALTER TABLE {q} ALTER COLUMN {ident(column)} SET NOT NULL",
                f"ALTER TABLE {q} DROP CONSTRAINT {ident(name)}",
            ],
            hazards=[SCAN, MAY_FAIL],
            check=("not_null", schema, table, column),
            online=True,
            seq=6,
        )

    @staticmethod
    def _split_regclass(text: str, default_schema: str) -> tuple[str, str]:
        """``schema.name`` or ``name`` as regclass prints it → (schema, name)."""
        schema, _, name = text.rpartition(".")
        return (schema.strip('"') or default_schema, name.strip('"'))

    def _enum_involved(self, *type_names: str) -> bool:
        """Whether a type change needs a detour through text: enums and ranges have no casts
        to each other (tsrange → tstzrange), but both read their text form."""
        enums = {
            t.name for t in (*self.p.source.types, *self.p.target.types) if t.type_kind in "er"
        }
        for name in type_names:
            base = name.removesuffix("[]").rpartition(".")[2].strip('"')
            if base in enums or base.endswith(("range", "multirange")):
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

    def _column_drop(self, change: Change, recreate: bool = False) -> None:
        _, schema, table, name = change.key
        t = self.p.target_table(schema, table)
        assert t is not None
        c = t.column(name)
        assert c is not None
        src_table = self.p.source_table(schema, table)
        if src_table is not None and self._inherited_in(self.p.source, src_table, name):
            return  # the parent provides it once the table is attached
        q = qualified(schema, table)
        col = ident(name)
        new = self.p.dropped(name)
        stmts = []
        if c.identity:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP IDENTITY")
        if c.generated is not None:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP EXPRESSION")
        if c.default is not None:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP DEFAULT")
        if c.not_null:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP NOT NULL")
        stmts.append(f"ALTER TABLE {q} RENAME COLUMN {col} TO {ident(new)}")
        self.p.add(
            "COLUMN",
            change.key,
            "rename",
            f"Rename extra column {table}.{name} before drop (data preservation)",
            stmts,
            disturbs=[change.key, ("default", schema, table, name)],
            hazards=[KEPT],
        )
        self.p.cleanup.append(f"ALTER TABLE {q} DROP COLUMN IF EXISTS {ident(new)};")

    def _column_alter(self, change: Change) -> None:
        _, schema, table, name = change.key
        t = self.p.source_table(schema, table)
        old_table = self.p.target_table(schema, table)
        assert t is not None and old_table is not None
        c, old = t.column(name), old_table.column(name)
        assert c is not None and old is not None
        q = qualified(schema, table)
        col = ident(name)
        fields = set(change.fields)
        key = change.key
        default_key: Key = ("default", schema, table, name)
        label = f"{table}.{name}"

        if "generated" in fields and c.generated is not None:
            if old.generated is None:  # a stored column becomes computed: keep the old values
                self._column_drop(Change(action="drop", kind="column", key=key))
            else:
                self.p.add(
                    "COLUMN",
                    key,
                    "drop",
                    f"Drop generated column {label} (recomputed)",
                    [f"ALTER TABLE {q} DROP COLUMN {col}"],
                    disturbs=[key, default_key],
                )
            self.p.add(
                "COLUMN",
                key,
                "create",
                f"Add generated column {label}",
                [f"ALTER TABLE {q} ADD COLUMN {column_sql(c, schema)}"],
                provides=[key],
                hazards=[LOCK, REWRITE],
                seq=1,
            )
            return
        stmts: list[str] = []
        if "generated" in fields:  # computed → stored values
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP EXPRESSION")
        frees = []
        if "identity" in fields and old.identity and not c.identity:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP IDENTITY")
            if old.identity_sequence:  # its sequence goes: a serial may take the name
                frees.append((schema, old.identity_sequence))
        if stmts:
            self.p.add(
                "COLUMN", key, "alter", f"Change column {label}", stmts, disturbs=[key], frees=frees
            )
        retype = bool(fields & {"data_type", "collation"})
        if old.default is not None and (
            retype or ("default" in fields) or ("identity" in fields and c.identity)
        ):
            self.p.add(
                "COLUMN",
                default_key,
                "drop",
                f"Drop default of {label}",
                [f"ALTER TABLE {q} ALTER COLUMN {col} DROP DEFAULT"],
                disturbs=[default_key],
                seq=1,
            )
        if retype:
            collate = f" COLLATE {c.collation}" if c.collation else ""
            via = "::text" if self._enum_involved(old.data_type, c.data_type) else ""
            via += "[]" if via and c.data_type.endswith("[]") else ""
            self.p.add(
                "COLUMN",
                key,
                "alter",
                f"Change type of {label}",
                [
                    f"ALTER TABLE {q} ALTER COLUMN {col} TYPE {c.data_type}{collate} "
                    f"USING {col}{via}::{c.data_type}"
                ],
                check=("cast", schema, table, name, c.data_type),
                provides=[key],
                disturbs=[key],
                hazards=[LOCK, MAY_FAIL]
                + ([REWRITE] if rewrites(old.data_type, c.data_type) or collate else []),
                seq=2,
            )
        if c.default is not None and (retype or "default" in fields):
            self.p.add(
                "COLUMN",
                default_key,
                "alter",
                f"Set default of {label}",
                [f"ALTER TABLE {q} ALTER COLUMN {col} SET DEFAULT {c.default}"],
                provides=[default_key],
                seq=3,
            )
        stmts = []
        hazards: list[str] = []
        if "identity" in fields and c.identity:
            kind = "ALWAYS" if c.identity == "a" else "BY DEFAULT"
            if old.identity:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET GENERATED {kind}")
            else:
                if not old.not_null:
                    stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} ADD {identity_sql(c, schema)}")
        if (
            "identity_sequence" in fields
            and c.identity
            and old.identity
            and c.identity_sequence
            and old.identity_sequence
        ):
            stmts.append(
                f"ALTER SEQUENCE {qualified(schema, old.identity_sequence)} "
                f"RENAME TO {ident(c.identity_sequence)}"
            )
        if (
            "identity_options" in fields
            and c.identity
            and old.identity
            and c.identity_options
            and "data_type" not in fields
        ):
            sets = " ".join(identity_options(c.identity_options, "SET "))
            if old.identity_options and c.identity_options[2] > old.identity_options[0]:
                # the counter would sit below the new MINVALUE: start it again at START
                sets += f" RESTART WITH {c.identity_options[0]}"
                hazards.append(
                    "restarts the identity's counter: check it stays above the column's values"
                )
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} {sets}")
        disturbs: list[Key] = []
        check: tuple[str, ...] = ()
        if "not_null" in fields and not (c.identity and "identity" in fields):
            if c.not_null and self.p.online:
                self._not_null_online(schema, table, name)
            elif c.not_null:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
                hazards += [SCAN, MAY_FAIL]
                check = ("not_null", schema, table, name)
            elif not old.identity or "identity" in fields:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP NOT NULL")
                disturbs.append(key)  # after a primary key that holds it is dropped
        stmts += self._column_extras(t, c, old)
        if stmts:
            self.p.add(
                "COLUMN",
                key,
                "alter",
                f"Change column {label}",
                stmts,
                provides=[key],
                disturbs=disturbs,
                check=check,
                hazards=hazards,
                seq=4,
            )
        if "acl" in fields:
            self._privileges(
                "column", key, f"TABLE {q}", c.acl, old.acl, old_table.owner, columns=f" ({col})"
            )

    # -- constraints and indexes ----------------------------------------------------------

    def _existing(self, schema: str, table: str) -> bool:
        """Whether the table exists in the target before the script (so it may hold rows)."""
        return (
            self.p.target_table(schema, table) is not None
            and (schema, table) not in self.replaced_tables
        )

    def _constraint_check(self, con: Constraint) -> tuple[str, ...]:
        if not self._existing(con.schema_name, con.table):
            return ()
        if con.constraint_type in "pu":
            return ("unique", con.schema_name, con.table, "", *con.columns)
        if con.constraint_type == "c":
            expression = con.definition.removeprefix("CHECK ").removesuffix(" NOT VALID")
            return ("check", con.schema_name, con.table, expression)
        if con.constraint_type == "f" and con.ref_table and "NOT VALID" not in con.definition:
            return (
                "fk",
                con.schema_name,
                con.table,
                *con.ref_table,
                ",".join(con.columns),
                ",".join(con.ref_columns),
            )
        return ()

    def _constraint_create(self, change: Change) -> None:
        con: Constraint = self.p.src[change.key]
        q = qualified(con.schema_name, con.table)
        check = self._constraint_check(con)
        online = (
            self.p.online
            and con.constraint_type in "cf"
            and bool(check)
            and "NOT VALID" not in con.definition
        )
        definition = f"{con.definition} NOT VALID" if online else con.definition
        stmts = [f"ALTER TABLE {q} ADD CONSTRAINT {ident(con.name)} {definition}"]
        if con.comment is not None:
            stmts.append(self._comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment))
        hazards = [LOCK] if online else [LOCK, SCAN, MAY_FAIL]
        claims = (con.schema_name, con.name) if con.constraint_type in "pux" else None
        self.p.add(
            "CONSTRAINT",
            change.key,
            "create",
            f"Add missing constraint {con.name} on {con.table}"
            + (" (NOT VALID: validated in the online part)" if online else ""),
            stmts,
            provides=[change.key],
            hazards=hazards,
            claims=claims,
            check=() if online else check,
        )
        if online:
            self.p.add(
                "CONSTRAINT",
                change.key,
                "alter",
                f"Validate constraint {con.name} on {con.table}",
                [f"ALTER TABLE {q} VALIDATE CONSTRAINT {ident(con.name)}"],
                hazards=[SCAN, MAY_FAIL],
                check=check,
                online=True,
                seq=9,
            )

    def _constraint_drop(self, change: Change, recreate: bool = False) -> None:
        con: Constraint = self.p.tgt[change.key]
        q = qualified(con.schema_name, con.table)
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        self.p.add(
            "CONSTRAINT",
            change.key,
            "drop",
            f"Drop {why}constraint {con.name} on {con.table}{after}",
            [f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}"],
            disturbs=[change.key],
            frees=[(con.schema_name, con.name)],
        )

    def _constraint_alter(self, change: Change) -> None:
        con: Constraint = self.p.src[change.key]
        q = qualified(con.schema_name, con.table)
        self.p.add(
            "CONSTRAINT",
            change.key,
            "alter",
            f"Comment on constraint {con.name}",
            [self._comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment)],
        )

    def _index_check(self, idx: Index) -> tuple[str, ...]:
        if not idx.unique or not self._existing(idx.schema_name, idx.table):
            return ()
        if not idx.key_columns or "" in idx.key_columns:
            return ()  # an expression index: not counted
        return ("unique", idx.schema_name, idx.table, idx.predicate or "", *idx.key_columns)

    def _index_online(self, idx: Index) -> bool:
        """Non-unique indexes of tables that already hold rows are built CONCURRENTLY online."""
        return (
            self.p.online
            and not idx.unique
            and not idx.on_partitioned
            and self._existing(idx.schema_name, idx.table)
        )

    def _index_create(self, change: Change) -> None:
        idx: Index = self.p.src[change.key]
        q = qualified(idx.schema_name, idx.table)
        unique = "UNIQUE " if idx.unique else ""
        online = self._index_online(idx)
        if online and change.key in self.p.tgt:
            self._index_swap(idx)
            return
        concurrently = "CONCURRENTLY " if online else ""
        stmts = [f"CREATE {unique}INDEX {concurrently}{ident(idx.name)} ON {q} {idx.body}"]
        if idx.comment is not None:
            stmts.append(
                self._comment(f"INDEX {qualified(idx.schema_name, idx.name)}", idx.comment)
            )
        table_key: Key = ("table", idx.schema_name, idx.table, "")
        view_key: Key = ("view", idx.schema_name, idx.table, "")
        self.p.add(
            "INDEX",
            change.key,
            "create",
            f"Create missing index {idx.name} on {idx.table}",
            stmts,
            provides=[change.key],
            hazards=[] if online else ["takes a SHARE lock (blocks writes while it builds)"],
            claims=(idx.schema_name, idx.name),
            requires=[table_key, view_key],
            check=self._index_check(idx),
            online=online,
        )

    def _index_swap(self, idx: Index) -> None:
        """A changed index, online: build the new one under a temporary name, then swap."""
        q = qualified(idx.schema_name, idx.table)
        temporary = self.p.dropped(idx.name).replace("_dropped_", "_ddp_new_")
        self.p.add(
            "INDEX",
            ("index", idx.schema_name, idx.name, ""),
            "create",
            f"Rebuild changed index {idx.name} online under a new name, then swap",
            [
                f"CREATE INDEX CONCURRENTLY {ident(temporary)} ON {q} {idx.body}",
                f"DROP INDEX CONCURRENTLY {qualified(idx.schema_name, idx.name)}",
                f"ALTER INDEX {qualified(idx.schema_name, temporary)} RENAME TO {ident(idx.name)}",
            ],
            provides=[("index", idx.schema_name, idx.name, "")],
            online=True,
        )

    def _index_drop(self, change: Change, recreate: bool = False) -> None:
        idx: Index = self.p.tgt[change.key]
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        self.p.add(
            "INDEX",
            change.key,
            "drop",
            f"Drop {why}index {idx.name}{after}",
            [f"DROP INDEX {qualified(idx.schema_name, idx.name)}"],
            disturbs=[change.key],
            frees=[(idx.schema_name, idx.name)],
            hazards=[LOCK],
        )

    def _index_alter(self, change: Change) -> None:
        idx: Index = self.p.src[change.key]
        self.p.add(
            "INDEX",
            change.key,
            "alter",
            f"Comment on index {idx.name}",
            [self._comment(f"INDEX {qualified(idx.schema_name, idx.name)}", idx.comment)],
        )

    # -- functions ------------------------------------------------------------------------

    def _function_sql(self, f: Function) -> str:
        q = qualified(f.schema_name, f.name)
        if f.kind == "a":
            return f"CREATE AGGREGATE {q}({f.identity_args or '*'}) ({f.body})"
        word = "PROCEDURE" if f.kind == "p" else "FUNCTION"
        return f"CREATE OR REPLACE {word} {q}{f.body}"

    def _function_ref(self, f: Function, name: str | None = None) -> str:
        word = FUNCTION_WORD.get(f.kind, "FUNCTION")
        args = f.identity_args if f.kind != "a" or f.identity_args else "*"
        return f"{word} {qualified(f.schema_name, name or f.name)}({args})"

    def _function_create(self, change: Change) -> None:
        f: Function = self.p.src[change.key]
        stmts = [self._function_sql(f)]
        if f.comment is not None:
            stmts.append(self._comment(self._function_ref(f), f.comment))
        self.p.add(
            "FUNCTION/PROCEDURE",
            change.key,
            "create",
            f"Create missing {FUNCTION_WORD.get(f.kind, 'function').lower()} {f.signature}",
            stmts,
            provides=[change.key],
        )
        self._new_acl("function", change.key, self._function_ref(f), f.acl)

    def _function_drop(self, change: Change, recreate: bool = False) -> None:
        f: Function = self.p.tgt[change.key]
        if not recreate and change.key in self.p.reached:
            # A renamed function whose SQL body stands on a column that changes type would
            # block the change: drop it, and keep its text in the script for the record.
            self.p.add(
                "FUNCTION/PROCEDURE",
                change.key,
                "drop",
                f"Drop extra {f.signature}: its body stands on a column that changes "
                "(its definition is in the warnings above)",
                [f"DROP {self._function_ref(f)}"],
                disturbs=[change.key],
                hazards=[BEHAVIOUR],
            )
            self.p.warnings.append(
                f"dropped {f.signature}, which stood on a changed column; it was:\n"
                f"{self._function_sql(f)}"
            )
            return
        if recreate:
            self.p.add(
                "FUNCTION/PROCEDURE",
                change.key,
                "drop",
                f"Drop {f.signature} to recreate it (its signature or result changes)",
                [f"DROP {self._function_ref(f)}"],
                disturbs=[change.key],
            )
            return
        new = self.p.dropped(f.name)
        self.p.add(
            "FUNCTION/PROCEDURE",
            change.key,
            "rename",
            f"Rename extra {FUNCTION_WORD.get(f.kind, 'function').lower()} {f.signature} "
            "before drop (data preservation)",
            [f"ALTER {self._function_ref(f)} RENAME TO {ident(new)}"],
            disturbs=[change.key],
            hazards=[KEPT],
        )
        self.p.cleanup.append(f"DROP {self._function_ref(f, new)};")

    def _function_alter(self, change: Change) -> None:
        f: Function = self.p.src[change.key]
        tgt: Function = self.p.tgt[change.key]
        fields = set(change.fields)
        stmts = []
        if fields - COSMETIC:
            if f.kind == "a":
                self.rebuild(change.key)
                return
            stmts.append(self._function_sql(f))
        if "comment" in fields:
            stmts.append(self._comment(self._function_ref(f), f.comment))
        if stmts:
            self.p.add(
                "FUNCTION/PROCEDURE",
                change.key,
                "alter",
                f"Replace changed {f.signature}",
                stmts,
                provides=[change.key],
            )
        if "acl" in fields:
            self._privileges(
                "function", change.key, self._function_ref(f), f.acl, tgt.acl, tgt.owner
            )

    # -- triggers, views, policies --------------------------------------------------------

    def _trigger_create(self, change: Change) -> None:
        trig: Trigger = self.p.src[change.key]
        q = qualified(trig.schema_name, trig.table)
        stmts = [trig.definition]
        if trig.enabled != "O":
            stmts.append(f"ALTER TABLE {q} {TRIGGER_STATE[trig.enabled]} {ident(trig.name)}")
        if trig.comment is not None:
            stmts.append(self._comment(f"TRIGGER {ident(trig.name)} ON {q}", trig.comment))
        self.p.add(
            "TRIGGER",
            change.key,
            "create",
            f"Create missing trigger {trig.name} on {trig.table}",
            stmts,
            provides=[change.key],
            requires=[
                ("table", trig.schema_name, trig.table, ""),
                ("view", trig.schema_name, trig.table, ""),
            ],
        )

    def _trigger_drop(self, change: Change, recreate: bool = False) -> None:
        trig: Trigger = self.p.tgt[change.key]
        q = qualified(trig.schema_name, trig.table)
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        self.p.add(
            "TRIGGER",
            change.key,
            "drop",
            f"Drop {why}trigger {trig.name} on {trig.table}{after}",
            [f"DROP TRIGGER {ident(trig.name)} ON {q}"],
            disturbs=[change.key],
            hazards=[] if recreate else [BEHAVIOUR],
        )

    def _trigger_alter(self, change: Change) -> None:
        trig: Trigger = self.p.src[change.key]
        q = qualified(trig.schema_name, trig.table)
        stmts = []
        if "enabled" in change.fields:
            stmts.append(f"ALTER TABLE {q} {TRIGGER_STATE[trig.enabled]} {ident(trig.name)}")
        if "comment" in change.fields:
            stmts.append(self._comment(f"TRIGGER {ident(trig.name)} ON {q}", trig.comment))
        self.p.add("TRIGGER", change.key, "alter", f"Change trigger {trig.name}", stmts)

    def _view_create(self, change: Change) -> None:
        v: View = self.p.src[change.key]
        q = qualified(v.schema_name, v.name)
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        options = f" WITH ({', '.join(v.options)})" if v.options else ""
        body = v.definition.strip().rstrip(";")
        stmts = [f"CREATE {word} {q}{options} AS\n{body}"]
        if v.comment is not None:
            stmts.append(self._comment(f"{word} {q}", v.comment))
        for column, comment in v.column_comments:
            stmts.append(self._comment(f"COLUMN {q}.{ident(column)}", comment))
        self.p.add(
            "VIEW",
            change.key,
            "create",
            f"Create missing {word.lower()} {v.name}",
            stmts,
            provides=[change.key],
        )
        self._new_acl("view", change.key, f"TABLE {q}", v.acl)
        for column, acl in v.column_acls:
            self._privileges(
                "view",
                ("column", v.schema_name, v.name, column),
                f"TABLE {q}",
                acl,
                (),
                None,
                columns=f" ({ident(column)})",
            )

    def _view_drop(self, change: Change, recreate: bool = False) -> None:
        v: View = self.p.tgt[change.key]
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        self.p.add(
            "VIEW",
            change.key,
            "drop",
            f"Drop {why}{word.lower()} {v.name}{after}",
            [f"DROP {word} {qualified(v.schema_name, v.name)}"],
            disturbs=[change.key],
            frees=[(v.schema_name, v.name)],
        )

    def _view_alter(self, change: Change) -> None:
        v: View = self.p.src[change.key]
        tgt: View = self.p.tgt[change.key]
        q = qualified(v.schema_name, v.name)
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        stmts = []
        if "comment" in change.fields:
            stmts.append(self._comment(f"{word} {q}", v.comment))
        if "column_comments" in change.fields:
            old = dict(tgt.column_comments)
            new = dict(v.column_comments)
            for column in sorted(old.keys() | new.keys()):
                if old.get(column) != new.get(column):
                    stmts.append(self._comment(f"COLUMN {q}.{ident(column)}", new.get(column)))
        if stmts:
            self.p.add("VIEW", change.key, "alter", f"Comments on {v.name}", stmts)
        if "acl" in change.fields:
            self._privileges("view", change.key, f"TABLE {q}", v.acl, tgt.acl, tgt.owner)
        if "column_acls" in change.fields:
            old_acls, new_acls = dict(tgt.column_acls), dict(v.column_acls)
            for column in sorted(old_acls.keys() | new_acls.keys()):
                self._privileges(
                    "view",
                    ("column", v.schema_name, v.name, column),
                    f"TABLE {q}",
                    new_acls.get(column, ()),
                    old_acls.get(column, ()),
                    tgt.owner,
                    columns=f" ({ident(column)})",
                )

    def _policy_create(self, change: Change) -> None:
        pol: Policy = self.p.src[change.key]
        q = qualified(pol.schema_name, pol.table)
        command = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}[
            pol.command
        ]
        roles = ", ".join(r if r == "public" else r for r in pol.roles) or "public"
        sql = (
            f"CREATE POLICY {ident(pol.name)} ON {q} AS "
            f"{'PERMISSIVE' if pol.permissive else 'RESTRICTIVE'} FOR {command} TO {roles}"
        )
        if pol.using is not None:
            sql += f" USING ({pol.using})"
        if pol.check is not None:
            sql += f" WITH CHECK ({pol.check})"
        stmts = [sql]
        if pol.comment is not None:
            stmts.append(self._comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment))
        self.p.add(
            "POLICY",
            change.key,
            "create",
            f"Create missing policy {pol.name} on {pol.table}",
            stmts,
            provides=[change.key],
            requires=[("table", pol.schema_name, pol.table, "")],
        )

    def _policy_drop(self, change: Change, recreate: bool = False) -> None:
        pol: Policy = self.p.tgt[change.key]
        q = qualified(pol.schema_name, pol.table)
        self.p.add(
            "POLICY",
            change.key,
            "drop",
            f"Drop {'changed' if recreate else 'extra'} policy {pol.name} on {pol.table}",
            [f"DROP POLICY {ident(pol.name)} ON {q}"],
            disturbs=[change.key],
            hazards=[] if recreate else [BEHAVIOUR],
        )

    def _policy_alter(self, change: Change) -> None:
        pol: Policy = self.p.src[change.key]
        q = qualified(pol.schema_name, pol.table)
        self.p.add(
            "POLICY",
            change.key,
            "alter",
            f"Comment on policy {pol.name}",
            [self._comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment)],
        )


def _key(obj: Any) -> Key:
    return object_key(obj)
