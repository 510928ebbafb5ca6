"""Objects built from catalog rows by column position (builders.py, Frozen.maker) are the
objects validation makes from the same values, field for field and in field order (which
serialisation and the fingerprint follow), whatever columns a query adds or reorders.
No server needed."""

from __future__ import annotations

from typing import Any

import pytest

from ddp_engine.builders import constraint_builder, index_builder, trigger_builder
from ddp_engine.codes import ConstraintType, ReplicaIdentity, TriggerState
from ddp_engine.frozen import Frozen
from ddp_engine.model import Column, Constraint, Index, Sequence, Table, Trigger
from ddp_engine.rows import ChangedWhileReading, build_sequence, build_table


def row_of(values: dict[str, Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Column names and one row, in reverse order and with a column no builder reads."""
    names = ("oid", *reversed(values))
    return names, (16384, *(values[name] for name in names[1:]))


def same(built: Frozen, validated: Frozen) -> None:
    assert built == validated
    assert list(built.__dict__.items()) == list(validated.__dict__.items())
    assert [type(v) for v in built.__dict__.values()] == [
        type(v) for v in validated.__dict__.values()
    ]
    assert built.model_dump_json() == validated.model_dump_json()


CONSTRAINT_ROW = {
    "schema_name": "public",
    "table_name": "t",
    "name": "t_b_fkey",
    "constraint_type": "f",
    "definition": "FOREIGN KEY (b) REFERENCES public.u(a)",
    "columns": ["b"],
    "ref_schema": "public",
    "ref_table": "u",
    "ref_columns": ["a"],
    "comment": None,
    "index_comment": None,
    "clustered": False,
    "replica_identity": False,
    "deferrable": False,
}


def test_a_constraint_from_a_row_is_the_validated_one() -> None:
    names, row = row_of(CONSTRAINT_ROW)
    built = constraint_builder(names)(row)
    validated = Constraint(
        schema_name="public",
        table="t",
        name="t_b_fkey",
        constraint_type="f",
        definition="FOREIGN KEY (b) REFERENCES public.u(a)",
        columns=("b",),
        ref_table=("public", "u"),
        ref_columns=("a",),
    )
    same(built, validated)
    assert built.constraint_type is ConstraintType.FOREIGN_KEY


def test_a_definition_gone_while_reading_starts_the_read_again() -> None:
    names, row = row_of({**CONSTRAINT_ROW, "definition": None})
    with pytest.raises(ChangedWhileReading):
        constraint_builder(names)(row)


def test_an_index_and_a_trigger_from_a_row_are_the_validated_ones() -> None:
    index = {
        "schema_name": "public",
        "table_name": "t",
        "name": "t_lower_idx",
        "definition": "CREATE INDEX t_lower_idx ON public.t USING btree (lower(b))",
        "definition_prefix": "CREATE INDEX t_lower_idx ON public.t ",
        "is_unique": False,
        "key_columns": [""],
        "predicate": None,
        "on_partitioned": False,
        "comment": "c",
        "clustered": True,
        "replica_identity": False,
        "valid": True,
        "options": [],
    }
    names, row = row_of(index)
    same(
        index_builder(names)(row),
        Index(
            schema_name="public",
            table="t",
            name="t_lower_idx",
            body="USING btree (lower(b))",
            key_columns=("",),
            comment="c",
            clustered=True,
        ),
    )
    trigger = {"schema_name": "s", "table_name": "t", "name": "g", "definition": "CREATE TRIGGER"}
    names, row = row_of({**trigger, "enabled": "D", "comment": None})
    built = trigger_builder(names)(row)
    same(
        built,
        Trigger(schema_name="s", table="t", name="g", definition="CREATE TRIGGER", enabled="D"),
    )
    assert built.enabled is TriggerState.DISABLED


def test_a_table_and_a_sequence_from_their_rows_are_the_validated_ones() -> None:
    table = {
        "schema_name": "public",
        "name": "t",
        "relkind": "r",
        "persistence": "p",
        "parents": [],
        "is_partition": False,
        "partition_key": None,
        "partition_bound": None,
        "options": ["fillfactor=70", "autovacuum_enabled=false"],
        "rls": True,
        "force_rls": False,
        "replica_identity": "f",
        "not_nulls": [["a", "t_a_not_null", "false"]],
        "inherited_own": None,
        "cloned_indexes": None,
        "cloned_constraints": None,
        "comment": "c",
        "acl": ["o=arwdDxtm/o", "=r/o"],
        "owner": "o",
    }
    columns = [Column("a", "integer", not_null=True)]
    same(
        build_table(table, columns),
        Table(
            schema_name="public",
            name="t",
            options=("autovacuum_enabled=false", "fillfactor=70"),
            rls=True,
            replica_identity="f",
            columns=tuple(columns),
            not_null_names=(("a", "t_a_not_null"),),
            comment="c",
            acl=("<owner>=arwdDxtm", "PUBLIC=r"),
            owner="o",
        ),
    )
    assert build_table(table, columns).replica_identity is ReplicaIdentity.FULL
    sequence = {
        **{"schema_name": "public", "name": "s", "data_type": "integer", "start": 1},
        **{"increment": 2, "min_value": 1, "max_value": 100, "cache": 1, "cycle": False},
        **{"persistence": "p", "owned_by_schema": "public", "owned_by_table": "t"},
        **{"owned_by_column": "a", "comment": None, "acl": [], "owner": "o"},
    }
    same(
        build_sequence(sequence),
        Sequence(
            schema_name="public",
            name="s",
            data_type="integer",
            increment=2,
            max_value=100,
            owned_by=("public", "t", "a"),
            owner="o",
        ),
    )
