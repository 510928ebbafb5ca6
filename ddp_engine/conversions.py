"""What a column type change does to the values: the conversion it takes and what to count.

A type change converts the way PostgreSQL converts on assignment (``ALTER ... TYPE t`` with no
USING) wherever an assignment or implicit cast exists: then a varchar, char or varbit value
that does not fit is an error, not a silent truncation. Only where no such cast exists does
the script say ``USING col::t`` (an explicit cast), or go through text when there is no cast
at all (enum to enum, tsrange to tstzrange).

Which cast exists is the target server's business (its pg_cast, its types): ``read_modes``
asks it once per plan, for every type change at once, and decides the way the parser's
``find_coercion_pathway`` does (same base type, a pg_cast row and its context, element types of
arrays, I/O conversion to and from string types).

The data checks count, under the very expression the script runs, the rows whose value would
fail and those whose value would change (converted, cast back, compared with the original).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

import psycopg

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sqltext import ident, literal, qualified

#: How a type change converts: "assign" (no USING), "explicit" (USING col::t), "text" (USING
#: col::text::t, between types of one kind: enums, ranges); "none" where no cast exists
#: between types of different kinds (bigint to timestamp: the text of one is no value of the
#: other, so the values are not carried without a conversion from the user); "unknown" when
#: the target cannot tell (a type the script creates).
Mode = Literal["assign", "explicit", "text", "none", "unknown"]
#: How a converted value is compared with the original: "eq" (pg_catalog's = of the old type),
#: "text" (their text forms: types without a catalog =), "json" (duplicate keys: json → jsonb).
Compare = Literal["eq", "text", "json"]


class Conversion(NamedTuple):
    """What the target says about converting ``old`` to ``new``."""

    mode: Mode
    compare: Compare


UNKNOWN = Conversion("unknown", "text")
#: A change of collation alone: the values stay as they are.
SAME = Conversion("assign", "eq")

_TYPES = """
WITH RECURSIVE base(name, oid) AS (
  SELECT t.name, pg_catalog.to_regtype(t.name)::pg_catalog.oid
  FROM pg_catalog.unnest(%s::pg_catalog.text[]) AS t(name)
  UNION ALL  -- a domain converts as its base type (then is checked): down to a type that is not
  SELECT b.name, d.typbasetype FROM base AS b
  JOIN pg_catalog.pg_type AS d ON d.oid OPERATOR(pg_catalog.=) b.oid
  WHERE d.typtype OPERATOR(pg_catalog.=) 'd'
)
SELECT b.name, t.oid, t.typcategory, t.typtype, e.oid, e.typcategory,
       EXISTS (SELECT FROM pg_catalog.pg_operator AS o
               WHERE o.oprname OPERATOR(pg_catalog.=) '='
                 AND o.oprnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
                 AND o.oprleft OPERATOR(pg_catalog.=) t.oid
                 AND o.oprright OPERATOR(pg_catalog.=) t.oid)
FROM base AS b
JOIN pg_catalog.pg_type AS t ON t.oid OPERATOR(pg_catalog.=) b.oid
LEFT JOIN pg_catalog.pg_type AS e
  ON e.oid OPERATOR(pg_catalog.=) t.typelem AND t.typcategory OPERATOR(pg_catalog.=) 'A'
WHERE t.typtype OPERATOR(pg_catalog.<>) 'd'
"""

_CASTS = """
SELECT c.castsource, c.casttarget, c.castcontext FROM pg_catalog.pg_cast AS c
WHERE c.castsource OPERATOR(pg_catalog.=) ANY (%s::pg_catalog.oid[])
  AND c.casttarget OPERATOR(pg_catalog.=) ANY (%s::pg_catalog.oid[])
"""


class _Type(NamedTuple):
    oid: int  # the base type's (a domain converts as its base type, then is checked)
    category: str
    kind: str  # typtype
    element: int | None
    element_category: str | None
    has_eq: bool


def read_modes(
    conn: psycopg.Connection, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Conversion]:
    """The conversion of each (old type, new type) pair, as the target server would do it."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    names = sorted({name for pair in pairs for name in pair})
    types: dict[str, _Type] = {}
    for name, oid, category, kind, element, element_category, has_eq in conn.execute(
        _TYPES, (names,)
    ):
        types[name] = _Type(oid, category, kind, element, element_category, has_eq)
    oids = sorted(
        {t.oid for t in types.values()} | {t.element for t in types.values() if t.element}
    )
    casts: dict[tuple[int, int], str] = {
        (source, target): context for source, target, context in conn.execute(_CASTS, (oids, oids))
    }
    categories: dict[int, str | None] = {t.oid: t.category for t in types.values()}
    categories |= {t.element: t.element_category for t in types.values() if t.element}
    out = {}
    for old, new in pairs:
        a, b = types.get(old), types.get(new)
        if a is None or b is None:
            out[(old, new)] = UNKNOWN
            continue
        mode: Mode
        if _pathway(a, b, casts, categories, "a"):
            mode = "assign"
        elif _pathway(a, b, casts, categories, "e"):
            mode = "explicit"
        elif _kind(a, categories) == _kind(b, categories):
            mode = "text"
        else:
            mode = "none"
        out[(old, new)] = Conversion(mode, _compare(a, b))
    return out


