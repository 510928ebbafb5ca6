#!/usr/bin/env python3
"""Deterministic generator of a realistic PostgreSQL schema of N tables, for the benchmark.

    python bench/generate.py --tables N [--changed] [--seed S] [--batch K] > file.sql

The base schema (and, with ``--changed``, a variant carrying a few percent of real differences)
is built as a model from a seeded RNG, then rendered as SQL for PostgreSQL 15 in schema public:

* enums; a shared ``set_updated_at()`` trigger function; per-table plpgsql trigger functions and
  plpgsql/sql helper functions;
* tables with ~15 columns of varied types (integer, bigint, smallint, text, varchar(n),
  numeric(p,s), double precision, date, timestamptz, jsonb, boolean, uuid, text[], enums),
  defaults, NOT NULL, identity / serial / bigserial / uuid primary keys, foreign keys to earlier
  tables, check constraints, unique constraints;
* indexes: on foreign keys, unique, partial (``WHERE deleted_at IS NULL``), expression
  (``lower(email)``), GIN on jsonb, composite;
* triggers (~0.7 per table), views (single-table and joins), comments on tables and columns.

The proportions follow the issue's scale reference: 10,000 tables ≈ 150k columns, 30k indexes,
7k triggers. ``--changed`` alters ~1-3 % of the objects of each kind: added / removed / altered
columns (type, default, nullability), added / removed indexes and checks, changed / added /
removed functions, views and triggers, added and removed tables, a new enum label, comments.
The base and changed outputs share every object that the changes do not touch, byte for byte.

Output goes to stdout. PostgreSQL's shared lock table (max_locks_per_transaction × max_connections,
6,400 slots by default) cannot hold the locks of thousands of new tables in one transaction, so
the script wraps every ``--batch`` tables (default 200) in its own ``BEGIN; ... COMMIT;``; load it
with ``psql -v ON_ERROR_STOP=1 -q -f file.sql``. With ``--batch 0`` no transaction control is
written and the file can be loaded with ``psql -1`` (only for small N).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field

NOUNS = (
    "account",
    "customer",
    "order",
    "invoice",
    "payment",
    "product",
    "shipment",
    "supplier",
    "warehouse",
    "employee",
    "department",
    "project",
    "task",
    "ticket",
    "message",
    "session",
    "device",
    "event",
    "subscription",
    "plan",
    "coupon",
    "review",
    "category",
    "tag",
    "address",
    "contract",
    "asset",
    "booking",
    "report",
    "document",
    "campaign",
    "lead",
    "note",
    "team",
)
ENUM_BASES = (
    ("status", ("draft", "active", "suspended", "archived", "deleted")),
    ("priority", ("low", "normal", "high", "urgent")),
    ("channel", ("web", "mobile", "email", "phone", "partner", "api")),
    ("currency_code", ("EUR", "USD", "GBP", "JPY", "CHF")),
    ("severity", ("debug", "info", "warning", "error", "critical")),
    ("visibility", ("private", "internal", "public")),
    ("lifecycle", ("new", "open", "in_progress", "blocked", "done")),
)

# (base name, type kind): the column vocabulary; names are made unique per table.
PLAIN_COLUMNS = (
    ("name", "varchar"),
    ("title", "varchar"),
    ("code", "varchar"),
    ("email", "varchar"),
    ("description", "text"),
    ("notes", "text"),
    ("body", "text"),
    ("label", "varchar"),
    ("quantity", "integer"),
    ("position", "integer"),
    ("attempts", "smallint"),
    ("total_count", "bigint"),
    ("external_ref", "bigint"),
    ("amount", "numeric"),
    ("price", "numeric"),
    ("ratio", "double"),
    ("weight", "numeric"),
    ("score", "double"),
    ("is_active", "boolean"),
    ("is_verified", "boolean"),
    ("archived", "boolean"),
    ("starts_on", "date"),
    ("ends_on", "date"),
    ("published_at", "timestamptz"),
    ("expires_at", "timestamptz"),
    ("last_seen_at", "timestamptz"),
    ("metadata", "jsonb"),
    ("settings", "jsonb"),
    ("payload", "jsonb"),
    ("public_id", "uuid"),
    ("token", "uuid"),
    ("tags", "text[]"),
    ("state", "enum"),
    ("kind", "enum"),
    ("level", "enum"),
)

PK_KINDS = ("identity", "identity_default", "serial", "bigserial", "uuid")
PK_FK_TYPE = {
    "identity": "bigint",
    "identity_default": "integer",
    "serial": "integer",
    "bigserial": "bigint",
    "uuid": "uuid",
}


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Column:
    name: str
    type: str
    kind: str  # pk, fk, plain, created_at, updated_at, deleted_at
    not_null: bool = False
    default: str | None = None
    comment: str | None = None
    pinned: bool = False  # referenced by a view, index, check or function: never dropped

    def render(self) -> str:
        parts = [f"    {self.name} {self.type}"]
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        if self.not_null:
            parts.append("NOT NULL")
        return " ".join(parts)


@dataclass
class Table:
    name: str
    noun: str
    pk_kind: str
    columns: list[Column] = field(default_factory=list)
    fks: list[tuple[str, str, str]] = field(default_factory=list)  # (column, ref table, action)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name, expression)
    uniques: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX ...)
    triggers: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE TRIGGER ...)
    comment: str | None = None

    def col(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def pk_type(self) -> str:
        return PK_FK_TYPE[self.pk_kind]


@dataclass
class Function:
    name: str
    sql: str
    table: str | None = None  # the table it belongs to (dropped with it)


@dataclass
class View:
    name: str
    sql: str
    tables: tuple[str, ...]
    comment: str | None = None


@dataclass
class Schema:
    enums: dict[str, list[str]] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Building the base schema


class Builder:
    def __init__(self, rng: random.Random, schema: Schema) -> None:
        self.rng = rng
        self.s = schema

    def enum_names(self) -> list[str]:
        return list(self.s.enums)

    def column_type(self, kind: str) -> tuple[str, str | None, bool]:
        """(SQL type, default or None, not null) for a vocabulary kind."""
        r = self.rng
        if kind == "varchar":
            n = r.choice((20, 50, 100, 255))
            return f"varchar({n})", (q("") if r.random() < 0.2 else None), r.random() < 0.4
        if kind == "text":
            return "text", None, r.random() < 0.2
        if kind == "integer":
            return "integer", ("0" if r.random() < 0.6 else None), r.random() < 0.5
        if kind == "smallint":
            return "smallint", "0", True
        if kind == "bigint":
            return "bigint", None, r.random() < 0.3
        if kind == "numeric":
            p, s = r.choice(((10, 2), (12, 4), (18, 6), (8, 3)))
            return f"numeric({p},{s})", ("0" if r.random() < 0.5 else None), r.random() < 0.5
        if kind == "double":
            return "double precision", None, False
        if kind == "boolean":
            return "boolean", r.choice(("false", "true")), True
        if kind == "date":
            return "date", ("CURRENT_DATE" if r.random() < 0.3 else None), False
        if kind == "timestamptz":
            return "timestamp with time zone", None, False
        if kind == "jsonb":
            return "jsonb", "'{}'::jsonb", r.random() < 0.6
        if kind == "uuid":
            return "uuid", ("gen_random_uuid()" if r.random() < 0.7 else None), r.random() < 0.5
        if kind == "text[]":
            return "text[]", "'{}'::text[]", False
        if kind == "enum":
            enum = r.choice(self.enum_names())
            labels = self.s.enums[enum]
            return (
                enum,
                (q(labels[0]) + "::" + enum if r.random() < 0.7 else None),
                r.random() < 0.5,
            )
        raise ValueError(kind)

    def add_plain_column(self, t: Table, base: str, kind: str) -> Column:
        name = base
        i = 2
        while t.has(name):
            name = f"{base}_{i}"
            i += 1
        typ, default, not_null = self.column_type(kind)
        c = Column(name, typ, "plain", not_null, default)
        if self.rng.random() < 0.08:
            c.comment = f"The {name.replace('_', ' ')} of the {t.noun}."
        t.columns.append(c)
        return c

    def build(self, n_tables: int) -> None:
        r = self.rng
        n_enums = 5 + n_tables // 500
        for i in range(n_enums):
            base, labels = ENUM_BASES[i % len(ENUM_BASES)]
            name = base if i < len(ENUM_BASES) else f"{base}_{i // len(ENUM_BASES)}"
            k = r.randint(3, len(labels))
            self.s.enums[name] = list(labels[:k])
        self.s.functions["set_updated_at"] = Function(
            "set_updated_at",
            "CREATE FUNCTION public.set_updated_at() RETURNS trigger\n"
            "    LANGUAGE plpgsql\n    AS $$\nBEGIN\n    NEW.updated_at := now();\n"
            "    RETURN NEW;\nEND;\n$$;\n",
        )
        for i in range(1, n_tables + 1):
            self.add_table(i)
        self.add_views()

    def add_table(self, i: int, prefix: str = "") -> Table:
        r = self.rng
        noun = r.choice(NOUNS)
        name = f"{prefix}{noun}_{i:05d}"
        pk_kind = r.choice(PK_KINDS)
        t = Table(name, noun, pk_kind)
        pk_type = {
            "identity": "bigint GENERATED ALWAYS AS IDENTITY",
            "identity_default": "integer GENERATED BY DEFAULT AS IDENTITY",
            "serial": "serial",
            "bigserial": "bigserial",
            "uuid": "uuid DEFAULT gen_random_uuid()",
        }[pk_kind]
        t.columns.append(Column("id", pk_type, "pk", pinned=True))
        earlier = list(self.s.tables.values())
        # Foreign keys to earlier tables: 0-3, weighted towards 1.
        n_fk = 0 if not earlier else r.choices((0, 1, 2, 3), (25, 45, 22, 8))[0]
        for _ in range(n_fk):
            ref = r.choice(earlier[-400:]) if r.random() < 0.7 else r.choice(earlier)
            col = f"{ref.noun}_id"
            j = 2
            while t.has(col):
                col = f"{ref.noun}_id_{j}"
                j += 1
            not_null = r.random() < 0.6
            t.columns.append(Column(col, ref.pk_type, "fk", not_null, pinned=True))
            action = r.choice(("NO ACTION", "CASCADE", "SET NULL" if not not_null else "RESTRICT"))
            t.fks.append((col, ref.name, action))
        # Plain columns: 7-15.
        for base, kind in r.sample(PLAIN_COLUMNS, r.randint(7, 15)):
            self.add_plain_column(t, base, kind)
        t.columns.append(
            Column(
                "created_at", "timestamp with time zone", "created_at", True, "now()", pinned=True
            )
        )
        if r.random() < 0.55:
            t.columns.append(
                Column(
                    "updated_at",
                    "timestamp with time zone",
                    "updated_at",
                    True,
                    "now()",
                    pinned=True,
                )
            )
        if r.random() < 0.3:
            t.columns.append(
                Column("deleted_at", "timestamp with time zone", "deleted_at", pinned=True)
            )
        if r.random() < 0.5:
            t.comment = f"{noun.capitalize()} records of shard {i}."
        self.add_checks(t)
        self.add_indexes(t)
        self.add_functions_and_triggers(t)
        self.s.tables[name] = t
        return t

    def add_checks(self, t: Table) -> None:
        r = self.rng
        for c in t.columns:
            if c.kind != "plain" or r.random() > 0.25:
                continue
            expr = None
            if c.type.startswith(("numeric", "integer", "smallint", "bigint")):
                expr = f"({c.name} >= 0)"
            elif c.type.startswith("varchar") or c.type == "text":
                expr = f"(length({c.name}) > 0)" if r.random() < 0.5 else f"({c.name} <> '')"
            if expr:
                c.pinned = True
                t.checks.append((f"{t.name}_{c.name}_check", expr))
        if t.has("starts_on") and t.has("ends_on") and r.random() < 0.7:
            t.col("starts_on").pinned = t.col("ends_on").pinned = True
            t.checks.append((f"{t.name}_period_check", "(ends_on IS NULL OR ends_on >= starts_on)"))

    def add_indexes(self, t: Table) -> None:
        r = self.rng
        for col, _, _ in t.fks:
            if r.random() < 0.7:
                t.indexes.append(
                    (
                        f"{t.name}_{col}_idx",
                        f"CREATE INDEX {t.name}_{col}_idx ON public.{t.name} USING btree ({col});",
                    )
                )
        plain = [c for c in t.columns if c.kind == "plain"]
        if t.has("code") and r.random() < 0.6:
            t.col("code").pinned = True
            t.uniques.append((f"{t.name}_code_key", ("code",)))
        if t.has("email") and r.random() < 0.7:
            t.col("email").pinned = True
            t.indexes.append(
                (
                    f"{t.name}_lower_email_idx",
                    f"CREATE UNIQUE INDEX {t.name}_lower_email_idx ON public.{t.name} "
                    f"USING btree (lower((email)::text));",
                )
            )
        if t.has("deleted_at") and r.random() < 0.8:
            c = r.choice(plain)
            c.pinned = True
            t.indexes.append(
                (
                    f"{t.name}_{c.name}_live_idx",
                    f"CREATE INDEX {t.name}_{c.name}_live_idx ON public.{t.name} USING btree "
                    f"({c.name}) WHERE (deleted_at IS NULL);",
                )
            )
        jsonb = [c for c in plain if c.type == "jsonb"]
        if jsonb and r.random() < 0.3:
            c = jsonb[0]
            c.pinned = True
            t.indexes.append(
                (
                    f"{t.name}_{c.name}_gin",
                    f"CREATE INDEX {t.name}_{c.name}_gin ON public.{t.name} USING gin ({c.name});",
                )
            )
        if r.random() < 0.5:
            c = r.choice([c for c in plain if c.type not in ("jsonb", "text[]")] or plain)
            if c.type not in ("jsonb", "text[]"):
                c.pinned = True
                t.indexes.append(
                    (
                        f"{t.name}_{c.name}_created_idx",
                        f"CREATE INDEX {t.name}_{c.name}_created_idx ON public.{t.name} "
                        f"USING btree ({c.name}, created_at DESC);",
                    )
                )
        if len(plain) >= 2 and r.random() < 0.2:
            scalar = [c for c in plain if c.type not in ("jsonb", "text[]")]
            if len(scalar) >= 2:
                a, b = scalar[:2]
                a.pinned = b.pinned = True
                t.uniques.append((f"{t.name}_{a.name}_{b.name}_key", (a.name, b.name)))

    def add_functions_and_triggers(self, t: Table) -> None:
        r = self.rng
        if t.has("updated_at") and r.random() < 0.9:
            trg = f"{t.name}_set_updated_at"
            t.triggers.append(
                (
                    trg,
                    f"CREATE TRIGGER {trg} BEFORE UPDATE ON public.{t.name} FOR EACH ROW "
                    f"EXECUTE FUNCTION public.set_updated_at();",
                )
            )
        if r.random() < 0.22:
            fn = f"{t.name}_validate"
            checks = []
            for c in t.columns:
                if c.kind == "plain" and c.type.startswith(("numeric", "integer", "bigint")):
                    c.pinned = True
                    checks.append(
                        f"    IF NEW.{c.name} IS NOT NULL AND NEW.{c.name} < 0 THEN\n"
                        f"        RAISE EXCEPTION '{c.name} must not be negative';\n    END IF;\n"
                    )
                    if len(checks) == 2:
                        break
            body = "".join(checks) or "    PERFORM 1;\n"
            self.s.functions[fn] = Function(
                fn,
                f"CREATE FUNCTION public.{fn}() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\n"
                f"BEGIN\n{body}    RETURN NEW;\nEND;\n$$;\n",
                table=t.name,
            )
            when = r.choice(("INSERT OR UPDATE", "INSERT", "UPDATE"))
            t.triggers.append(
                (
                    f"{t.name}_validate_trg",
                    f"CREATE TRIGGER {t.name}_validate_trg BEFORE {when} ON public.{t.name} "
                    f"FOR EACH ROW EXECUTE FUNCTION public.{fn}();",
                )
            )
        if r.random() < 0.06:
            fn = f"{t.name}_count_since"
            if r.random() < 0.5:
                sql = (
                    f"CREATE FUNCTION public.{fn}(p_since timestamp with time zone) "
                    f"RETURNS bigint\n    LANGUAGE plpgsql STABLE\n    AS $$\nDECLARE\n"
                    f"    result bigint;\nBEGIN\n    SELECT count(*) INTO result"
                    f" FROM public.{t.name} WHERE created_at >= p_since;\n"
                    f"    RETURN result;\nEND;\n$$;\n"
                )
            else:
                sql = (
                    f"CREATE FUNCTION public.{fn}(p_since timestamp with time zone) "
                    f"RETURNS bigint\n    LANGUAGE sql STABLE\n    AS $$\n"
                    f"    SELECT count(*) FROM public.{t.name} WHERE created_at >= p_since\n$$;\n"
                )
            self.s.functions[fn] = Function(fn, sql, table=t.name)

    def add_views(self) -> None:
        r = self.rng
        for t in list(self.s.tables.values()):
            if r.random() < 0.10:
                self.add_view_for(t)

    def add_view_for(self, t: Table, suffix: str = "") -> View | None:
        r = self.rng
        plain = [c for c in t.columns if c.kind == "plain"]
        cols = r.sample(plain, min(len(plain), r.randint(2, 5)))
        for c in cols:
            c.pinned = True
        select = ", ".join(f"t.{c.name}" for c in cols)
        tables: tuple[str, ...] = (t.name,)
        if t.fks and r.random() < 0.35:
            col, ref_name, _ = t.fks[0]
            ref = self.s.tables[ref_name]
            name = f"v_{t.name}_with_{ref.noun}{suffix}"
            sql = (
                f"CREATE VIEW public.{name} AS\n SELECT t.id, {select}, p.id AS {ref.noun}_id, "
                f"p.created_at AS {ref.noun}_created_at\n   FROM (public.{t.name} t\n"
                f"     JOIN public.{ref.name} p ON ((p.id = t.{col})));\n"
            )
            tables = (t.name, ref.name)
        else:
            name = f"v_{t.name}_recent{suffix}"
            where = (
                "t.deleted_at IS NULL"
                if t.has("deleted_at")
                else "t.created_at > (now() - '30 days'::interval)"
            )
            sql = (
                f"CREATE VIEW public.{name} AS\n SELECT t.id, {select}, t.created_at\n"
                f"   FROM public.{t.name} t\n  WHERE ({where});\n"
            )
        if name in self.s.views:
            return None
        v = View(name, sql, tables, f"Recent {t.noun} rows." if r.random() < 0.4 else None)
        self.s.views[name] = v
        return v


# ---------------------------------------------------------------------------------------------
# The changed variant: a few percent of real differences


def apply_changes(b: Builder, n_tables: int) -> list[str]:
    """Mutate the schema in place with ``b.rng``; returns a short log of what changed."""
    s, r = b.s, b.rng
    log: list[str] = []

    def pick(items: list, share: float, minimum: int = 1) -> list:
        k = min(len(items), max(minimum, round(len(items) * share)))
        return r.sample(items, k)

    tables = list(s.tables.values())

    # Removed tables: leaves only (no foreign key into them, no view over them).
    referenced = {ref for t in tables for _, ref, _ in t.fks}
    in_views = {name for v in s.views.values() for name in v.tables}
    leaves = [t for t in tables if t.name not in referenced and t.name not in in_views]
    for t in pick(leaves, 0.005 * n_tables / max(len(leaves), 1)):
        del s.tables[t.name]
        for fn in [f.name for f in s.functions.values() if f.table == t.name]:
            del s.functions[fn]
        log.append(f"drop table {t.name}")
    tables = list(s.tables.values())

    # Added columns.
    for t in pick(tables, 0.02):
        base, kind = r.choice(PLAIN_COLUMNS)
        c = b.add_plain_column(t, f"{base}_new", kind)
        log.append(f"add column {t.name}.{c.name}")
    # Removed columns (unreferenced plain ones).
    for t in pick(tables, 0.01):
        free = [c for c in t.columns if c.kind == "plain" and not c.pinned]
        if free:
            c = r.choice(free)
            t.columns.remove(c)
            log.append(f"drop column {t.name}.{c.name}")
    # Altered columns: type, default, nullability.
    for t in pick(tables, 0.015):
        cands = [
            c
            for c in t.columns
            if c.kind == "plain"
            and (c.type.startswith("varchar") or c.type in ("integer", "smallint"))
        ]
        if cands:
            c = r.choice(cands)
            old = c.type
            if c.type.startswith("varchar"):
                c.type = f"varchar({int(c.type[8:-1]) * 2})"
            else:
                c.type = "bigint"
            log.append(f"alter column {t.name}.{c.name} type {old} -> {c.type}")
    for t in pick(tables, 0.01):
        cands = [
            c
            for c in t.columns
            if c.kind == "plain"
            and (c.type in ("integer", "smallint") or c.type.startswith("numeric"))
        ]
        if cands:
            c = r.choice(cands)
            c.default = "1" if c.default in (None, "0") else None
            log.append(f"alter column {t.name}.{c.name} default -> {c.default}")
    for t in pick(tables, 0.008):
        cands = [c for c in t.columns if c.kind == "plain" and c.default is not None]
        if cands:
            c = r.choice(cands)
            c.not_null = not c.not_null
            log.append(f"alter column {t.name}.{c.name} not null -> {c.not_null}")
    # Indexes: removed and added.
    for t in pick([t for t in tables if t.indexes], 0.01):
        name, _ = t.indexes.pop(r.randrange(len(t.indexes)))
        log.append(f"drop index {name}")
    for t in pick(tables, 0.01):
        cands = [c for c in t.columns if c.kind == "plain" and c.type not in ("jsonb", "text[]")]
        if cands:
            c = r.choice(cands)
            name = f"{t.name}_{c.name}_bench_idx"
            c.pinned = True
            t.indexes.append(
                (
                    name,
                    f"CREATE INDEX {name} ON public.{t.name} USING btree "
                    f"({c.name}) WHERE ({c.name} IS NOT NULL);",
                )
            )
            log.append(f"add index {name}")
    # Checks: one added, one removed on a few tables.
    for t in pick([t for t in tables if t.checks], 0.005):
        name, _ = t.checks.pop(0)
        log.append(f"drop check {name}")
    for t in pick(tables, 0.005):
        t.checks.append(
            (
                f"{t.name}_created_check",
                "(created_at > '2000-01-01 00:00:00+00'::timestamp with time zone)",
            )
        )
        log.append(f"add check {t.name}_created_check")
    # Functions: changed bodies, a few added and removed (with their triggers).
    fns = [f for f in s.functions.values() if f.table]
    for f in pick(fns, 0.04):
        f.sql = f.sql.replace("BEGIN\n", "BEGIN\n    -- changed in the source\n", 1).replace(
            "    SELECT count(*)", "    SELECT count(*) + 0", 1
        )
        log.append(f"change function {f.name}")
    for f in pick([f for f in fns if f.name.endswith("_validate")], 0.01):
        t = s.tables[f.table]
        t.triggers = [x for x in t.triggers if f.name + "()" not in x[1]]
        del s.functions[f.name]
        log.append(f"drop function {f.name} and its trigger")
    for t in pick(tables, 0.005):
        fn = f"{t.name}_touch"
        s.functions[fn] = Function(
            fn,
            f"CREATE FUNCTION public.{fn}(p_id {t.pk_type}) RETURNS void\n"
            f"    LANGUAGE plpgsql\n    AS $$\nBEGIN\n    UPDATE public.{t.name} SET created_at"
            f" = created_at WHERE id = p_id;\nEND;\n$$;\n",
            table=t.name,
        )
        log.append(f"add function {fn}")
    # Triggers: a few removed, a few added.
    for t in pick([t for t in tables if t.triggers], 0.005):
        name, _ = t.triggers.pop()
        log.append(f"drop trigger {name}")
    for t in pick([t for t in tables if t.has("updated_at") and not t.triggers], 0.02):
        trg = f"{t.name}_set_updated_at"
        t.triggers.append(
            (
                trg,
                f"CREATE TRIGGER {trg} BEFORE UPDATE ON public.{t.name} FOR EACH "
                f"ROW EXECUTE FUNCTION public.set_updated_at();",
            )
        )
        log.append(f"add trigger {trg}")
    # Views: changed, removed, added.
    views = list(s.views.values())
    for v in pick(views, 0.03):
        v.sql = v.sql.replace(" SELECT t.id,", " SELECT t.id,\n    (t.id)::text AS id_text,", 1)
        log.append(f"change view {v.name}")
    for v in pick(views, 0.01):
        del s.views[v.name]
        log.append(f"drop view {v.name}")
    for t in pick(tables, 0.01):
        v = b.add_view_for(t, suffix="_v2")
        if v:
            log.append(f"add view {v.name}")
    # Comments.
    for t in pick(tables, 0.01):
        t.comment = f"{t.noun.capitalize()} records (revised)."
        log.append(f"change comment {t.name}")
    # An enum gains a label (at the end: ALTER TYPE ... ADD VALUE can do it).
    enum = r.choice(list(s.enums))
    s.enums[enum].append("extra")
    log.append(f"add enum label {enum}.extra")
    # Added tables, with foreign keys to existing ones.
    for k in range(max(1, round(n_tables * 0.01))):
        t = b.add_table(n_tables + k + 1, prefix="new_")
        log.append(f"add table {t.name}")
    return log


# ---------------------------------------------------------------------------------------------
# Rendering


def render_table(t: Table) -> list[str]:
    lines = [c.render() for c in t.columns]
    lines[0] += " PRIMARY KEY"
    for name, cols in t.uniques:
        lines.append(f"    CONSTRAINT {name} UNIQUE ({', '.join(cols)})")
    for name, expr in t.checks:
        lines.append(f"    CONSTRAINT {name} CHECK {expr}")
    for col, ref, action in t.fks:
        on_delete = "" if action == "NO ACTION" else f" ON DELETE {action}"
        lines.append(
            f"    CONSTRAINT {t.name}_{col}_fkey FOREIGN KEY ({col}) "
            f"REFERENCES public.{ref}(id){on_delete}"
        )
    out = [f"CREATE TABLE public.{t.name} (\n" + ",\n".join(lines) + "\n);\n"]
    out += [sql + "\n" for _, sql in t.indexes]
    out += [sql + "\n" for _, sql in t.triggers]
    if t.comment:
        out.append(f"COMMENT ON TABLE public.{t.name} IS {q(t.comment)};\n")
    for c in t.columns:
        if c.comment:
            out.append(f"COMMENT ON COLUMN public.{t.name}.{c.name} IS {q(c.comment)};\n")
    return out


def render(s: Schema, batch: int, header: list[str]) -> str:
    out: list[str] = [f"-- {line}\n" for line in header]
    out.append("SET client_min_messages = warning;\nSET check_function_bodies = true;\n\n")
    begin, commit = ("BEGIN;\n", "COMMIT;\n\n") if batch else ("", "")
    out.append(begin)
    for name, labels in s.enums.items():
        out.append(f"CREATE TYPE public.{name} AS ENUM ({', '.join(q(x) for x in labels)});\n")
    # Functions first: plpgsql bodies are checked for syntax only; sql bodies name their table,
    # so those come after the tables.
    late = []
    for f in s.functions.values():
        if "LANGUAGE sql" in f.sql:
            late.append(f)
        else:
            out.append(f.sql)
    out.append(commit)
    for i, t in enumerate(s.tables.values()):
        if batch and i % batch == 0:
            out.append(begin)
        out += render_table(t)
        if batch and (i % batch == batch - 1 or i == len(s.tables) - 1):
            out.append(commit)
    out.append(begin)
    for f in late:
        out.append(f.sql)
    for i, v in enumerate(s.views.values()):
        if batch and i and i % (batch * 2) == 0:
            out += [commit, begin]
        out.append(v.sql)
        if v.comment:
            out.append(f"COMMENT ON VIEW public.{v.name} IS {q(v.comment)};\n")
    out.append(commit)
    return "".join(out)


def generate(n_tables: int, changed: bool, seed: int, batch: int) -> tuple[str, list[str]]:
    schema = Schema()
    b = Builder(random.Random(seed), schema)
    b.build(n_tables)
    log: list[str] = []
    if changed:
        b.rng = random.Random(seed * 7919 + 1)
        log = apply_changes(b, n_tables)
    tables = schema.tables.values()
    stats = (
        f"{len(schema.tables)} tables, {sum(len(t.columns) for t in tables)} columns, "
        f"{sum(1 + len(t.uniques) + len(t.indexes) for t in tables)} indexes, "
        f"{sum(len(t.fks) for t in tables)} foreign keys, "
        f"{sum(len(t.checks) for t in tables)} checks, "
        f"{sum(len(t.triggers) for t in tables)} triggers, {len(schema.functions)} functions, "
        f"{len(schema.views)} views, {len(schema.enums)} enums"
    )
    header = [
        f"DDP benchmark schema: --tables {n_tables} --seed {seed}"
        + (" --changed" if changed else ""),
        stats,
    ]
    if changed:
        header.append(f"{len(log)} changes against the base")
    return render(schema, batch, header), log


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tables", type=int, required=True, help="number of tables (N)")
    ap.add_argument("--changed", action="store_true", help="the variant with a few %% changes")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--batch",
        type=int,
        default=200,
        help="tables per BEGIN/COMMIT block (0: no transaction control)",
    )
    ap.add_argument("--log", metavar="FILE", help="with --changed: write the list of changes here")
    args = ap.parse_args(argv)
    if args.tables < 1:
        ap.error("--tables must be at least 1")
    sql, log = generate(args.tables, args.changed, args.seed, args.batch)
    sys.stdout.write(sql)
    if args.log:
        with open(args.log, "w") as fh:
            fh.write("\n".join(log) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
