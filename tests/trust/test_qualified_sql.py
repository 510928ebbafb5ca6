"""ddp's own catalog queries name every catalog object qualified (pg_dump's discipline).

Static proof: every ``ddp_engine/queries/*.sql`` is parsed with pglast (PostgreSQL's own
parser) and its tree walked. Whatever the server would look up through ``search_path`` must
name ``pg_catalog``: relations (but CTEs), functions, types, operators (including the ``=``
hidden in ``IN``, ``NULLIF``, ``CASE x WHEN``, ``IN (SELECT ...)``, ``JOIN ... USING``),
collations, and the names inside ``'...'::regclass``-style constants. Then no function,
operator, type or view planted in a schema another role can write to is picked up by ddp's own
SQL, whatever the search_path: defence in depth on top of the empty search_path of every
session, which stays needed (pg_get_viewdef's own query: test_catalog_reads.VIEWDEF_SPI).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pglast.parser import parse_sql_json

from ddp_engine import queries
from ddp_engine.introspect import load_query

#: Types whose input function looks a name up through search_path: a constant cast to one of
#: them (``'pg_class'::regclass``) must name the schema itself.
NAME_TYPES = {
    "regclass",
    "regproc",
    "regprocedure",
    "regoper",
    "regoperator",
    "regtype",
    "regnamespace",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regrole",
}

#: Operators the server looks up by name when no name is written (``IN``, ``CASE x WHEN``...).
IMPLICIT_OPERATOR_KINDS = {
    "AEXPR_NULLIF": "NULLIF",
    "AEXPR_IN": "IN",
    "AEXPR_DISTINCT": "IS DISTINCT FROM",
    "AEXPR_NOT_DISTINCT": "IS NOT DISTINCT FROM",
    "AEXPR_BETWEEN": "BETWEEN",
    "AEXPR_NOT_BETWEEN": "NOT BETWEEN",
    "AEXPR_BETWEEN_SYM": "BETWEEN SYMMETRIC",
    "AEXPR_NOT_BETWEEN_SYM": "NOT BETWEEN SYMMETRIC",
}

#: Fields that hold one node of a fixed type, which the JSON tree gives without the type's name.
INLINE_NODES = {
    "typeName": "TypeName",
    "returnType": "TypeName",
    "relation": "RangeVar",
    "rel": "RangeVar",
    "collClause": "CollateClause",
}

#: psycopg's placeholders, which PostgreSQL's parser does not know.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?s")

REPO = Path(__file__).resolve().parents[2]

#: Modules whose own SQL runs on a user's server. datacheck.py and crossversion.py are being
#: rewritten on other branches (issue 13): they belong here once those land.
MODULES = (
    "ddp_engine/introspect.py",
    "ddp_engine/apply.py",
    "ddp_engine/sources.py",
    "ddp_engine/demo.py",
    "ddp_engine/sideeffects.py",
    "ddp_engine/datacheck.py",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "ddp_engine" / "embedded").glob("*.py")),
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "ddp_dagster").glob("*.py")),
)


def query_names() -> list[str]:
    """Every query as introspect runs it: fragments spliced in, and the deparsed kinds' one."""
    return [*queries.query_names(), "deparsed"]


def load(name: str, scoped: bool = False) -> str:
    return load_query(name, scoped)


def unqualified(query: str) -> list[str]:
    """Every name in ``query`` that the server would resolve through search_path, as
    ``kind name`` (empty when everything names pg_catalog or a CTE of the query)."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"${numbers.setdefault(match[1] or str(len(numbers)), len(numbers) + 1)}"

    text = PLACEHOLDER.sub(number, query.replace("%%", "\0"))
    tree = json.loads(parse_sql_json(text.replace("\0", "%")))
    ctes = {node["ctename"] for kind, node in walk(tree) if kind == "CommonTableExpr"}
    found: list[str] = []
    for kind, node in walk(tree):
        found.extend(_check(kind, node, ctes))
    return found


def walk(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (node type, node) of a pglast JSON parse tree, depth first."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, dict) and (key[:1].isupper() or key in INLINE_NODES):
                yield INLINE_NODES.get(key, key), child
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


def _names(items: list[dict[str, Any]] | None) -> list[str]:
    return [item["String"]["sval"] for item in items or () if "String" in item]


def _qualified(names: list[str]) -> bool:
    return len(names) == 2 and names[0] == "pg_catalog"


def _check(kind: str, node: dict[str, Any], ctes: set[str]) -> Iterator[str]:
    if kind == "RangeVar":
        if node.get("schemaname") != "pg_catalog" and not (
            "schemaname" not in node and node["relname"] in ctes
        ):
            yield f"relation {node['relname']}"
    elif kind == "FuncCall":
        if not _qualified(names := _names(node["funcname"])):
            yield f"function {'.'.join(names)}"
    elif kind == "TypeName":
        if not _qualified(names := _names(node["names"])):
            yield f"type {'.'.join(names)}"
    elif kind == "A_Expr":
        names = _names(node.get("name"))
        if node["kind"] in IMPLICIT_OPERATOR_KINDS:
            yield f"operator {'.'.join(names)} in {IMPLICIT_OPERATOR_KINDS[node['kind']]}"
        elif not _qualified(names):
            yield f"operator {'.'.join(names)}"
    elif kind == "SubLink":
        if node["subLinkType"] in ("ANY_SUBLINK", "ALL_SUBLINK", "ROWCOMPARE_SUBLINK"):
            names = _names(node.get("operName"))
            if not _qualified(names):
                yield f"operator {'.'.join(names) or '='} in IN (SELECT ...)"
    elif kind == "CaseExpr":
        if "arg" in node:
            yield "operator = in CASE x WHEN"
    elif kind == "JoinExpr":
        if node.get("usingClause") or node.get("isNatural"):
            yield "operator = in JOIN USING"
    elif kind == "SortBy":
        if "useOp" in node and not _qualified(names := _names(node["useOp"])):
            yield f"operator {'.'.join(names)} in ORDER BY USING"
    elif kind == "CollateClause":
        if not _qualified(names := _names(node["collname"])):
            yield f"collation {'.'.join(names)}"
    elif kind == "TypeCast":
        type_name = _names(node["typeName"]["names"])[-1]
        constant = node["arg"].get("A_Const", {}).get("sval", {}).get("sval")
        if type_name in NAME_TYPES and constant and not constant.startswith("pg_catalog."):
            yield f"name {constant!r} in a {type_name} constant"


@pytest.mark.parametrize("name", query_names())
def test_every_catalog_name_is_qualified(name: str) -> None:
    assert unqualified(load(name)) == []
    assert unqualified(load(name, scoped=True)) == []  # as read when the scope leaves out


def test_every_query_is_checked() -> None:
    assert len(query_names()) >= 14  # the walker found the package's queries


def statements_in(module: str) -> list[str]:
    """The string constants of ``module`` that are whole SELECT statements."""
    tree = ast.parse((REPO / module).read_text())
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.match(r"\s*(SELECT|WITH)\b", node.value)
        and not re.search(r"\{\w*\}", node.value)  # a psycopg.sql template: not SQL yet
        # the line that sets the search_path runs under the session's empty one (connect.py)
        and "set_config('search_path'" not in node.value
    ]


@pytest.mark.parametrize("module", MODULES)
def test_sql_written_in_python_is_qualified(module: str) -> None:
    assert {sql: unqualified(sql) for sql in statements_in(module)} == {
        sql: [] for sql in statements_in(module)
    }


def test_statements_in_python_are_found() -> None:
    assert any("pg_try_advisory_lock" in sql for sql in statements_in("ddp_engine/apply.py"))
    assert any("pg_attribute" in sql for sql in statements_in("ddp_engine/demo.py"))


QUALIFIED = """
WITH ext AS (SELECT objid FROM pg_catalog.pg_depend
             WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass)
