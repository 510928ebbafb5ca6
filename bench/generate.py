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

The proportions follow a common scale reference: 10,000 tables ≈ 150k columns, 30k indexes,
7k triggers. ``--changed`` alters ~1-3 % of the objects of each kind: added / removed / altered
columns (type, default, nullability), added / removed indexes and checks, changed / added /
removed functions, views and triggers, added and removed tables, a new enum label, comments.
The base and changed outputs share every object that the changes do not touch, byte for byte.

The work is split by stage: ``shapes.py`` (the vocabulary and the model), ``builder.py`` (the
base schema), ``changes.py`` (the changed variant); this file renders the SQL.

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

from builder import Builder
from changes import apply_changes
from layouts import (
    CROSS_SOURCE,
    CROSS_TARGET,
    LAYOUTS,
    SCHEMAS,
    add_small_objects,
    drop_enum_label,
    pad_wide,
    prelude,
    relocate,
    schemas_homes,
)
from partitions import generate_partitions
from shapes import Schema, Table, q


def render_table(t: Table) -> list[str]:
    """A table's CREATE TABLE with its constraints, then its indexes, triggers and comments."""
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


def render(s: Schema, batch: int, header: list[str], prelude: str = "") -> str:
    """The whole script: ``header`` as comments, ``prelude``, then types, functions, tables,
    views, in transactions of ``batch`` tables (none when 0)."""
    out: list[str] = [f"-- {line}\n" for line in header]
    out.append("SET client_min_messages = warning;\nSET check_function_bodies = true;\n\n")
    out.append(prelude)
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
    for i, f in enumerate(late):
        if batch and i and i % (batch * 4) == 0:
            out += [commit, begin]
        out.append(f.sql)
    for i, v in enumerate(s.views.values()):
        if batch and i and i % (batch * 2) == 0:
            out += [commit, begin]
        out.append(v.sql)
        if v.comment:
            out.append(f"COMMENT ON VIEW public.{v.name} IS {q(v.comment)};\n")
    out.append(commit)
    return "".join(out)


def build(layout: str, n_tables: int, changed: bool, seed: int) -> tuple[Schema, list[str]]:
    """The model of a layout built on the base schema, and the list of its changes."""
    schema = Schema()
    b = Builder(random.Random(seed), schema)
    b.build(n_tables)
    if layout == "wide":
        pad_wide(schema, seed)
    if layout == "functions":
        add_small_objects(schema)
    log: list[str] = []
    if changed:
        if layout == "schemas":
            log.append(drop_enum_label(schema, random.Random(seed + 2)))
        b.rng = random.Random(seed * 7919 + 1)
        log += apply_changes(b, n_tables)
        if layout == "wide":
            pad_wide(schema, seed)
    return schema, log


def stats_line(schema: Schema) -> str:
    tables = schema.tables.values()
    return (
        f"{len(schema.tables)} tables, {sum(len(t.columns) for t in tables)} columns, "
        f"{sum(1 + len(t.uniques) + len(t.indexes) for t in tables)} indexes, "
        f"{sum(len(t.fks) for t in tables)} foreign keys, "
        f"{sum(len(t.checks) for t in tables)} checks, "
        f"{sum(len(t.triggers) for t in tables)} triggers, {len(schema.functions)} functions, "
        f"{len(schema.views)} views, {len(schema.enums)} enums"
    )


def generate(
    n_tables: int, changed: bool, seed: int, batch: int, layout: str = "public"
) -> tuple[str, list[str]]:
    """The script of a layout's base schema (or its changed variant) and the list of changes."""
    title = f"DDP benchmark schema: --layout {layout} --tables {n_tables} --seed {seed}" + (
        " --changed" if changed else ""
    )
    if layout == "partitions":
        body, log, stats = generate_partitions(n_tables, changed, seed, batch)
        header = [title, stats] + ([f"{len(log)} changes against the base"] if changed else [])
        head = "".join(f"-- {line}\n" for line in header)
        return head + "SET client_min_messages = warning;\n\n" + "".join(body), log
    schema, log = build(layout, n_tables, changed, seed)
    header = [title, stats_line(schema)]
    if changed:
        header.append(f"{len(log)} changes against the base")
    if layout == "schemas":
        homes = schemas_homes(schema)
        sql = render(schema, batch, header, prelude(SCHEMAS))
        return relocate(sql, lambda name: homes.get(name, "public")), log
    if layout == "cross":
        side = CROSS_SOURCE if changed else CROSS_TARGET
        sql = render(schema, batch, header, prelude((side,)))
        return relocate(sql, lambda _name: side), log
    return render(schema, batch, header), log


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tables", type=int, required=True, help="number of tables (N)")
    ap.add_argument("--changed", action="store_true", help="the variant with a few %% changes")
    ap.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="public",
        help="how the schema is laid out (see layouts.py; default: public, one schema)",
    )
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
    sql, log = generate(args.tables, args.changed, args.seed, args.batch, args.layout)
    sys.stdout.write(sql)
    if args.log:
        with open(args.log, "w") as fh:
            fh.write("\n".join(log) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
