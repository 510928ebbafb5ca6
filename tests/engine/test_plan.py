"""The plan's order across kinds, tombstones and their cleanup, and the rebuild closure."""

from __future__ import annotations

from ddp_engine.model import Constraint, Index, Key, Sequence, Table, Trigger, Unsupported, View
from tests.engine import objects as o
from tests.engine.kit import (
    STAMP,
    col,
    hazard_codes,
    is_subsequence,
    plan_of,
    snapshot,
    statements,
    table,
)

T = '"public"."t"'
TOMB = f"_dropped_{STAMP}"
T_BIGINT = table("t", col("id", "bigint", not_null=True), col("name", "text"))


def _position(found: list[str], prefix: str) -> int:
    """Index of the first statement starting with ``prefix`` (fails the test if none)."""
    return next(i for i, s in enumerate(found) if s.startswith(prefix))


def test_view_over_a_retyped_column_is_dropped_before_and_recreated_after() -> None:
    plan = plan_of(
        snapshot(T_BIGINT, o.VIEW, dependencies=o.VIEW_DEPS),
        snapshot(o.T, o.VIEW, dependencies=o.VIEW_DEPS),
    )
    assert statements(plan) == [
        'DROP VIEW "public"."v"',
        f'ALTER TABLE {T} ALTER COLUMN "id" TYPE bigint USING "id"::bigint',
        'CREATE VIEW "public"."v" AS\nSELECT t.id,\n    t.name\n   FROM public.t',
    ]
    assert [s.action for s in plan.steps] == ["drop", "alter", "create"]


def test_rebuild_closure_reaches_a_view_of_a_view() -> None:
    deps = o.VIEW_DEPS + o.W_DEPS
    plan = plan_of(
        snapshot(T_BIGINT, o.VIEW, o.VIEW_OF_VIEW, dependencies=deps),
        snapshot(o.T, o.VIEW, o.VIEW_OF_VIEW, dependencies=deps),
    )
    found = statements(plan)
    assert found[:2] == ['DROP VIEW "public"."w"', 'DROP VIEW "public"."v"']
    assert found[2].startswith(f'ALTER TABLE {T} ALTER COLUMN "id" TYPE bigint')
    assert found[3].startswith('CREATE VIEW "public"."v"')
    assert found[4].startswith('CREATE VIEW "public"."w"')
    assert all(
        "it stands on something that changes" in s.note for s in plan.steps if s.action == "create"
    )


def test_view_on_a_dropped_column_goes_first_and_comes_back_changed() -> None:
    narrow = View(
        schema_name="public",
        name="v",
        definition=" SELECT t.id\n   FROM public.t;",
        acl=("<owner>=arwdDxt",),
    )
    plan = plan_of(
        snapshot(table("t", col("id", not_null=True)), narrow, dependencies=o.VIEW_DEPS[:1]),
        snapshot(o.T, o.VIEW, dependencies=o.VIEW_DEPS),
    )
    assert statements(plan) == [
        'DROP VIEW "public"."v"',
        f'ALTER TABLE {T} RENAME COLUMN "name" TO "name{TOMB}"',
        'CREATE VIEW "public"."v" AS\nSELECT t.id\n   FROM public.t',
    ]


def test_unrelated_view_is_left_alone_when_a_column_changes_type() -> None:
    other = table("o", col("id"))
    view = View(
        schema_name="public", name="ov", definition=" SELECT o.id FROM public.o;", acl=("x=r",)
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("view", "public", "ov", ""), ("column", "public", "o", "id")),
    )
    plan = plan_of(
        snapshot(T_BIGINT, other, view, dependencies=deps),
        snapshot(o.T, other, view, dependencies=deps),
    )
    assert not any("VIEW" in s for s in statements(plan))


