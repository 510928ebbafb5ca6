"""Each compared kind is described once (ddp_engine/registry.py), and every part of the engine
that lists kinds agrees with the descriptions. No server needed."""

from __future__ import annotations

from ddp_engine import ddl
from ddp_engine.context import Lookups, PlanContext
from ddp_engine.diff import Action, Change, index_objects
from ddp_engine.introspect import QUERY_NAMES, load_query
from ddp_engine.kinds import REBUILDABLE, RECREATED_ON_ALTER, needs_replacement
from ddp_engine.model import Function, Kind, Snapshot, Trigger
from ddp_engine.registry import DEPARSED_KINDS, KINDS, SPEC_OF, object_key


def test_every_kind_is_read_listed_and_keyed_as_described() -> None:
    fields = Snapshot.model_fields
    deparsed = {spec.query for spec in DEPARSED_KINDS}  # read together, in one query
    for spec in KINDS:
        assert (spec.query in QUERY_NAMES or spec.query in deparsed) and load_query(spec.query)
        assert fields[spec.attr].annotation == tuple[spec.model, ...]
    assert len({spec.kind for spec in KINDS}) == len({spec.attr for spec in KINDS}) == len(KINDS)
    assert "deparsed" in QUERY_NAMES and not deparsed & set(QUERY_NAMES)


def test_only_the_kinds_read_with_others_have_no_builder_of_their_own() -> None:
    special = {spec.kind for spec in KINDS if spec.build is None}
    assert special == {Kind.SCHEMA, Kind.SEQUENCE, Kind.TABLE, Kind.VIEW}


def test_every_kind_has_its_generators() -> None:
    empty = Lookups.of_source(Snapshot(server_version=150000))
    builder = ddl.StepBuilder(PlanContext(empty, empty, (), "stamp"))
    assert {spec.kind for spec in KINDS} | {Kind.COLUMN} == set(builder.kinds)


def test_a_key_is_the_same_one_object_at_a_time_or_a_whole_list() -> None:
    function = Function(
        schema_name="s", name="f", identity_args="a integer", kind="f", body="(a integer) ..."
    )
    trigger = Trigger(schema_name="s", table="t", name="g", definition="CREATE TRIGGER ...")
    assert object_key(function) == ("function", "s", "f(a integer)", "")
    assert object_key(trigger) == ("trigger", "s", "t", "g")
    for obj in (function, trigger):
        assert index_objects((obj,)) == {object_key(obj): obj}


def alter(kind: Kind, *fields: str) -> Change:
    return Change(action=Action.ALTER, kind=kind, key=(kind, "s", "x", ""), fields=fields)


def test_what_an_alter_takes_is_read_from_the_description() -> None:
    assert not SPEC_OF[Kind.TRIGGER].recreates(["enabled", "comment"])
    assert SPEC_OF[Kind.TRIGGER].recreates(["definition"])
    assert not SPEC_OF[Kind.VIEW].recreates(["comment", "column_acls"])
    assert SPEC_OF[Kind.VIEW].recreates(["definition"])
    assert SPEC_OF[Kind.FUNCTION].recreates(["result_type"])
    assert not SPEC_OF[Kind.FUNCTION].recreates(["body", "comment"])
    assert not SPEC_OF[Kind.SEQUENCE].recreates(["increment"])
    assert needs_replacement(alter(Kind.TABLE, "partition_key"))
    assert not needs_replacement(alter(Kind.TABLE, "comment"))


def test_the_kind_sets_the_planner_uses() -> None:
    without_data = {Kind.VIEW, Kind.CONSTRAINT, Kind.INDEX, Kind.TRIGGER, Kind.POLICY}
    without_data.add(Kind.FUNCTION)
    without_data |= {spec.kind for spec in DEPARSED_KINDS}  # rules, operators, ...
    assert Kind.RULE in without_data and Kind.FOREIGN_TABLE in without_data
    assert without_data | {Kind.COLLATION} == RECREATED_ON_ALTER
    assert without_data | {Kind.DEFAULT} == REBUILDABLE
