"""The benchmark's layouts: the same generator, laid out as the shapes real databases take.

Each layout turns ``--tables N`` (and ``--changed``) into one deterministic script:

* ``public``: the base schema (see ``generate.py``) in schema public;
* ``schemas``: the same tables, functions, views, triggers and enums spread over seven schemas
  (views and foreign keys cross them, enums live apart from the tables that use them); the
  changed variant also drops an enum label, which rebuilds the type and every column on it;
* ``wide``: every table padded to 200+ columns (the changes then fall among them too);
* ``functions``: three small functions and two views per table on top of the base schema;
* ``partitions``: partitioned tables of 200 partitions each, N relations in all
  (``partitions.py``);
* ``cross``: the base schema in schema ``b`` (the target) and the changed one in schema ``a``
  (the source), both loaded into one database.

Layouts other than ``public`` and ``partitions`` reuse the base model and rewrite where its
objects live: every name the base writes as ``public.x`` is moved to the schema chosen for ``x``,
and the enums, which the base names without a schema, are found through the script's
``search_path``.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable

from shapes import Column, Function, Schema, View

#: The seven schemas of the ``schemas`` layout.
SCHEMAS = ("public", "sales", "billing", "ops", "crm", "people", "audit")
#: Schemas of the ``cross`` layout: the changed side and the base side, in one database.
CROSS_SOURCE, CROSS_TARGET = "a", "b"

FILLER_TYPES = (
    ("integer", "0", True),
    ("text", None, False),
    ("numeric(12,2)", None, False),
    ("timestamp with time zone", None, False),
    ("boolean", "false", True),
    ("bigint", None, False),
    ("varchar(64)", None, False),
    ("jsonb", None, False),
)


def home(name: str) -> str:
    """The schema an object of the ``schemas`` layout lives in (stable across variants)."""
    return SCHEMAS[zlib.crc32(name.encode()) % len(SCHEMAS)]


def pad_wide(s: Schema, seed: int) -> None:
    """Pad every table of fewer than 100 columns to 200-239 with plain filler columns, each
    table from an RNG of its own, so that a table is padded alike in both variants (the
    changed variant pads again after its changes, for the tables it added)."""
    for t in s.tables.values():
        if len(t.columns) >= 100:
            continue
        rng = random.Random(f"{seed}:{t.name}")
        for k in range(len(t.columns), rng.randint(200, 239)):
            typ, default, not_null = FILLER_TYPES[rng.randrange(len(FILLER_TYPES))]
            t.columns.append(Column(f"f{k:03d}", typ, "plain", not_null, default))


#: The small functions of the ``functions`` layout: (suffix, arguments, result, language and
#: volatility, body), ``{t}`` the table and ``{key}`` its key type. The ``SELECT count(*)`` body
#: is one the changed variant alters.
SMALL_FUNCTIONS = (
    (
        "recent",
        "p_since timestamp with time zone",
        "bigint",
        "sql STABLE",
        "    SELECT count(*) FROM public.{t} WHERE created_at >= p_since\n",
    ),
    (
        "exists",
        "p_id {key}",
        "boolean",
        "sql STABLE",
        "    SELECT EXISTS (SELECT 1 FROM public.{t} WHERE id = p_id)\n",
    ),
    (
        "age",
        "p_created timestamp with time zone",
        "interval",
        "plpgsql IMMUTABLE",
        "BEGIN\n    RETURN '2030-01-01 00:00:00+00'::timestamp with time zone - p_created;\nEND;\n",
    ),
)


def add_small_objects(s: Schema) -> None:
    """Three small functions and two views per table (the ``functions`` layout)."""
    for t in list(s.tables.values()):
        for suffix, args, result, language, body in SMALL_FUNCTIONS:
            name = f"{t.name}_{suffix}"
            s.functions[name] = Function(
                name,
                f"CREATE FUNCTION public.{name}({args.format(key=t.pk_type)}) RETURNS {result}\n"
                f"    LANGUAGE {language}\n    AS $$\n{body.format(t=t.name)}$$;\n",
                table=t.name,
            )
        for suffix, extra in (("ids", ""), ("stamps", ", t.created_at")):
            view = f"v_{t.name}_{suffix}"
            s.views[view] = View(
                view,
                f"CREATE VIEW public.{view} AS\n SELECT t.id,\n    t.id AS key{extra}\n"
                f"   FROM public.{t.name} t;\n",
                (t.name,),
            )


def drop_enum_label(s: Schema, rng: random.Random) -> str:
    """Drop the last label of an enum whose defaults do not use it: the type must be rebuilt."""
    name = rng.choice(sorted(e for e, labels in s.enums.items() if len(labels) >= 3))
    label = s.enums[name].pop()
    return f"drop enum label {name}.{label} (type rebuild)"


def relocate(sql: str, where: Callable[[str], str]) -> str:
    """``public.x`` becomes ``where(x).x`` everywhere in the script."""
    return re.sub(r"\bpublic\.(\w+)", lambda m: f"{where(m[1])}.{m[1]}", sql)


def schemas_homes(s: Schema) -> dict[str, str]:
    """Where each table, function, view and enum of the ``schemas`` layout lives: a table's
    functions and views with it, the shared trigger function in public, the rest by name."""
    homes = {name: home(name) for name in [*s.tables, *s.enums]}
    for f in s.functions.values():
        homes[f.name] = homes.get(f.table or "", "public")
    for v in s.views.values():
        homes[v.name] = homes[v.tables[0]]
    return homes


def prelude(schemas: tuple[str, ...]) -> str:
    """The script's first statements: its schemas, and the search path its enums are found on."""
    made = "".join(f"CREATE SCHEMA IF NOT EXISTS {x};\n" for x in schemas if x != "public")
    return made + f"SET search_path = {', '.join(schemas)};\n\n"


#: Every layout, in the order the report lists them.
LAYOUTS = ("public", "schemas", "wide", "functions", "partitions", "cross")