def test_new_tables_come_before_their_keys_and_a_foreign_key_after_its_primary_key() -> None:
    a = table("a", col("id", not_null=True))
    b = table("b", col("id", not_null=True), col("a_id"))
    pk = Constraint(
        schema_name="public",
        table="a",
        name="a_pkey",
        constraint_type="p",
        definition="PRIMARY KEY (id)",
        columns=("id",),
    )
    fk = Constraint(
        schema_name="public",
        table="b",
        name="b_a_id_fkey",
        constraint_type="f",
        definition="FOREIGN KEY (a_id) REFERENCES public.a(id)",
        columns=("a_id",),
        ref_table=("public", "a"),
        ref_columns=("id",),
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("constraint", "public", "b", "b_a_id_fkey"), ("constraint", "public", "a", "a_pkey")),
    )
    plan = plan_of(snapshot(a, b, pk, fk, dependencies=deps), snapshot())
    assert [s.section for s in plan.steps] == ["TABLE", "TABLE", "CONSTRAINT", "CONSTRAINT"]
    found = statements(plan)
    assert found[2].endswith('ADD CONSTRAINT "a_pkey" PRIMARY KEY (id)')
    assert found[3].endswith(
        'ADD CONSTRAINT "b_a_id_fkey" FOREIGN KEY (a_id) REFERENCES public.a(id)'
    )
    # dropping both: the foreign key first, although its table sorts after
    plan = plan_of(snapshot(a, b), snapshot(a, b, pk, fk, dependencies=deps))
    assert statements(plan) == [
        'ALTER TABLE "public"."b" DROP CONSTRAINT "b_a_id_fkey"',
        'ALTER TABLE "public"."a" DROP CONSTRAINT "a_pkey"',
    ]


def test_serial_sequence_is_created_before_its_table_and_owned_after() -> None:
    seq = Sequence(
        schema_name="public",
        name="u_id_seq",
        data_type="integer",
        max_value=2147483647,
        owned_by=("public", "u", "id"),
        acl=("<owner>=rwU",),
    )
    u = table("u", col("id", not_null=True, default="nextval('public.u_id_seq'::regclass)"))
    deps: tuple[tuple[Key, Key], ...] = (
        (("default", "public", "u", "id"), ("sequence", "public", "u_id_seq", "")),
        (("sequence", "public", "u_id_seq", ""), ("column", "public", "u", "id")),
    )
    found = statements(plan_of(snapshot(u, seq, dependencies=deps), snapshot()))
    assert found[0].startswith('CREATE SEQUENCE "public"."u_id_seq" AS integer')
    assert found[1].startswith('CREATE TABLE "public"."u"')
    assert found[2] == 'ALTER SEQUENCE "public"."u_id_seq" OWNED BY "public"."u"."id"'


def test_tombstoned_table_renames_its_keys_and_indexes_so_a_new_table_can_reuse_the_names() -> None:
    old = table("old", col("id", not_null=True))
    old_index = Index(schema_name="public", table="old", name="shared_idx", body="USING btree (id)")
    old_pk = Constraint(
        schema_name="public",
        table="old",
        name="old_pkey",
        constraint_type="p",
        definition="PRIMARY KEY (id)",
        columns=("id",),
    )
    new = table("new", col("id", not_null=True))
    new_index = old_index.model_copy(update={"table": "new"})
    plan = plan_of(snapshot(new, new_index), snapshot(old, old_index, old_pk))
    assert statements(plan) == [
        f'ALTER TABLE "public"."old" RENAME CONSTRAINT "old_pkey" TO "old_pkey{TOMB}"',
        f'ALTER INDEX "public"."shared_idx" RENAME TO "shared_idx{TOMB}"',
        f'ALTER TABLE "public"."old" RENAME TO "old{TOMB}"',
        'CREATE TABLE "public"."new" (\n  "id" integer NOT NULL\n)',
        'CREATE INDEX "shared_idx" ON "public"."new" USING btree (id)',
    ]
    assert not any(s.startswith("DROP INDEX") for s in statements(plan))
    assert plan.cleanup == (f'DROP TABLE IF EXISTS "public"."old{TOMB}";',)