SELECT pg_catalog.count(*), pg_catalog.upper(n.nspname COLLATE pg_catalog."C"),
       n.nspname OPERATOR(pg_catalog.=) ANY (%(schemas)s::pg_catalog.text[]),
       n.oid OPERATOR(pg_catalog.=) ANY (SELECT objid FROM ext),
       CASE WHEN n.oid OPERATOR(pg_catalog.<>) 0 THEN 1 END, int '1', 1::int, true::boolean,
       ARRAY(SELECT 1 ORDER BY 1 USING OPERATOR(pg_catalog.<)), coalesce(1, 2)
FROM pg_catalog.pg_namespace n JOIN ext ON ext.objid OPERATOR(pg_catalog.=) n.oid
WHERE n.nspname IS NOT NULL AND EXISTS (SELECT 1) AND NOT false
"""


def test_a_fully_qualified_query_passes() -> None:
    """Grammar-made names (``int`` is ``pg_catalog.int4``) count as qualified."""
    assert unqualified(QUALIFIED) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT 1 FROM pg_class", "relation pg_class"),
        ("SELECT 1 FROM public.pg_class", "relation pg_class"),
        ("SELECT lower('A')", "function lower"),
        ("SELECT public.lower('A')", "function public.lower"),
        ("SELECT x::text FROM pg_catalog.pg_class x", "type text"),
        ("SELECT '{}'::\"char\"[]", "type char"),
        ("SELECT k FROM pg_catalog.unnest('{1}') AS k(x text)", "type text"),
        ("SELECT 1 WHERE 1 = 1", "operator ="),
        ("SELECT 1 WHERE 'a' ~~ 'b'", "operator ~~"),
        ("SELECT 1 WHERE 'a' LIKE 'b'", "operator ~~"),
        ("SELECT 'a' || 'b'", "operator ||"),
        ("SELECT 1 WHERE 1 = ANY(%(x)s)", "operator ="),
        (
            "SELECT pg_catalog.set_config(%s, %s, true), current_setting(%s)",
            "function current_setting",
        ),
        ("SELECT 1 WHERE 1 <> ALL(%(x)s)", "operator <>"),
        ("SELECT 1 WHERE '{1}'::int[] @> '{1}'", "operator @>"),
        ("SELECT 1 WHERE 1 IN (1, 2)", "operator = in IN"),
        ("SELECT 1 WHERE 1 NOT IN (1, 2)", "operator <> in IN"),
        ("SELECT 1 WHERE 1 IN (SELECT 1)", "operator = in IN (SELECT ...)"),
        ("SELECT nullif(1, 2)", "operator = in NULLIF"),
        ("SELECT 1 WHERE 1 IS DISTINCT FROM 2", "operator = in IS DISTINCT FROM"),
        ("SELECT 1 WHERE 1 BETWEEN 0 AND 2", "operator BETWEEN in BETWEEN"),
        ("SELECT CASE 1 WHEN 1 THEN 2 END", "operator = in CASE x WHEN"),
        ("SELECT 1 FROM (SELECT 1 a) x JOIN (SELECT 1 a) y USING (a)", "operator = in JOIN USING"),
        ("SELECT 1 ORDER BY 1 USING <", "operator < in ORDER BY USING"),
        ("SELECT 'a' COLLATE \"C\"", "collation C"),
        ("SELECT 'pg_class'::pg_catalog.regclass", "name 'pg_class' in a regclass constant"),
        ("SELECT 'public.f'::pg_catalog.regproc", "name 'public.f' in a regproc constant"),
    ],
)
def test_one_unqualified_name_is_found(query: str, expected: str) -> None:
    assert unqualified(query) == [expected]
