"""Builders of objects from catalog rows read as tuples, made once per query result.

A builder is given the query's column names (``cur.description``) and returns the function
that turns one row into an object: it finds the columns it reads by name once, then reads
each row by position. The numerous kinds (38,000 constraints a side at 10,000 tables, then
indexes and triggers) are built without a dict per row or a keyword call per object
(``Frozen.maker``), a fifth of what a dict row and ``Frozen.trusted`` cost. The rarer kinds
keep their builders of one dict row (rows.py), wrapped by :func:`by_name`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import psycopg

from ddp_engine.codes import ConstraintType, TriggerState
from ddp_engine.model import Constraint, Index, Trigger
from ddp_engine.rows import ChangedWhileReading

#: A query's column names, in order.
Names = tuple[str, ...]
#: One row of a query → its object.
RowBuilder = Callable[[tuple[Any, ...]], Any]
#: A query's column names → the builder of one of its rows.
Builder = Callable[[Names], RowBuilder]


def names_of(cur: psycopg.Cursor[Any]) -> Names:
    """The column names of the cursor's result, in order."""
    return tuple(d.name for d in cur.description or ())


def columns(names: Names, *wanted: str) -> itemgetter[Any]:
    """The getter of the ``wanted`` columns of a row, as a tuple (several) or a value (one);
    a name given twice reads its last column, as a dict of the row would."""
    at = {name: i for i, name in enumerate(names)}
    return itemgetter(*(at[name] for name in wanted))


def by_name(build: Callable[[dict[str, Any]], Any]) -> Builder:
    """A builder of one dict row (column name → value), for the rarer kinds."""

    def made(names: Names) -> RowBuilder:
        def row_builder(row: tuple[Any, ...]) -> Any:
            return build(dict(zip(names, row, strict=True)))

        return row_builder

    return made


def _letters(enum: type[ConstraintType] | type[TriggerState]) -> dict[str, Any]:
    """The members of a catalog-letter enum by letter, as ``Frozen.trusted`` names them."""
    return {member.value: member for member in enum}


def constraint_builder(names: Names) -> RowBuilder:
    """Constraints (rows.py's ``row_fields`` with the table, the definition deparsed)."""
    read = columns(
        names,
        *("schema_name", "table_name", "name", "constraint_type", "definition", "columns"),
        *("ref_schema", "ref_table", "ref_columns", "comment", "index_comment", "clustered"),
        "replica_identity",
    )
    make, types, intern = Constraint.maker(), _letters(ConstraintType), sys.intern

    def build(row: tuple[Any, ...]) -> Constraint:
        (schema, table, name, letter, definition, cols, ref_schema, ref_table, ref_columns,
         comment, index_comment, clustered, replica_identity) = read(row)  # fmt: skip
        if definition is None:
            raise ChangedWhileReading
        return make(
            intern(schema),
            intern(table),
            name,
            types[letter],
            definition,
            tuple(cols),
            (ref_schema, ref_table) if ref_table else None,
            tuple(ref_columns),
            comment,
            index_comment,
            clustered,
            replica_identity,
        )

    return build


def index_builder(names: Names) -> RowBuilder:
    """Indexes: what follows ``ON table`` in the definition (from ``USING``) is the body."""
    read = columns(
        names,
        *("schema_name", "table_name", "name", "definition", "definition_prefix", "is_unique"),
        *("key_columns", "predicate", "on_partitioned", "comment", "clustered"),
        *("replica_identity", "valid"),
    )
    make, intern = Index.maker(), sys.intern

    def build(row: tuple[Any, ...]) -> Index:
        (schema, table, name, definition, prefix, unique, key_columns, predicate,
         on_partitioned, comment, clustered, replica_identity, valid) = read(row)  # fmt: skip
        if definition is None:
            raise ChangedWhileReading
        if definition.startswith(prefix) or not definition:  # none: out of scope, not read
            body = definition[len(prefix) :]
        else:  # defensive: cut at the first USING after ON
            body = definition[definition.index(" USING ") + 1 :]
        return make(
            intern(schema),
            intern(table),
            name,
            body,
            unique,
            tuple(key_columns or ()),
            predicate,
            on_partitioned,
            comment,
            clustered,
            replica_identity,
            valid,
        )

    return build


def trigger_builder(names: Names) -> RowBuilder:
    """Triggers, as deparsed, with their enabled state."""
    read = columns(names, "schema_name", "table_name", "name", "definition", "enabled", "comment")
    make, states, intern = Trigger.maker(), _letters(TriggerState), sys.intern

    def build(row: tuple[Any, ...]) -> Trigger:
        schema, table, name, definition, enabled, comment = read(row)
        if definition is None:
            raise ChangedWhileReading
        return make(intern(schema), intern(table), name, definition, states[enabled], comment)

    return build