def test_tombstoned_table_drops_its_triggers_and_foreign_keys() -> None:
    child = table("c", col("id"), col("t_id"))
    fk = Constraint(
        schema_name="public",
        table="c",
        name="c_t_fkey",
        constraint_type="f",
        definition="FOREIGN KEY (t_id) REFERENCES public.t(id)",
        columns=("t_id",),
    )
    trig = Trigger(
        schema_name="public",
        table="c",
        name="c_trg",
        definition="CREATE TRIGGER c_trg BEFORE INSERT ON public.c FOR EACH ROW EXECUTE FUNCTION public.f()",
    )
    plan = plan_of(snapshot(o.T, o.PK), snapshot(o.T, o.PK, child, fk, trig))
    assert statements(plan) == [
        'DROP TRIGGER "c_trg" ON "public"."c"',
        'ALTER TABLE "public"."c" DROP CONSTRAINT "c_t_fkey"',
        f'ALTER TABLE "public"."c" RENAME TO "c{TOMB}"',
    ]


def test_tombstoned_partition_is_detached_first() -> None:
    parent = table("p", col("id"), partitioned=True, partition_key="LIST (id)")
    part = table("p1", col("id"), partition_of="public.p", partition_bound="FOR VALUES IN (1)")
    plan = plan_of(snapshot(parent), snapshot(parent, part))
    assert statements(plan) == [
        'ALTER TABLE public.p DETACH PARTITION "public"."p1"',
        f'ALTER TABLE "public"."p1" RENAME TO "p1{TOMB}"',
    ]


def test_identity_sequence_of_a_tombstoned_table_is_renamed_with_it() -> None:
    plan = plan_of(snapshot(), snapshot(table("t", col("id", not_null=True, **o.IDENTITY))))
    assert statements(plan) == [
        f'ALTER SEQUENCE "public"."t_id_seq" RENAME TO "t_id_seq{TOMB}"',
        f'ALTER TABLE {T} RENAME TO "t{TOMB}"',
    ]


def test_cleanup_drops_dependants_before_what_they_stand_on() -> None:
    plan = plan_of(
        snapshot(table("keep", col("id"))),
        snapshot(
            table("keep", col("id"), col("gone")),
            o.T,
            o.SEQUENCE,
            o.TRIGGER_FN,
        ),
    )
    assert list(plan.cleanup) == [
        f'DROP TABLE IF EXISTS "public"."t{TOMB}";',
        f'ALTER TABLE "public"."keep" DROP COLUMN IF EXISTS "gone{TOMB}";',
        f'DROP FUNCTION IF EXISTS "public"."f{TOMB}"();',
        f'DROP SEQUENCE IF EXISTS "public"."s1{TOMB}";',
    ]
    assert hazard_codes(plan).count("kept_as_tombstone") == 4


def test_tombstone_names_follow_the_plan_moment() -> None:
    plan = plan_of(snapshot(), snapshot(o.T))
    assert plan.stamp == STAMP
    assert plan.generated_at == "2026-01-02T03:04:05.678Z"


def test_long_names_are_shortened_to_63_bytes_when_tombstoned() -> None:
    long_name = "x" * 60
    plan = plan_of(snapshot(), snapshot(table(long_name, col("id"))))
    renamed = statements(plan)[0].split(" RENAME TO ")[1].strip('"')
    assert len(renamed.encode()) <= 63
    assert renamed.endswith(STAMP)


def test_enum_label_removed_rebuilds_the_type_and_moves_its_columns() -> None:
    column_of_enum: tuple[tuple[Key, Key], ...] = (
        (("column", "public", "t", "m"), ("type", "public", "mood", "")),
    )
    with_enum = table("t", col("id"), col("m", "public.mood"))
    plan = plan_of(
        snapshot(
            o.ENUM.model_copy(update={"labels": ("sad",)}), with_enum, dependencies=column_of_enum
        ),
        snapshot(o.ENUM, with_enum, dependencies=column_of_enum),
    )
    assert statements(plan) == [
        f'ALTER TYPE "public"."mood" RENAME TO "mood{TOMB}"',
        'CREATE TYPE "public"."mood" AS ENUM (\'sad\')',
        'ALTER TABLE "public"."t" ALTER COLUMN "m" TYPE public.mood USING "m"::text::public.mood',
        f'DROP TYPE "public"."mood{TOMB}"',
    ]
    moved = plan.steps[2]
    assert [h.code for h in moved.hazards] == [
        "access_exclusive_lock",
        "rewrites_table",
        "may_fail_on_data",
    ]
    # the data check counts the rows whose label the new type lacks
    assert moved.check == ("labels", "public", "t", "m", "", "sad")


