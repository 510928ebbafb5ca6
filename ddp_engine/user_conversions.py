"""Conversions the user gives for a column's type change: ``--using SCHEMA.TABLE.COLUMN=EXPR``.

Where PostgreSQL has no cast between a column's old and new type (bigint to timestamp), DDP
does not guess: it keeps the old values in a tombstone column and says so (``data_not_carried``).
With a conversion from the user, the type change runs ``USING (EXPR)`` instead, and the data
check counts the rows the expression would fail on.

The expression is the user's SQL and goes into the script as written: it is only parsed
(pglast, PostgreSQL's own grammar) to make sure it is one expression and nothing more (no
second statement, no FROM, no comment that swallows the rest of the line), and it is written
between line breaks so that a trailing ``--`` comment ends where it should. The script runs
under an empty search_path, so an unqualified name in it resolves in pg_catalog alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from pglast import parser

from ddp_engine.errors import BadInput
from ddp_engine.sqltext import qualified

USAGE = "--using wants SCHEMA.TABLE.COLUMN=EXPRESSION (names as in SQL, one SQL expression)"


class UserConversion(NamedTuple):
    """One ``--using``: the target's column (as the catalog names it) and the expression."""

    schema_name: str
    table: str
    column: str
    expression: str

    @property
    def label(self) -> str:
        return f"{self.schema_name}.{self.table}.{self.column}"


def wrapped(expression: str) -> str:
    """The expression as the script and the data check write it: in parentheses, on lines of
    its own."""
    return f"(\n{expression}\n)"


def _select(text: str) -> dict[str, Any] | None:
    """``SELECT <text>`` parsed: its one plain SelectStmt with one unnamed target, else None."""
    try:
        tree = json.loads(parser.parse_sql_json(f"SELECT {text}"))
    except parser.ParseError:
        return None
    stmts = tree.get("stmts", [])
    if len(stmts) != 1:
        return None
    select = stmts[0].get("stmt", {}).get("SelectStmt")
    if not isinstance(select, dict) or set(select) - {"targetList", "limitOption", "op"}:
        return None
    if select.get("op") != "SETOP_NONE" or len(select.get("targetList", [])) != 1:
        return None
    target = select["targetList"][0].get("ResTarget", {})
    return None if "name" in target else target.get("val")


def one_expression(expression: str) -> bool:
    """Whether ``expression``, written as the script writes it, is one SQL expression."""
    return bool(expression.strip()) and _select(wrapped(expression)) is not None


def column_of(name: str) -> tuple[str, str, str] | None:
    """``schema.table.column`` in SQL's spelling (quoted or folded to lower case) → its three
    names, or None."""
    value = _select(name)
    fields = (value or {}).get("ColumnRef", {}).get("fields", [])
    names = [f["String"]["sval"] for f in fields if "String" in f]
    if len(fields) != 3 or len(names) != 3:
        return None
    return names[0], names[1], names[2]


def _split(text: str) -> tuple[str, str] | None:
    """At the first ``=`` outside double quotes: (the column's name, the expression)."""
    quoted = False
    for at, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "=" and not quoted:
            return text[:at], text[at + 1 :]
    return None


def parse_using(values: Iterable[str]) -> tuple[UserConversion, ...]:
    """The ``--using`` values as conversions; a malformed one, or two for one column, is a
    usage error."""
    found: dict[tuple[str, str, str], UserConversion] = {}
    for value in values:
        parts = _split(value)
        column = column_of(parts[0]) if parts else None
        if parts is None or column is None:
            raise BadInput(f"{USAGE}: {value.splitlines()[0][:80]!r} names no column")
        if not one_expression(parts[1]):
            raise BadInput(f"{USAGE}: the expression for {'.'.join(column)} is not one expression")
        if column in found:
            raise BadInput(f"--using gives two conversions for {'.'.join(column)}: give one")
        found[column] = UserConversion(*column, parts[1])
    return tuple(found[k] for k in sorted(found))


def using_check(schema: str, table: str, new_type: str, expression: str) -> tuple[str, str]:
    """Counts of (failing, changing) values under the user's conversion: (one query over the
    table, and a DO block that tries it row by row when a value makes the query err). The
    values change as the user asked: none counts as a change. Column names win over the DO
    block's variables (``#variable_conflict use_column``), which are named apart anyway."""
    q = qualified(schema, table)
    value = f"{wrapped(expression)}::{new_type}"
    counts = (
        f"SELECT pg_catalog.count({value}) OPERATOR(pg_catalog.*) 0, 0::pg_catalog.int8 FROM {q}"
    )
    tag = next(t for t in (f"$ddp{n}$" for n in range(len(expression) + 1)) if t not in expression)
    by_row = f"""DO {tag}
#variable_conflict use_column
DECLARE
  ddp_row record;
  ddp_fails pg_catalog.int8 := 0;
BEGIN
  FOR ddp_row IN SELECT ctid AS ddp_at FROM {q} LOOP
    BEGIN
      PERFORM {value} FROM {q} WHERE ctid OPERATOR(pg_catalog.=) ddp_row.ddp_at;
    EXCEPTION WHEN OTHERS THEN
      ddp_fails := ddp_fails OPERATOR(pg_catalog.+) 1;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('ddp.fails', ddp_fails::pg_catalog.text, true);
END {tag};
SELECT pg_catalog.current_setting('ddp.fails')::pg_catalog.int8, 0::pg_catalog.int8"""
    return counts, by_row
