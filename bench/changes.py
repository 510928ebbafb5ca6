"""The changed variant of a benchmark schema: a few percent of real differences of every kind
(``generate.py --changed``), made in place with the builder's RNG.
"""

from __future__ import annotations

from builder import Builder
from shapes import PLAIN_COLUMNS, Function


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