def test_trigger_function_recreated_takes_its_trigger_along() -> None:
    changed = o.TRIGGER_FN.model_copy(
        update={
            "result_type": "event_trigger",
            "body": o.TRIGGER_FN.body.replace("trigger", "event_trigger"),
        }
    )
    plan = plan_of(
        snapshot(o.T, changed, o.TRIGGER, dependencies=o.TRIGGER_DEPS),
        snapshot(o.T, o.TRIGGER_FN, o.TRIGGER, dependencies=o.TRIGGER_DEPS),
    )
    found = statements(plan)
    drop_trigger = found.index(f'DROP TRIGGER "trg" ON {T}')
    drop_function = found.index('DROP FUNCTION "public"."f"()')
    create_trigger = found.index(o.TRIGGER.definition)
    create_function = _position(found, 'CREATE OR REPLACE FUNCTION "public"."f"()')
    assert drop_trigger < drop_function < create_function < create_trigger


def test_index_on_a_retyped_column_is_left_to_the_alter() -> None:
    deps: tuple[tuple[Key, Key], ...] = (
        (("index", "public", "t_name_idx", ""), ("column", "public", "t", "name")),
    )
    plan = plan_of(
        snapshot(
            table("t", col("id", not_null=True), col("name", "varchar")), o.INDEX, dependencies=deps
        ),
        snapshot(o.T, o.INDEX, dependencies=deps),
    )
    assert statements(plan) == [
        f'ALTER TABLE {T} ALTER COLUMN "name" TYPE varchar USING "name"::varchar'
    ]


def test_a_target_with_unsupported_objects_reports_them_sorted() -> None:
    odd = (
        Unsupported(schema_name="public", object_type="rule", identity="r2"),
        Unsupported(schema_name="public", object_type="event trigger", identity="e1"),
    )
    plan = plan_of(snapshot(), snapshot(unsupported=odd))
    assert [u.identity for u in plan.unsupported] == ["e1", "r2"]
    # only in the target: never "in sync"; each difference blocks an apply, statement-free
    assert not plan.is_empty and all(not s.statements for s in plan.steps)
    assert hazard_codes(plan) == ["not_synchronised", "not_synchronised"]
    assert plan.refused() == ["not_synchronised"]
    assert plan.changes == () and plan.differences == 2
    alike = plan_of(snapshot(unsupported=odd), snapshot(unsupported=odd))
    assert alike.is_empty and len(alike.unsupported) == 2  # listed, the same on both sides
    assert alike.differences == 0


def test_an_unsynchronised_object_changed_under_the_same_name_is_refused_not_in_sync() -> None:
    def conversion(definition: str) -> Unsupported:
        return Unsupported(
            schema_name="public", object_type="conversion", identity="c1", definition=definition
        )

    plan = plan_of(
        snapshot(unsupported=(conversion("LATIN1 UTF8 iso8859_1_to_utf8 false"),)),
        snapshot(unsupported=(conversion("LATIN2 UTF8 iso8859_to_utf8 false"),)),
    )
    assert [(s.action, s.statements) for s in plan.steps] == [("alter", ())]
    assert hazard_codes(plan) == ["not_synchronised"] and plan.differences == 1
    assert [u.definition for u in plan.unsupported] == ["LATIN1 UTF8 iso8859_1_to_utf8 false"]
    same = conversion("LATIN1 UTF8 iso8859_1_to_utf8 false")
    assert plan_of(snapshot(unsupported=(same,)), snapshot(unsupported=(same,))).is_empty