class TargetConversions:
    """Asks the target, in one short read-only transaction, how the plan's type changes
    convert (read_modes) and which TimeZone it uses; only when there are any."""

    def __init__(self, settings: ConnectionSettings, limits: SessionLimits | None = None) -> None:
        self.settings = settings
        self.limits = limits
        self.time_zone: str | None = None

    def __call__(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Conversion]:
        if not pairs:
            return {}
        with connect(self.settings, "target", self.limits) as conn:
            conn.read_only = True
            modes = read_modes(conn, pairs)
            row = conn.execute("SELECT pg_catalog.current_setting('TimeZone')").fetchone()
            self.time_zone = row[0] if row else None
            conn.rollback()
        return modes


def _kind(t: _Type, categories: dict[int, str | None]) -> str | None:
    """A type's category, an array's that of its elements: what a text form can carry."""
    return categories.get(t.element) if t.element else t.category


def _compare(old: _Type, new: _Type) -> Compare:
    if old.oid == 114 and new.oid == 3802:  # json → jsonb: json has no =, jsonb drops keys
        return "json"
    if old.has_eq or old.kind in ("e", "r") or (old.category == "A" and old.element):
        return "eq"
    return "text"


def _pathway(
    old: _Type | tuple[int, str | None],
    new: _Type | tuple[int, str | None],
    casts: dict[tuple[int, int], str],
    categories: dict[int, str | None],
    level: str,
) -> bool:
    """Whether PostgreSQL finds a coercion from ``old`` to ``new`` at ``level`` ("a":
    assignment, "e": explicit), as parse_coerce.c's find_coercion_pathway does."""
    source, target = old[0], new[0]
    if source == target:
        return True
    context = casts.get((source, target))
    if context is not None:
        return context in "ia" or level == "e"
    if isinstance(old, _Type) and isinstance(new, _Type) and old.element and new.element:
        elements = (old.element, categories.get(old.element))
        if _pathway(elements, (new.element, categories.get(new.element)), casts, categories, level):
            return True
    if categories.get(target) == "S":
        return True  # I/O conversion to a string type: an assignment cast
    return level == "e" and categories.get(source) == "S"


def using(column: str, new_type: str, conversion: Conversion, via_text: bool) -> str:
    """The USING clause of ``ALTER COLUMN ... TYPE new_type`` ("" when assignment converts).

    ``via_text`` is the planner's own guess for a conversion the target cannot tell (a type
    the script creates): enums and ranges go through text.
    """
    mode = conversion.mode
    if mode == "unknown":
        mode = "text" if via_text else "explicit"
    if mode == "assign":
        return ""
    return f" USING {converted(ident(column), new_type, mode)}"


def converted(value: str, new_type: str, mode: Mode) -> str:
    """The SQL of ``value`` converted to ``new_type`` as the step does (explicitly, for an
    assignment: ``fits`` adds what assignment refuses)."""
    if mode == "text":
        via = "pg_catalog.text[]" if new_type.endswith("[]") else "pg_catalog.text"
        return f"{value}::{via}::{new_type}"
    return f"{value}::{new_type}"


_LIMITED = re.compile(r"^(character varying|character|bit varying|bit)\((\d+)\)(\[\])?$")
#: The unconstrained type of each limited one: a value cast to it keeps its whole length.
_UNLIMITED = {
    "character varying": "pg_catalog.varchar",
    "character": "pg_catalog.bpchar",
    "bit varying": "pg_catalog.varbit",
    "bit": "pg_catalog.varbit",
}


def fails_sql(value: str, new_type: str, mode: Mode) -> str:
    """A condition true where assignment refuses a value the explicit cast would cut: a
    varchar/char longer than the limit beyond trailing spaces, a varbit longer, a bit of
    another length (for an array: any element)."""
    match = _LIMITED.match(new_type)
    if mode != "assign" or match is None:
        return "false"
    base, limit, array = match.group(1), int(match.group(2)), bool(match.group(3))
    unlimited = _UNLIMITED[base]
    element = "u.x" if array else f"{value}::{unlimited}"
    if base == "character varying":
        length = f"pg_catalog.length(pg_catalog.rtrim({element}::pg_catalog.text, ' '))"
        operator = ">"
    else:  # bpchar's length leaves trailing spaces out already
        length = f"pg_catalog.length({element})"
        operator = "<>" if base == "bit" else ">"
    test = f"{length} OPERATOR(pg_catalog.{operator}) {limit}"
    if not array:
        return test
    return f"EXISTS (SELECT FROM pg_catalog.unnest({value}::{unlimited}[]) AS u(x) WHERE {test})"


