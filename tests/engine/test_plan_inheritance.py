"""Order rules of partitioned tables, inheritance children and generated columns."""

from __future__ import annotations

from ddp_engine.model import Constraint, Index, Key
from tests.engine import objects as o
from tests.engine.kit import STAMP, col, hazard_codes, plan_of, snapshot, statements, table

T = '"public"."t"'
#: The expression of a generated column calls ``g``: pg_depend's edge runs from the column's
#: pg_attrdef entry (keyed as its default) to the function.
GENERATED_DEPS: tuple[tuple[Key, Key], ...] = (
    (("default", "public", "t", "twice"), ("function", "public", "g(integer)", "")),
)


def _position(found: list[str], prefix: str) -> int:
    """Index of the first statement starting with ``prefix`` (fails the test if none)."""
    return next(i for i, s in enumerate(found) if s.startswith(prefix))


def test_a_new_generated_column_comes_after_the_function_its_expression_calls() -> None:
    twice = col("twice", generated="public.g(id)")
    source = snapshot(table("t", col("id"), twice), o.SQL_FN, dependencies=GENERATED_DEPS)
    found = statements(plan_of(source, snapshot(table("t", col("id")))))
    function = _position(found, 'CREATE OR REPLACE FUNCTION "public"."g"')
    column = _position(found, f'ALTER TABLE {T} ADD COLUMN "twice"')
    assert function < column, found


def test_a_new_table_with_a_generated_column_comes_after_the_function_it_calls() -> None:
    twice = col("twice", generated="public.g(id)")
    source = snapshot(table("t", col("id"), twice), o.SQL_FN, dependencies=GENERATED_DEPS)
    found = statements(plan_of(source, snapshot()))
    assert _position(found, "CREATE OR REPLACE FUNCTION") < _position(found, "CREATE TABLE"), found


def test_a_recomputed_generated_column_comes_after_its_new_function() -> None:
    source = snapshot(
        table("t", col("id"), col("twice", generated="public.g(id)")),
        o.SQL_FN,
        dependencies=GENERATED_DEPS,
    )
    target = snapshot(table("t", col("id"), col("twice", generated="(id * 2)")))
    found = statements(plan_of(source, target))
    function = _position(found, 'CREATE OR REPLACE FUNCTION "public"."g"')
    assert function < _position(found, f'ALTER TABLE {T} ADD COLUMN "twice"'), found


#: A name with a quote and a newline: every statement must quote it through the one helper.
ODD = 'pop "x"\nulation'
ODD_SQL = '"pop ""x""\nulation"'
CITIES = '"public"."cities"'
CAPITALS = '"public"."capitals"'
CHILD_EDGE: tuple[tuple[Key, Key], ...] = (
    (("table", "public", "capitals", ""), ("table", "public", "cities", "")),
)


def _cities(default: str | None = None) -> object:
    return table("cities", col("name", "text"), col(ODD, "double precision", default=default))


def test_a_parents_new_default_reaches_children_that_hold_none_of_their_own() -> None:
    child = table("capitals", col("state", "character(2)"), inherits=("public.cities",))
    plan = plan_of(snapshot(_cities("0"), child), snapshot(_cities(), child))
    assert statements(plan) == [f"ALTER TABLE {CITIES} ALTER COLUMN {ODD_SQL} SET DEFAULT 0"]


def test_a_parents_new_default_is_set_only_on_it_where_a_child_keeps_its_own() -> None:
    old = table("capitals", col("state", "character(2)"), inherits=("public.cities",))
    new = old.model_copy(update={"inherited_defaults": ((ODD, "100000"),)})
    plan = plan_of(snapshot(_cities("0"), new), snapshot(_cities(), old))
    assert statements(plan) == [
        f"ALTER TABLE ONLY {CITIES} ALTER COLUMN {ODD_SQL} SET DEFAULT 0",
        f"ALTER TABLE ONLY {CAPITALS} ALTER COLUMN {ODD_SQL} SET DEFAULT 100000",
    ]
    # and back: the child's own default dropped, the parent's dropped on it alone
    plan = plan_of(snapshot(_cities(), old), snapshot(_cities("0"), new))
    assert statements(plan) == [
        f"ALTER TABLE ONLY {CITIES} ALTER COLUMN {ODD_SQL} DROP DEFAULT",
        f"ALTER TABLE ONLY {CAPITALS} ALTER COLUMN {ODD_SQL} DROP DEFAULT",
    ]