def test_the_diff_stage_is_not_in_sync_when_only_an_unsynchronised_object_differs() -> None:
    """Dagster's drift check asks the diff stage: an object DDP does not model, on one side
    only, must not read as "in sync" there either."""
    from ddp_engine.sync import SchemaDiff

    odd = (Unsupported(schema_name="public", object_type="conversion", identity="c1"),)
    one_side = SchemaDiff(source=snapshot(), target=snapshot(unsupported=odd), changes=())
    assert not one_side.is_empty and one_side.not_synchronised == 1
    both = SchemaDiff(
        source=snapshot(unsupported=odd), target=snapshot(unsupported=odd), changes=()
    )
    assert both.is_empty and both.not_synchronised == 0


def test_equal_snapshots_give_an_empty_plan() -> None:
    both = snapshot(o.T, o.PK, o.INDEX, o.VIEW, o.TRIGGER_FN, o.TRIGGER, o.ENUM, o.SEQUENCE)
    plan = plan_of(both, both)
    assert plan.is_empty
    assert plan.changes == ()
    assert plan.cleanup == ()


def test_plan_counts_statements_per_section() -> None:
    plan = plan_of(snapshot(o.T, o.PK, o.UNIQUE, o.INDEX), snapshot())
    assert plan.counts() == {"TABLE": 1, "CONSTRAINT": 2, "INDEX": 1}


def test_refused_lists_the_blocking_codes_not_allowed() -> None:
    plan = plan_of(
        snapshot(o.T.model_copy(update={"partitioned": True, "partition_key": "LIST (id)"})),
        snapshot(o.T),
    )
    assert plan.refused() == ["data_not_carried"]
    assert plan.refused(frozenset({"data_not_carried"})) == []


def test_cross_schema_sync_relabels_the_source() -> None:
    app = Table(schema_name="app", name="t", columns=(col("id"),), acl=("<owner>=arwdDxt",))
    from ddp_engine.model import Schema

    source = snapshot(app, schemas=(Schema(name="app"),))
    target = snapshot(table("t", col("id")), table("extra", col("id")))
    plan = plan_of(source, target, source_schema="app")
    assert statements(plan) == [f'ALTER TABLE "public"."extra" RENAME TO "extra{TOMB}"']


def test_online_index_runs_after_the_transaction() -> None:
    plan = plan_of(snapshot(o.T, o.INDEX), snapshot(o.T), online=True)
    assert [s.online for s in plan.steps] == [True]
    assert plan.steps[0].hazards == ()
    assert is_subsequence(
        ["CREATE INDEX CONCURRENTLY"], [s.split(' "')[0] for s in statements(plan)]
    )


def test_the_targets_conversion_decides_the_using_clause_and_the_check() -> None:
    from ddp_engine.conversions import Conversion

    asked: list[set[tuple[str, str]]] = []

    def reader(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Conversion]:
        asked.append(pairs)
        return {("integer", "bigint"): Conversion("assign", "eq")}

    plan = plan_of(snapshot(T_BIGINT), snapshot(o.T), conversions=reader)
    assert asked == [{("integer", "bigint")}]
    assert statements(plan) == [f'ALTER TABLE {T} ALTER COLUMN "id" TYPE bigint']
    assert [s.check for s in plan.steps] == [
        ("convert", "public", "t", "id", "integer", "bigint", "assign", "eq")
    ]


def test_a_conversion_through_text_for_a_type_the_target_cannot_tell() -> None:
    mood = table("t", col("id"), col("m", "public.mood"))
    plan = plan_of(
        snapshot(o.ENUM, mood), snapshot(o.ENUM, table("t", col("id"), col("m", "text")))
    )
    assert statements(plan) == [
        f'ALTER TABLE {T} ALTER COLUMN "m" TYPE public.mood USING "m"::pg_catalog.text::public.mood'
    ]
    assert [step.check[6] for step in plan.steps] == ["text"]  # counted through text too


