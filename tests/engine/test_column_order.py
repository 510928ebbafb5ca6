"""The columns query is not sorted: the reader puts each relation's columns in attnum order
itself, whatever order the server's plan sends them in."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ddp_engine.rows import _COLUMN_FIELDS, group_columns

_NAMES = ("schema_name", "table_name", "position", *_COLUMN_FIELDS)


def _row(table: str, position: int, name: str) -> tuple[Any, ...]:
    values: dict[str, Any] = dict.fromkeys(_NAMES)
    values.update(
        schema_name="public",
        table_name=table,
        position=position,
        name=name,
        data_type="integer",
        not_null=False,
    )
    return tuple(values[n] for n in _NAMES)


def _grouped(rows: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    cur = SimpleNamespace(description=[SimpleNamespace(name=n) for n in _NAMES])
    columns = group_columns(cur, iter(rows), [], [])  # type: ignore[arg-type]
    return {table: [c.name for c in cols] for (_, table), cols in columns.items()}


def test_columns_in_attnum_order_when_they_come_in_order() -> None:
    rows = [_row("a", 1, "id"), _row("a", 2, "x"), _row("b", 1, "id")]
    assert _grouped(rows) == {"a": ["id", "x"], "b": ["id"]}


def test_columns_put_in_attnum_order_when_a_plan_scrambles_them() -> None:
    rows = [
        _row("a", 3, "z"),
        _row("a", 1, "id"),
        _row("b", 2, "y"),
        _row("a", 2, "x"),  # a's rows in two runs
        _row("b", 1, "id"),
    ]
    assert _grouped(rows) == {"a": ["id", "x", "z"], "b": ["id", "y"]}


def test_a_dropped_position_leaves_a_gap_not_a_misorder() -> None:
    rows = [_row("a", 1, "id"), _row("a", 4, "w"), _row("a", 5, "v")]
    assert _grouped(rows) == {"a": ["id", "w", "v"]}