def test_a_child_that_follows_its_parent_is_set_when_the_parent_is_set_only_on_itself() -> None:
    keeps = table("capitals", col("state", "character(2)"), inherits=("public.cities",))
    keeps_own = keeps.model_copy(update={"inherited_defaults": ((ODD, "7"),)})
    follows = table("towns", inherits=("public.cities",))
    plan = plan_of(
        snapshot(_cities("0"), keeps_own, follows), snapshot(_cities(), keeps_own, follows)
    )
    assert statements(plan) == [
        f"ALTER TABLE ONLY {CITIES} ALTER COLUMN {ODD_SQL} SET DEFAULT 0",
        f'ALTER TABLE ONLY "public"."towns" ALTER COLUMN {ODD_SQL} SET DEFAULT 0',
    ]


def test_no_inherit_runs_before_the_old_parent_is_renamed_and_the_default_follows_the_new() -> None:
    old_child = table("capitals", col("state", "character(2)"), inherits=("public.cities",))
    new_child = old_child.model_copy(update={"inherits": ("public.settlements",)})
    settlements = table(
        "settlements", col("name", "text"), col(ODD, "double precision", default="1")
    )
    plan = plan_of(
        snapshot(settlements, new_child), snapshot(_cities("0"), old_child, dependencies=CHILD_EDGE)
    )
    found = statements(plan)
    no_inherit = found.index(f"ALTER TABLE {CAPITALS} NO INHERIT public.cities")
    rename = _position(found, f"ALTER TABLE {CITIES} RENAME TO")
    inherit = found.index(f"ALTER TABLE {CAPITALS} INHERIT public.settlements")
    default = found.index(f"ALTER TABLE ONLY {CAPITALS} ALTER COLUMN {ODD_SQL} SET DEFAULT 1")
    assert no_inherit < rename < inherit < default, found


def test_a_partitions_own_not_null_is_set_after_its_parent_drops_its_own() -> None:
    parent = table(
        "m",
        col("city", not_null=True),
        col("day", "date", not_null=True),
        partitioned=True,
        partition_key="RANGE (day)",
    )
    part = table(
        "m1",
        partition_of="public.m",
        partition_bound="FOR VALUES FROM ('2006-02-01') TO ('2006-03-01')",
    )
    parent_after = parent.model_copy(
        update={"columns": (col("city"), col("day", "date", not_null=True))}
    )
    part_after = part.model_copy(update={"inherited_not_null": ("city",)})
    plan = plan_of(snapshot(parent_after, part_after), snapshot(parent, part))
    assert statements(plan) == [
        'ALTER TABLE "public"."m" ALTER COLUMN "city" DROP NOT NULL',
        'ALTER TABLE "public"."m1" ALTER COLUMN "city" SET NOT NULL',
    ]
    assert [s.check for s in plan.steps if s.check] == [("not_null", "public", "m1", "city")]
    # and back: the parent's SET NOT NULL reaches the partition, which keeps nothing of its own
    plan = plan_of(snapshot(parent, part), snapshot(parent_after, part_after))
    assert statements(plan) == ['ALTER TABLE "public"."m" ALTER COLUMN "city" SET NOT NULL']


def test_a_new_partition_gets_its_own_not_null_and_default_after_it_is_created() -> None:
    parent = table(
        "m", col("city"), col("day", "date"), partitioned=True, partition_key="RANGE (day)"
    )
    part = table(
        "m1",
        partition_of="public.m",
        partition_bound="DEFAULT",
        inherited_not_null=("city",),
        inherited_defaults=(("day", "CURRENT_DATE"),),
    )
    found = statements(plan_of(snapshot(parent, part), snapshot(parent)))
    assert found[-2:] == [
        'ALTER TABLE "public"."m1" ALTER COLUMN "city" SET NOT NULL',
        'ALTER TABLE ONLY "public"."m1" ALTER COLUMN "day" SET DEFAULT CURRENT_DATE',
    ], found
    assert _position(found, 'CREATE TABLE "public"."m1"') < len(found) - 2