def test_lookups_made_ahead_give_the_same_plan() -> None:
    from ddp_engine.plan import Lookups

    source = snapshot(T_BIGINT, o.VIEW, dependencies=o.VIEW_DEPS)
    target = snapshot(o.T, o.VIEW, dependencies=o.VIEW_DEPS)
    ahead = plan_of(source, target, lookups=(Lookups.of_source(source), Lookups.of_target(target)))
    assert statements(ahead) == statements(plan_of(source, target))
    # lookups of other snapshots are not taken for these
    stale = (Lookups.of_source(snapshot()), Lookups.of_target(snapshot()))
    assert statements(plan_of(source, target, lookups=stale)) == statements(ahead)


def test_a_dependency_cycle_is_broken_with_a_warning() -> None:
    a = View(schema_name="public", name="a", definition=" SELECT 1;", acl=("<owner>=arwdDxt",))
    b = View(schema_name="public", name="b", definition=" SELECT 2;", acl=("<owner>=arwdDxt",))
    deps: tuple[tuple[Key, Key], ...] = (
        (("view", "public", "a", ""), ("view", "public", "b", "")),
        (("view", "public", "b", ""), ("view", "public", "a", "")),
    )
    plan = plan_of(snapshot(a, b, dependencies=deps), snapshot())
    assert len(plan.steps) == 2
    assert plan.warnings == ("dependency cycle broken at: Create missing view a",)


def test_a_changed_column_default_that_a_view_uses_is_rebuilt_around_it() -> None:
    with_default = table("t", col("id", not_null=True, default="0"), col("name", "text"))
    seq_default = table(
        "t", col("id", not_null=True, default="nextval('public.s1'::regclass)"), col("name", "text")
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("default", "public", "t", "id"), ("sequence", "public", "s1", "")),
    )
    plan = plan_of(snapshot(seq_default, o.SEQUENCE, dependencies=deps), snapshot(with_default))
    found = statements(plan)
    assert found.index(
        'CREATE SEQUENCE "public"."s1" AS bigint INCREMENT BY 1 MINVALUE 1 '
        "MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE"
    ) < found.index(
        f"ALTER TABLE {T} ALTER COLUMN \"id\" SET DEFAULT nextval('public.s1'::regclass)"
    )


def test_dropping_a_sequence_a_default_uses_drops_the_default_first() -> None:
    seq_default = table(
        "t", col("id", not_null=True, default="nextval('public.s1'::regclass)"), col("name", "text")
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("default", "public", "t", "id"), ("sequence", "public", "s1", "")),
    )
    plan = plan_of(snapshot(o.T), snapshot(seq_default, o.SEQUENCE, dependencies=deps))
    assert statements(plan) == [
        f'ALTER TABLE {T} ALTER COLUMN "id" DROP DEFAULT',
        f'ALTER SEQUENCE "public"."s1" RENAME TO "s1{TOMB}"',
    ]


def test_a_recomputed_generated_column_takes_its_index_and_view_along() -> None:
    index_deps: tuple[tuple[Key, Key], ...] = (
        (("index", "public", "t_name_idx", ""), ("column", "public", "t", "name")),
    )
    view_deps: tuple[tuple[Key, Key], ...] = (
        (("view", "public", "v", ""), ("column", "public", "t", "name")),
    )
    view = View(
        schema_name="public",
        name="v",
        definition=" SELECT t.name FROM public.t;",
        acl=("<owner>=arwdDxt",),
    )
    x = col("x", "text")
    for new_type, dependant, deps, drop, create in (
        (
            "varchar",  # type and expression change together: ALTER TYPE does not apply
            o.INDEX,
            index_deps,
            'DROP INDEX "public"."t_name_idx"',
            'CREATE INDEX "t_name_idx" ON "public"."t" USING btree (name)',
        ),
        (
            "text",
            view,
            view_deps,
            'DROP VIEW "public"."v"',
            'CREATE VIEW "public"."v" AS\nSELECT t.name FROM public.t',
        ),
    ):
        source = table("t", col("id"), col("name", new_type, generated="upper(x)"), x)
        target = table("t", col("id"), col("name", "text", generated="lower(x)"), x)
        plan = plan_of(
            snapshot(source, dependant, dependencies=deps),
            snapshot(target, dependant, dependencies=deps),
        )
        assert statements(plan) == [
            drop,
            'ALTER TABLE "public"."t" DROP COLUMN "name"',
            f'ALTER TABLE "public"."t" ADD COLUMN "name" {new_type} GENERATED ALWAYS AS (upper(x)) STORED',
            create,
        ]


