"""How ``--using SCHEMA.TABLE.COLUMN=EXPRESSION`` is read: names as SQL writes them, and one
SQL expression, nothing more (no server: the grammar is PostgreSQL's own, through pglast)."""

from __future__ import annotations

import pytest

from ddp_engine.errors import BadInput
from ddp_engine.user_conversions import one_expression, parse_using


@pytest.mark.parametrize(
    "text",
    [
        "1); DROP TABLE ev; SELECT (1",
        "1) FROM ev WHERE (true",
        "1) UNION (SELECT 2",
        "x) --",
        "",
        "   ",
    ],
)
def test_more_than_one_expression_is_refused(text: str) -> None:
    assert not one_expression(text)
    with pytest.raises(BadInput, match="not one expression"):
        parse_using([f"public.ev.x={text}"])


def test_names_are_read_as_sql_writes_them() -> None:
    (a, b, c) = parse_using(['"My"."T=1".Col=1', "s.t.c=c = 1", 's.t."--x"=2'])
    assert (a.schema_name, a.table, a.column, a.expression) == ("My", "T=1", "col", "1")
    assert (b.schema_name, b.table, b.column, b.expression) == ("s", "t", "--x", "2")
    assert (c.schema_name, c.table, c.column, c.expression) == ("s", "t", "c", "c = 1")
    with pytest.raises(BadInput, match="two conversions"):
        parse_using(["s.t.c=1", 'S.T."c"=2'])
    with pytest.raises(BadInput, match="names no column"):
        parse_using(["t.c=1"])