def changed_sql(value: str, new_value: str, old_type: str, compare: Compare) -> str:
    """A condition true where the converted value, read back as the old type, is not the
    original (``value`` is never NULL where this is asked)."""
    if compare == "json":
        before, after = _json_nodes(value, "json"), _json_nodes(new_value, "jsonb")
        return f"{before} OPERATOR(pg_catalog.<>) {after}"
    back = f"({new_value})::{old_type}"
    if compare == "text":
        return (
            f"({back}::pg_catalog.text OPERATOR(pg_catalog.=) {value}::pg_catalog.text) IS NOT TRUE"
        )
    return f"({back} OPERATOR(pg_catalog.=) {value}) IS NOT TRUE"


def _json_nodes(value: str, kind: str) -> str:
    """The number of values in a json(b) document, nested ones included: a json holding a key
    twice has more of them than the jsonb made from it."""
    return (
        f"(WITH RECURSIVE w(v) AS (SELECT ({value})::pg_catalog.{kind} UNION ALL "
        f"SELECT c.v FROM w CROSS JOIN LATERAL ("
        f"SELECT x.value FROM pg_catalog.{kind}_each(CASE WHEN pg_catalog.{kind}_typeof(w.v) "
        f"OPERATOR(pg_catalog.=) 'object' THEN w.v END) AS x UNION ALL "
        f"SELECT y.value FROM pg_catalog.{kind}_array_elements(CASE WHEN "
        f"pg_catalog.{kind}_typeof(w.v) OPERATOR(pg_catalog.=) 'array' THEN w.v END) AS y"
        f") AS c(v)) SELECT pg_catalog.count(*) FROM w)"
    )


class ValueCheck(NamedTuple):
    """A check that counts values that would fail or change: (SQL of one row with the two
    counts, SQL of a DO block that counts them row by row when a value makes the first err)."""

    counts: str
    by_row: str


def convert_check(
    schema: str, table: str, column: str, old_type: str, new_type: str, mode: Mode, compare: Compare
) -> ValueCheck:
    """Counts of (failing, changing) values for a type change, under its exact conversion."""
    q = qualified(schema, table)
    col = ident(column)
    new_value = converted(f"d.{col}", new_type, mode)
    fails = fails_sql(f"d.{col}", new_type, mode)
    changed = changed_sql(f"d.{col}", new_value, old_type, compare)
    counts = (
        f"SELECT pg_catalog.count(*) FILTER (WHERE {fails}), "
        f"pg_catalog.count(*) FILTER (WHERE NOT ({fails}) AND {changed}) "
        f"FROM {q} AS d WHERE d.{col} IS NOT NULL"
    )
    row_value = converted("r.v", new_type, mode)
    by_row = f"""DO $ddp$
DECLARE
  r record;
  fails pg_catalog.int8 := 0;
  changes pg_catalog.int8 := 0;
  bad pg_catalog.bool;
BEGIN
  FOR r IN SELECT d.{col} AS v FROM {q} AS d WHERE d.{col} IS NOT NULL LOOP
    BEGIN
      bad := {fails_sql("r.v", new_type, mode)};
      IF NOT bad THEN
        PERFORM {row_value};
      END IF;
    EXCEPTION WHEN OTHERS THEN
      bad := true;
    END;
    IF bad THEN
      fails := fails OPERATOR(pg_catalog.+) 1;
    ELSIF {changed_sql("r.v", row_value, old_type, compare)} THEN
      changes := changes OPERATOR(pg_catalog.+) 1;
    END IF;
  END LOOP;
  PERFORM pg_catalog.set_config('ddp.fails', fails::pg_catalog.text, true);
  PERFORM pg_catalog.set_config('ddp.changes', changes::pg_catalog.text, true);
END $ddp$;
SELECT pg_catalog.current_setting('ddp.fails')::pg_catalog.int8,
       pg_catalog.current_setting('ddp.changes')::pg_catalog.int8"""
    return ValueCheck(counts, by_row)


def labels_check(schema: str, table: str, column: str, array: bool, labels: list[str]) -> str:
    """Counts of (failing, changing) values for a column moved to a rebuilt enum: a value
    whose label the new enum lacks fails; the others keep their label."""
    q = qualified(schema, table)
    col = ident(column)
    kept = f"ARRAY[{', '.join(literal(v) for v in labels)}]::pg_catalog.text[]"
    if array:
        missing = (
            f"EXISTS (SELECT FROM pg_catalog.unnest(d.{col}::pg_catalog.text[]) AS u(v) "
            f"WHERE u.v IS NOT NULL AND u.v OPERATOR(pg_catalog.<>) ALL ({kept}))"
        )
    else:
        missing = f"d.{col}::pg_catalog.text OPERATOR(pg_catalog.<>) ALL ({kept})"
    return (
        f"SELECT pg_catalog.count(*) FILTER (WHERE {missing}), 0::pg_catalog.int8 "
        f"FROM {q} AS d WHERE d.{col} IS NOT NULL"
    )