def test_a_schema_tombstoned_whole_takes_what_is_in_it_along() -> None:
    from ddp_engine.model import Schema

    app = Schema(name="app", acl=("<owner>=UC",))
    inside = Table(schema_name="app", name="t", columns=(col("id"),), acl=("<owner>=arwdDxt",))
    index = Index(schema_name="app", table="t", name="ai", body="USING btree (id)")
    seq = Sequence(schema_name="app", name="s", acl=("<owner>=rwU",))
    plan = plan_of(
        snapshot(all_schemas=True),
        snapshot(inside, index, seq, all_schemas=True, schemas=(o.PUBLIC_SCHEMA, app)),
    )
    assert statements(plan) == [f'ALTER SCHEMA "app" RENAME TO "app{TOMB}"']
    assert plan.cleanup == (f'DROP SCHEMA IF EXISTS "app{TOMB}" CASCADE;',)


def test_a_replaced_table_is_created_whole_without_column_steps() -> None:
    source = table(
        "t",
        col("id", not_null=True),
        col("name", "varchar"),
        col("extra"),
        partitioned=True,
        partition_key="LIST (id)",
    )
    plan = plan_of(snapshot(source), snapshot(o.T))
    assert statements(plan) == [
        f'ALTER TABLE {T} RENAME TO "t{TOMB}"',
        f'CREATE TABLE {T} (\n  "id" integer NOT NULL,\n  "name" varchar,\n  "extra" integer\n) '
        "PARTITION BY LIST (id)",
    ]


def test_a_retyped_column_loses_and_regains_its_default_around_the_change() -> None:
    before = table("t", col("id", not_null=True, default="0"), col("name", "text"))
    after = table("t", col("id", "bigint", not_null=True, default="0"), col("name", "text"))
    assert statements(plan_of(snapshot(after), snapshot(before))) == [
        f'ALTER TABLE {T} ALTER COLUMN "id" DROP DEFAULT',
        f'ALTER TABLE {T} ALTER COLUMN "id" TYPE bigint USING "id"::bigint',
        f'ALTER TABLE {T} ALTER COLUMN "id" SET DEFAULT 0',
    ]


def test_drops_come_before_creates_within_a_section_whatever_the_names() -> None:
    new_index = Index(schema_name="public", table="t", name="a_idx", body="USING btree (id)")
    old_index = Index(schema_name="public", table="t", name="z_idx", body="USING btree (name)")
    plan = plan_of(snapshot(o.T, new_index), snapshot(o.T, old_index))
    assert statements(plan) == [
        'DROP INDEX "public"."z_idx"',
        f'CREATE INDEX "a_idx" ON {T} USING btree (id)',
    ]


def test_steps_of_one_section_sort_by_schema_then_name() -> None:
    from ddp_engine.model import Schema

    first = Table(schema_name="a", name="zz", columns=(col("id"),), acl=("<owner>=arwdDxt",))
    second = Table(schema_name="b", name="aa", columns=(col("id"),), acl=("<owner>=arwdDxt",))
    schemas = (o.PUBLIC_SCHEMA, Schema(name="a"), Schema(name="b"))
    plan = plan_of(
        snapshot(second, first, all_schemas=True, schemas=schemas),
        snapshot(all_schemas=True, schemas=schemas),
    )
    assert [s.split(" (")[0] for s in statements(plan)] == [
        'CREATE TABLE "a"."zz"',
        'CREATE TABLE "b"."aa"',
    ]


