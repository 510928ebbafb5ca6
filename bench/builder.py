"""The base schema of the benchmark, built from a seeded RNG (see ``generate.py`` for its
proportions): enums, tables with their columns, keys, checks, indexes, trigger functions and
triggers, then views over some of them.
"""

from __future__ import annotations

import random

from shapes import (
    ENUM_BASES,
    NOUNS,
    PK_KINDS,
    PLAIN_COLUMNS,
    Column,
    Function,
    Schema,
    Table,
    View,
    q,
)


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
        pk_kind = r.choice(tuple(PK_KINDS))
        t = Table(name, noun, pk_kind)
        t.columns.append(Column("id", PK_KINDS[pk_kind][0], "pk", pinned=True))
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