def _accounts(key: str) -> object:
    return table(
        "acc",
        col("id", "bigint", not_null=True),
        col("re'gion", "text", not_null=True),
        partitioned=True,
        partition_key=key,
    )


ACC_PK = Constraint(
    schema_name="public",
    table="acc",
    name="acc_pkey",
    constraint_type="p",
    definition="PRIMARY KEY (id)",
    columns=("id",),
)
PAY_FK = Constraint(
    schema_name="public",
    table="pay",
    name="pay_fk",
    constraint_type="f",
    definition="FOREIGN KEY (id) REFERENCES public.acc(id)",
    columns=("id",),
    ref_table=("public", "acc"),
    ref_columns=("id",),
)
PAY = table("pay", col("id", "bigint"))
#: Partitions stand on their partitioned table (pg_depend), on either side.
PARTS = ("acc_eu", "acc_h0", "m_low", "m_rest")
FK_DEPS: tuple[tuple[Key, Key], ...] = (
    (("constraint", "public", "pay", "pay_fk"), ("constraint", "public", "acc", "acc_pkey")),
    (("constraint", "public", "pay", "pay_fk"), ("table", "public", "acc", "")),
    *((("table", "public", p, ""), ("table", "public", "acc", "")) for p in PARTS),
)


def test_a_key_into_a_remade_table_is_dropped_before_its_partitions_leave_and_waits_for_rows() -> (
    None
):
    old_part = table("acc_eu", partition_of="public.acc", partition_bound="FOR VALUES IN ('eu')")
    new_part = table(
        "acc_h0",
        partition_of="public.acc",
        partition_bound="FOR VALUES WITH (modulus 1, remainder 0)",
    )
    plan = plan_of(
        snapshot(_accounts("HASH (id)"), new_part, ACC_PK, PAY, PAY_FK, dependencies=FK_DEPS),
        snapshot(
            _accounts('LIST ("re\'gion")'), old_part, ACC_PK, PAY, PAY_FK, dependencies=FK_DEPS
        ),
    )
    found = statements(plan)
    drop_fk = found.index('ALTER TABLE "public"."pay" DROP CONSTRAINT "pay_fk"')
    detach = found.index('ALTER TABLE public.acc DETACH PARTITION "public"."acc_eu"')
    new_part_at = _position(found, 'CREATE TABLE "public"."acc_h0"')
    copy = _position(found, 'INSERT INTO "public"."acc"')
    add_fk = _position(found, 'ALTER TABLE "public"."pay" ADD CONSTRAINT "pay_fk"')
    assert drop_fk < detach < new_part_at < copy < add_fk, found
    tomb = f"_dropped_{STAMP}"
    assert found[copy] == (
        'INSERT INTO "public"."acc" ("id", "re\'gion") '
        f'SELECT "id", "re\'gion" FROM ONLY "public"."acc{tomb}" '
        f'UNION ALL SELECT "id", "re\'gion" FROM ONLY "public"."acc_eu{tomb}"'
    )
    assert "data_not_carried" not in hazard_codes(plan)


def test_a_remade_table_nothing_points_at_starts_empty_and_says_so() -> None:
    old_part = table("acc_eu", partition_of="public.acc", partition_bound="FOR VALUES IN ('eu')")
    plan = plan_of(snapshot(_accounts("HASH (id)")), snapshot(_accounts("LIST (id)"), old_part))
    assert not any(s.startswith("INSERT") for s in statements(plan))
    assert "data_not_carried" in hazard_codes(plan)