def test_a_view_over_a_column_of_a_rebuilt_enum_is_rebuilt_around_it() -> None:
    with_enum = table("t", col("id"), col("m", "public.mood"))
    view = View(
        schema_name="public",
        name="v",
        definition=" SELECT t.m FROM public.t;",
        acl=("<owner>=arwdDxt",),
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("column", "public", "t", "m"), ("type", "public", "mood", "")),
        (("view", "public", "v", ""), ("column", "public", "t", "m")),
    )
    plan = plan_of(
        snapshot(
            o.ENUM.model_copy(update={"labels": ("sad",)}), with_enum, view, dependencies=deps
        ),
        snapshot(o.ENUM, with_enum, view, dependencies=deps),
    )
    found = statements(plan)
    assert found[0] == 'DROP VIEW "public"."v"'
    assert found[-1] == 'CREATE VIEW "public"."v" AS\nSELECT t.m FROM public.t'
    assert f'ALTER TYPE "public"."mood" RENAME TO "mood{TOMB}"' in found


def test_a_view_over_a_column_of_a_replaced_table_moves_to_the_new_table() -> None:
    """The rename takes the view along to the tombstone: it is made again on the new table."""
    view = View(
        schema_name="public",
        name="v",
        definition=" SELECT t.id FROM public.t;",
        acl=("<owner>=arwdDxt",),
    )
    deps: tuple[tuple[Key, Key], ...] = (
        (("view", "public", "v", ""), ("column", "public", "t", "id")),
    )
    partitioned = o.T.model_copy(update={"partitioned": True, "partition_key": "LIST (id)"})
    found = statements(
        plan_of(
            snapshot(partitioned, view, dependencies=deps), snapshot(o.T, view, dependencies=deps)
        )
    )
    assert found[0] == f'ALTER TABLE {T} RENAME TO "t{TOMB}"'
    assert found[2:] == [
        'DROP VIEW "public"."v"',
        'CREATE VIEW "public"."v" AS\nSELECT t.id FROM public.t',
    ]


def test_a_new_enum_label_used_at_once_rebuilds_the_type() -> None:
    """ADD VALUE cannot be used in the transaction that adds it."""
    happy = o.ENUM.model_copy(update={"labels": ("sad", "ok", "happy")})
    with_enum = table("t", col("id"), col("m", "public.mood"))
    check = Constraint(
        schema_name="public",
        table="t",
        name="t_m_check",
        constraint_type="c",
        definition="CHECK ((m <> 'happy'::public.mood))",
        columns=("m",),
    )
    rebuilt = statements(plan_of(snapshot(happy, with_enum, check), snapshot(o.ENUM, with_enum)))
    assert rebuilt[0] == f'ALTER TYPE "public"."mood" RENAME TO "mood{TOMB}"'
    added = statements(plan_of(snapshot(happy, with_enum), snapshot(o.ENUM, with_enum)))
    assert added == ['ALTER TYPE "public"."mood" ADD VALUE \'happy\'']


def test_a_function_body_naming_the_source_schema_is_a_hazard_of_a_cross_schema_sync() -> None:
    from ddp_engine.model import Function, Schema

    body = "()\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT count(*) FROM app.t$function$"
    function = Function(
        schema_name="app",
        name="n",
        identity_args="",
        kind="f",
        body=body,
        acl=("<owner>=X", "PUBLIC=X"),
    )
    plan = plan_of(
        snapshot(function, schemas=(Schema(name="app"),)), snapshot(), source_schema="app"
    )
    assert hazard_codes(plan) == ["body_names_source_schema"]
    plain = function.model_copy(update={"body": body.replace("app.t", "t")})
    assert (
        hazard_codes(
            plan_of(snapshot(plain, schemas=(Schema(name="app"),)), snapshot(), source_schema="app")
        )
        == []
    )
