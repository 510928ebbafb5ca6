"""The diff: what differs between two snapshots, as (action, kind, key, fields)."""

from __future__ import annotations

from ddp_engine.model import Index, Table
from tests.engine import objects as o
from tests.engine.kit import changes_of, col, snapshot, table


def _summary(changes: list) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(c.action, c.kind, c.key, c.fields) for c in changes]


def test_create_drop_and_alter_of_whole_objects() -> None:
    changed = o.CHECK.model_copy(update={"definition": "CHECK ((id > 1))"})
    found = changes_of(snapshot(o.T, o.PK, changed), snapshot(o.T, o.UNIQUE, o.CHECK))
    assert _summary(found) == [
        ("alter", "constraint", ("constraint", "public", "t", "t_id_check"), ("definition",)),
        ("drop", "constraint", ("constraint", "public", "t", "t_name_key"), ()),
        ("create", "constraint", ("constraint", "public", "t", "t_pkey"), ()),
    ]


def test_columns_are_compared_one_by_one_in_source_order_then_the_target_extras() -> None:
    source = table("t", col("b", "bigint"), col("a"), col("new", "text"))
    target = table("t", col("a"), col("old"), col("b"))
    assert _summary(changes_of(snapshot(source), snapshot(target))) == [
        ("alter", "column", ("column", "public", "t", "b"), ("data_type",)),
        ("create", "column", ("column", "public", "t", "new"), ()),
        ("drop", "column", ("column", "public", "t", "old"), ()),
    ]


def test_table_fields_other_than_columns_give_one_table_change() -> None:
    source = o.T.model_copy(update={"rls": True, "comment": "c"})
    found = changes_of(snapshot(source), snapshot(o.T))
    assert _summary(found) == [("alter", "table", ("table", "public", "t", ""), ("rls", "comment"))]


def test_owner_and_inherited_details_are_not_differences() -> None:
    source = o.T.model_copy(
        update={"owner": "alice", "not_null_inherited": ("id",), "cloned_indexes": ("x",)}
    )
    assert changes_of(snapshot(source), snapshot(o.T)) == []


def test_privileges_are_compared_unless_turned_off() -> None:
    source = table("t", col("id", acl=("bob=r",)), acl=("<owner>=arwdDxt", "alice=r"))
    target = table("t", col("id"))
    assert _summary(changes_of(snapshot(source), snapshot(target))) == [
        ("alter", "table", ("table", "public", "t", ""), ("acl",)),
        ("alter", "column", ("column", "public", "t", "id"), ("acl",)),
    ]
    assert changes_of(snapshot(source), snapshot(target), privileges=False) == []


def test_a_broken_index_in_the_source_is_not_copied_but_one_in_the_target_is_drift() -> None:
    broken = o.INDEX.model_copy(update={"valid": False})
    assert changes_of(snapshot(o.T, broken), snapshot(o.T, o.INDEX)) == []
    assert _summary(changes_of(snapshot(o.T, o.INDEX), snapshot(o.T, broken))) == [
        ("alter", "index", ("index", "public", "t_name_idx", ""), ("valid",))
    ]


def test_not_null_constraint_names_count_only_where_both_sides_hold_the_column() -> None:
    source = o.T.model_copy(update={"not_null_names": (("id", "t_id_not_null"),)})
    target = o.T.model_copy(update={"not_null_names": (("id", "t_id_nn"), ("name", "x"))})
    assert _summary(changes_of(snapshot(source), snapshot(target))) == [
        ("alter", "table", ("table", "public", "t", ""), ("not_null_names",))
    ]
    same = o.T.model_copy(update={"not_null_names": (("id", "t_id_nn"),)})
    assert changes_of(snapshot(same), snapshot(target)) == []


def test_kinds_are_listed_in_dependency_friendly_order() -> None:
    found = changes_of(
        snapshot(o.T, o.PK, o.INDEX, o.VIEW, o.TRIGGER_FN, o.TRIGGER, o.ENUM, o.SEQUENCE, o.POLICY),
        snapshot(),
    )
    assert [c.kind for c in found] == [
        "type",
        "sequence",
        "table",
        "function",
        "view",
        "constraint",
        "index",
        "trigger",
        "policy",
    ]


def test_change_label_names_the_object() -> None:
    found = changes_of(snapshot(table("t", col("id"), col("x"))), snapshot(table("t", col("id"))))
    assert [c.label for c in found] == ["public.t.x"]
    assert [c.label for c in changes_of(snapshot(o.EXTENSION), snapshot())] == ["pgcrypto"]


def test_objects_that_compare_equal_give_no_change() -> None:
    both = snapshot(o.T, o.PK, o.INDEX, o.ENUM, o.DOMAIN, o.COMPOSITE, o.RANGE, o.COLLATION)
    assert changes_of(both, both) == []
    # an index whose key differs only in the table it sits on is a different object state
    moved = Index(**{**o.INDEX.model_dump(), "table": "u"})
    assert [c.action for c in changes_of(snapshot(moved), snapshot(o.INDEX))] == ["alter"]
    assert isinstance(o.T, Table)


def test_details_of_partitions_and_owners_are_never_differences() -> None:
    source = o.T.model_copy(update={"cloned_constraints": ("c",), "owner": "a"})
    assert changes_of(snapshot(source), snapshot(o.T)) == []
    # privileges off still leaves owners and partition details out
    assert changes_of(snapshot(source), snapshot(o.T), privileges=False) == []
    view = o.VIEW.model_copy(update={"column_acls": (("id", ("bob=r",)),)})
    assert changes_of(snapshot(view), snapshot(o.VIEW), privileges=False) == []
    assert [c.fields for c in changes_of(snapshot(view), snapshot(o.VIEW))] == [("column_acls",)]


def test_a_broken_source_index_still_differs_in_what_it_is() -> None:
    broken = o.INDEX.model_copy(update={"valid": False, "body": "USING hash (name)"})
    assert _summary(changes_of(snapshot(o.T, broken), snapshot(o.T, o.INDEX))) == [
        ("alter", "index", ("index", "public", "t_name_idx", ""), ("body",))
    ]