def test_partitions_kept_under_a_remade_table_are_remade_not_reattached() -> None:
    low = table("m_low", partition_of="public.acc", partition_bound="FOR VALUES FROM (1) TO (9)")
    rest = table("m_rest", partition_of="public.acc", partition_bound="DEFAULT")
    new_low = low.model_copy(update={"partition_bound": "FOR VALUES FROM (MINVALUE) TO (5)"})
    plan = plan_of(
        snapshot(_accounts('RANGE ("re\'gion")'), new_low, rest, dependencies=FK_DEPS),
        snapshot(_accounts("RANGE (id)"), low, rest, dependencies=FK_DEPS),
    )
    found = statements(plan)
    assert not any("ATTACH PARTITION" in s for s in found), found
    for name, bound in (("m_low", "FOR VALUES FROM (MINVALUE) TO (5)"), ("m_rest", "DEFAULT")):
        detach = found.index(f'ALTER TABLE public.acc DETACH PARTITION "public"."{name}"')
        rename = found.index(f'ALTER TABLE "public"."{name}" RENAME TO "{name}_dropped_{STAMP}"')
        create = found.index(f'CREATE TABLE "public"."{name}" PARTITION OF public.acc {bound}')
        assert detach < rename < _position(found, 'ALTER TABLE "public"."acc" RENAME') < create


def _part_key(table_name: str, name: str) -> Constraint:
    return Constraint(
        schema_name="public",
        table=table_name,
        name=name,
        constraint_type="p",
        definition="PRIMARY KEY (id)",
        columns=("id",),
    )


def test_a_partitions_own_key_is_adopted_by_its_parents_new_key_not_dropped() -> None:
    part = table("acc_eu", partition_of="public.acc", partition_bound="FOR VALUES IN ('eu')")
    own = _part_key("acc_eu", 'acc_eu "pk"\n')
    adopted = part.model_copy(update={"cloned_constraints": (own.name,)})
    plan = plan_of(
        snapshot(_accounts("LIST (id)"), adopted, ACC_PK),
        snapshot(_accounts("LIST (id)"), part, own),
    )
    assert statements(plan) == [
        'ALTER TABLE "public"."acc" ADD CONSTRAINT "acc_pkey" PRIMARY KEY (id)'
    ]


def test_a_table_attached_as_a_partition_keeps_the_key_and_index_attaching_adopts() -> None:
    loose = table("acc_eu")
    own = _part_key("acc_eu", "acc_eu_pkey")
    index = Index(
        schema_name="public", table="acc_eu", name="acc_eu_id_idx", body="USING btree (id)"
    )
    part = table(
        "acc_eu",
        partition_of="public.acc",
        partition_bound="FOR VALUES IN ('eu')",
        cloned_constraints=(own.name,),
        cloned_indexes=(index.name,),
    )
    plan = plan_of(
        snapshot(_accounts("LIST (id)"), part, ACC_PK),
        snapshot(_accounts("LIST (id)"), loose, ACC_PK, own, index),
    )
    assert statements(plan) == [
        'ALTER TABLE public.acc ATTACH PARTITION "public"."acc_eu" FOR VALUES IN (\'eu\')'
    ]


def _on_18(*objects: object) -> object:
    return snapshot(*objects).model_copy(update={"server_version": 180000})


def test_pg18_an_inherited_not_null_named_otherwise_is_renamed_between_detach_and_attach() -> None:
    bound = "FOR VALUES FROM ('2006-02-01') TO ('2006-03-01')"
    part = table(
        "m1",
        partition_of="public.m",
        partition_bound=bound,
        not_null_names=(("city", 'm_city_"nn"\n'),),
        not_null_inherited=("city",),
    )
    renamed = part.model_copy(update={"not_null_names": (("city", "m1_city_not_null"),)})
    parent = table("m", col("city", not_null=True), partitioned=True, partition_key="RANGE (city)")
    plan = plan_of(_on_18(parent, renamed), _on_18(parent, part))
    assert statements(plan) == [
        'ALTER TABLE public.m DETACH PARTITION "public"."m1"',
        'ALTER TABLE "public"."m1" RENAME CONSTRAINT "m_city_""nn""\n" TO "m1_city_not_null"',
        f'ALTER TABLE public.m ATTACH PARTITION "public"."m1" {bound}',
    ]


def test_pg18_a_parents_new_not_null_takes_the_sources_name() -> None:
    old = table("m", col("city"))
    new = table("m", col("city", not_null=True), not_null_names=(("city", "m_city_not_null"),))
    assert statements(plan_of(_on_18(new), _on_18(old))) == [
        'ALTER TABLE "public"."m" ADD CONSTRAINT "m_city_not_null" NOT NULL "city"'
    ]
