"""Snapshots: JSON round trips (Dagster stores them as JSON), dependencies, relabelling and
cross-version clean-up keep their objects intact."""

from __future__ import annotations

from ddp_engine.context import PlanContext
from ddp_engine.crossversion import strip_privileges
from ddp_engine.introspect import introspect
from ddp_engine.model import Column, Constraint, Snapshot
from ddp_engine.plan import Lookups, make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.relabel import relabel
from ddp_engine.sync import compare
from tests.conftest import apply_script


def test_snapshot_json_round_trip_keeps_the_fingerprint(server, make_db) -> None:
    db = make_db(
        "CREATE TYPE e AS ENUM ('a'); CREATE TABLE t (id serial PRIMARY KEY, e e,"
        " g int GENERATED ALWAYS AS IDENTITY); CREATE VIEW v AS SELECT id FROM t;"
        "CREATE INDEX i ON t (e) WHERE id > 0; COMMENT ON COLUMN t.e IS 'x';"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    again = Snapshot.model_validate_json(snapshot.model_dump_json())
    assert again == snapshot
    assert again.fingerprint() == snapshot.fingerprint()


def test_plan_json_round_trip(server, make_db) -> None:
    source = make_db("CREATE TABLE t (a int, b text NOT NULL);")
    target = make_db("CREATE TABLE t (a int); CREATE TABLE gone (x int);")
    plan = compare(server.settings(source), server.settings(target)).plan
    assert Plan.model_validate_json(plan.model_dump_json()) == plan


def test_each_dependency_once_and_the_fingerprint_ignores_their_order(server, make_db) -> None:
    """pg_depend holds an edge per mention (a CHECK naming a column twice, an index on a column
    it also filters on); dependencies.sql sends them unsorted and the reader keeps each once."""
    db = make_db(
        "CREATE TABLE t (a int CHECK (a > 0 AND a < 10), b int);"
        "CREATE INDEX i ON t (a) WHERE a > 0;"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    edges = snapshot.dependencies
    assert len(edges) == len(set(edges))
    column_a = ("column", "public", "t", "a")
    assert edges.count((("index", "public", "i", ""), column_a)) == 1
    assert edges.count((("constraint", "public", "t", "t_a_check"), column_a)) == 1
    reordered = snapshot.model_copy(update={"dependencies": tuple(reversed(edges))})
    assert reordered.fingerprint() == snapshot.fingerprint()


def test_two_schemas_of_one_database_converge(server, make_db, tmp_path) -> None:
    """Single-schema mode relabels the source schema as the target's before comparing: columns
    (named tuples, not models) must come through with their values and their type."""
    db = make_db(
        "DO $$ BEGIN CREATE ROLE ddp_test_reader NOLOGIN;"
        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        "CREATE SCHEMA dev; CREATE SCHEMA prod;"
        "CREATE TABLE dev.t (id int PRIMARY KEY, note text DEFAULT 'dev', n int NOT NULL);"
        "COMMENT ON COLUMN dev.t.note IS 'in dev'; GRANT SELECT (note) ON dev.t TO ddp_test_reader;"
        "CREATE TABLE prod.t (id int PRIMARY KEY, note varchar(5));"
    )
    source, target = server.settings(db, "dev"), server.settings(db, "prod")
    relabelled = relabel(introspect(source, "source")[0], "dev", "prod")
    assert all(isinstance(c, Column) for t in relabelled.tables for c in t.columns)
    result = compare(source, target)
    changed = {c.key for c in result.plan.changes if c.kind == "column"}
    assert changed == {("column", "prod", "t", "note"), ("column", "prod", "t", "n")}
    apply_script(server, db, result.script, tmp_path)
    assert compare(source, target).plan.is_empty


def test_privileges_unknown_to_an_older_server_leave_column_grants(server, make_db) -> None:
    """Cross-version: a privilege the older server lacks (MAINTAIN, 17+) is left out of
    column grants too, which are named tuples rather than models."""
    db = make_db("CREATE TABLE t (a int, b int);")
    snapshot, _ = introspect(server.settings(db), "source")
    table = snapshot.tables[0]
    granted = table.model_copy(
        update={"columns": (table.columns[0]._replace(acl=("reader=mr",)), table.columns[1])}
    )
    newer = snapshot.model_copy(update={"tables": (granted,), "server_version": 170000})
    stripped = strip_privileges(newer, 160000)
    columns = stripped.tables[0].columns
    assert all(isinstance(c, Column) for c in columns)
    assert columns[0].acl == ("reader=r",)
    assert columns[1] == table.columns[1]


def test_columns_read_with_every_plain_field_in_its_place(server, make_db) -> None:
    """The reader builds most columns as bare tuples, by position: each value must land in
    its own field."""
    db = make_db(
        "CREATE TABLE t (a text COLLATE \"C\" NOT NULL DEFAULT 'x',"
        " b int GENERATED ALWAYS AS (2) STORED);"
        "ALTER TABLE t ALTER a SET STATISTICS 50, ALTER a SET STORAGE EXTERNAL;"
        "COMMENT ON COLUMN t.a IS 'note';"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    a, b = snapshot.tables[0].columns
    assert a == Column(
        name="a",
        data_type="text",
        not_null=True,
        default="'x'::text",
        collation='"C"',
        statistics=50,
        storage="e",
        comment="note",
    )
    assert b == Column(name="b", data_type="integer", generated="2")


def test_trusted_objects_equal_validated_ones_field_for_field() -> None:
    """The reader's unvalidated constructor keeps field order (serialisation and the
    fingerprint follow it) whatever order the values come in, and fills the defaults."""
    values = {"name": "c", "definition": "CHECK (a > 0)", "constraint_type": "c"}
    values |= {"table": "t", "schema_name": "public", "columns": ("a",)}
    fast = Constraint.trusted(**values)
    assert fast == Constraint(**values)
    assert list(fast.__dict__) == list(Constraint.model_fields)
    assert fast.model_dump_json() == Constraint(**values).model_dump_json()


def test_a_default_stands_on_its_column_without_an_edge_for_it(server, make_db) -> None:
    """dependencies.sql leaves out the edge every default has to its own column (a third of a
    catalog's edges); the planner's graph still has it, both ways."""
    db = make_db("CREATE SEQUENCE s; CREATE TABLE t (a int DEFAULT nextval('s'), b int);")
    snapshot, _ = introspect(server.settings(db), "source")
    default_a, column_a = ("default", "public", "t", "a"), ("column", "public", "t", "a")
    assert (default_a, column_a) not in snapshot.dependencies
    assert (default_a, ("sequence", "public", "s", "")) in snapshot.dependencies
    ctx = PlanContext(
        Lookups.of_source(snapshot), Lookups.of_target(snapshot), (), "2026-01-01T00-00-00-000Z"
    )
    assert ctx.target_dependents(column_a) == [default_a]
    assert ctx.target_dependents(("column", "public", "t", "b")) == []
    assert column_a in ctx.source_requirements(default_a)
    assert ("sequence", "public", "s", "") in ctx.source_requirements(default_a)


def test_edges_with_a_renamed_dropped_end_are_left_out(server, make_db) -> None:
    """A table (or column) DDP renamed to keep its data is outside every diff, and so are the
    edges that touch it; an ordinary name merely containing ``_dropped_`` is kept."""
    stamp = "2026-01-01T00-00-00-000Z"
    db = make_db(
        f'CREATE TABLE "t_dropped_{stamp}" (a int); CREATE VIEW v AS SELECT a FROM "t_dropped_{stamp}";'
        f'CREATE TABLE u (a int, "b_dropped_{stamp}" int CHECK ("b_dropped_{stamp}" > 0));'
        "CREATE TABLE not_dropped_really (a int); CREATE INDEX i ON not_dropped_really (a);"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    ends = {end for edge in snapshot.dependencies for end in edge}
    assert not any("_dropped_2" in part for end in ends for part in end)
    assert (("view", "public", "v", ""), ("table", "public", f"t_dropped_{stamp}", "")) not in (
        snapshot.dependencies
    )
    assert (
        ("index", "public", "i", ""),
        ("column", "public", "not_dropped_really", "a"),
    ) in snapshot.dependencies


def test_lookups_are_taken_only_for_the_snapshot_they_were_made_from(server, make_db) -> None:
    """read_both makes each side's lookups while the other side is read; the planner must not
    take them for any other snapshot (a relabelled or cross-version source is a new one)."""
    source, _ = introspect(server.settings(make_db("CREATE TABLE t (a int, b text);")), "source")
    target, _ = introspect(server.settings(make_db("CREATE TABLE t (a int);")), "target")
    labels = dict(source_label="s", target_label="t", target_schema="public", target_fingerprint="")
    plain = make_plan(source, target, **labels)
    assert [c.label for c in plain.changes] == ["public.t.b"]
    made = (Lookups.of_source(source), Lookups.of_target(target))
    assert make_plan(source, target, **labels, lookups=made).changes == plain.changes
    stale = (Lookups.of_source(target), Lookups.of_target(source))  # of other snapshots
    assert make_plan(source, target, **labels, lookups=stale).changes == plain.changes


def test_both_sides_read_into_one_pool_of_equal_objects(server, make_db) -> None:
    """Objects equal on both sides are one object (half the memory of two copies); the ones
    that differ stay each side's own, and the plan is the one two separate reads give."""
    ddl = "CREATE TABLE t (a int PRIMARY KEY, b text CHECK (b <> ''));"
    source = server.settings(make_db(ddl + "CREATE TABLE u (x int);"))
    target = server.settings(make_db(ddl + "CREATE TABLE u (x bigint);"))
    shared: dict = {}
    src, _ = introspect(source, "source", shared=shared)
    tgt, _ = introspect(target, "target", shared=shared)
    by_name = {t.name: t for t in src.tables}
    for table in tgt.tables:
        assert (table is by_name[table.name]) == (table.name == "t")
    assert all(any(c is s for s in src.constraints) for c in tgt.constraints)
    labels = dict(source_label="s", target_label="t", target_schema="public", target_fingerprint="")
    alone = make_plan(introspect(source, "source")[0], introspect(target, "target")[0], **labels)
    assert make_plan(src, tgt, **labels).changes == alone.changes
