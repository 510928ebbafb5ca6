"""Which expressions from the source a data check may evaluate on the target.

A data check evaluates text that came from the *source*: a new CHECK's expression, a new
unique index's predicate. Whoever may create a table in the source's schema chooses that text,
and the target counts it in a dry run, with the rights of the table's owner (often a
superuser), where ``SET ROLE`` is no boundary (``set_config('role', ...)`` undoes it from
inside the expression). ``CHECK (pg_read_file('/etc/passwd')::int > 0)`` would read a server
file into the script's "not checked" line; ``pg_terminate_backend(...)`` would end sessions.

So an expression is counted only when every function it calls by name is immutable on the
target (every overload of that name: the names are not resolved), and no operator or cast it
uses runs a volatile function, or a stable one of a user's (pg_catalog's stable operators and
casts, such as timestamptz to date, only read). A CHECK should be immutable anyway; one that
is not (``now()``) stays uncounted, and the script still says what it will do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import psycopg
from pglast import parser

from ddp_engine.sqltext import ident

#: Functions called by name (every overload), operators and casts into a type, that may do
#: something besides computing a value.
_UNSAFE = """
SELECT 'function ' OPERATOR(pg_catalog.||) w.s OPERATOR(pg_catalog.||) '.'
       OPERATOR(pg_catalog.||) w.n
FROM ROWS FROM (pg_catalog.unnest(%(fs)s::pg_catalog.text[]),
                pg_catalog.unnest(%(fn)s::pg_catalog.text[])) AS w(s, n)
WHERE EXISTS (
  SELECT FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_namespace AS ns ON ns.oid OPERATOR(pg_catalog.=) p.pronamespace
  WHERE ns.nspname OPERATOR(pg_catalog.=) w.s::pg_catalog.name
    AND p.proname OPERATOR(pg_catalog.=) w.n::pg_catalog.name
    AND p.provolatile OPERATOR(pg_catalog.<>) 'i')
UNION ALL
SELECT 'operator ' OPERATOR(pg_catalog.||) w.s OPERATOR(pg_catalog.||) '.'
       OPERATOR(pg_catalog.||) w.n
FROM ROWS FROM (pg_catalog.unnest(%(os)s::pg_catalog.text[]),
                pg_catalog.unnest(%(on)s::pg_catalog.text[])) AS w(s, n)
WHERE EXISTS (
  SELECT FROM pg_catalog.pg_operator AS o
  JOIN pg_catalog.pg_namespace AS ns ON ns.oid OPERATOR(pg_catalog.=) o.oprnamespace
  JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) o.oprcode::pg_catalog.oid
  WHERE ns.nspname OPERATOR(pg_catalog.=) w.s::pg_catalog.name
    AND o.oprname OPERATOR(pg_catalog.=) w.n::pg_catalog.name
    AND (p.provolatile OPERATOR(pg_catalog.=) 'v'
         OR p.provolatile OPERATOR(pg_catalog.<>) 'i'
            AND p.pronamespace OPERATOR(pg_catalog.<>) 11::pg_catalog.oid))  -- not pg_catalog's
UNION ALL
SELECT 'cast to ' OPERATOR(pg_catalog.||) w.t
FROM pg_catalog.unnest(%(ts)s::pg_catalog.text[]) AS w(t)
WHERE pg_catalog.to_regtype(w.t) IS NULL OR EXISTS (
  SELECT FROM pg_catalog.pg_cast AS c
  JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) c.castfunc
  WHERE c.casttarget OPERATOR(pg_catalog.=) pg_catalog.to_regtype(w.t)::pg_catalog.oid
    AND (p.provolatile OPERATOR(pg_catalog.=) 'v'
         OR p.provolatile OPERATOR(pg_catalog.<>) 'i'
            AND p.pronamespace OPERATOR(pg_catalog.<>) 11::pg_catalog.oid))  -- not pg_catalog's
"""


#: An expression as a statement the grammar accepts.
_AS_QUERY = "SELECT ({})"


class Calls:
    """What an expression names: functions and operators as (schema, name), cast types."""

    def __init__(self) -> None:
        self.functions: set[tuple[str, str]] = set()
        self.operators: set[tuple[str, str]] = set()
        self.types: set[str] = set()

    def walk(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self.walk(item)
            return
        if not isinstance(value, dict):
            return
        for kind, fields in value.items():
            if isinstance(fields, dict):
                self._node(kind, fields)
            self.walk(fields)

    def _node(self, kind: str, fields: dict[str, Any]) -> None:
        if kind == "FuncCall":
            self.functions.add(_qualified(fields.get("funcname")))
        elif kind == "A_Expr" and "name" in fields:
            self.operators.add(_qualified(fields.get("name")))
        elif kind == "TypeCast":
            names = _strings(fields.get("typeName", {}).get("names"))
            self.types.add(".".join(ident(n) for n in names))


def _strings(items: Any) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, dict) and "String" in item:
            out.append(item["String"].get("sval", ""))
    return out


def _qualified(items: Any) -> tuple[str, str]:
    names = _strings(items)
    # a name without a schema: every session searches the catalog schema alone
    return (names[-2] if len(names) > 1 else "pg_catalog", names[-1] if names else "")


def calls_of(expression: str) -> Calls | None:
    """What ``expression`` calls, or None when it does not parse as one expression."""
    try:
        tree = json.loads(parser.parse_sql_json(_AS_QUERY.format(expression)))
    except parser.ParseError:
        return None
    found = Calls()
    found.walk(tree)
    return found


def unsafe_calls(conn: psycopg.Connection, expressions: Iterable[str]) -> dict[str, str]:
    """For each expression that a data check must not evaluate on the target, why not
    (``calls function pg_catalog.pg_read_file``); safe expressions are left out."""
    parsed = {e: calls_of(e) for e in dict.fromkeys(expressions) if e}
    out = {e: "it does not parse as one expression" for e, c in parsed.items() if c is None}
    calls = {e: c for e, c in parsed.items() if c is not None}
    if not calls:
        return out
    functions = sorted({f for c in calls.values() for f in c.functions})
    operators = sorted({o for c in calls.values() for o in c.operators})
    types = sorted({t for c in calls.values() for t in c.types})
    params = {
        "fs": [s for s, _ in functions],
        "fn": [n for _, n in functions],
        "os": [s for s, _ in operators],
        "on": [n for _, n in operators],
        "ts": types,
    }
    unsafe = {row[0] for row in conn.execute(_UNSAFE, params)}
    for expression, c in calls.items():
        named = sorted(
            {f"function {s}.{n}" for s, n in c.functions}
            | {f"operator {s}.{n}" for s, n in c.operators}
            | {f"cast to {t}" for t in c.types}
        )
        bad = [what for what in named if what in unsafe]
        if bad:
            out[expression] = f"it calls what is not immutable: {', '.join(bad)}"
    return out
