"""Rules, statistics, operators, text search, foreign data, event triggers: the kinds read as
the statements that create them. Created from the source's statements as read, dropped by the
target's, recreated whole when anything changes, ordered by their dependencies."""

from __future__ import annotations

from ddp_engine.model import DefaultPrivilege, Kind, OperatorClass, OperatorFamily, Rule, Statistics
from tests.engine.kit import col, hazard_codes, plan_of, snapshot, statements, table

T = table("t", col("a"), col("b"))
#: A name with a quote and a newline, as the catalog query would have quoted it.
ODD = 'we"ird\nrule'
RULE = Rule(
    schema_name="public",
    table="t",
    name=ODD,
    statements=(
        'CREATE RULE "we""ird\nrule" AS ON UPDATE TO public.t DO NOTHING',
        "COMMENT ON RULE \"we\"\"ird\nrule\" ON public.t IS 'it''s'",
    ),
    drop=('DROP RULE "we""ird\nrule" ON public.t',),
)
STATS = Statistics(
    schema_name="public",
    table="t",
    name="s1",
    statements=("CREATE STATISTICS public.s1 (dependencies) ON a, b FROM public.t",),
    drop=("DROP STATISTICS public.s1",),
)


def test_a_new_rule_is_created_from_the_source_statements_as_read() -> None:
    plan = plan_of(snapshot(T, rules=(RULE,)), snapshot(T))
    assert statements(plan) == list(RULE.statements)
    assert hazard_codes(plan) == []


def test_an_extra_rule_is_dropped_with_a_behaviour_hazard() -> None:
    plan = plan_of(snapshot(T), snapshot(T, rules=(RULE,)))
    assert statements(plan) == list(RULE.drop)
    assert hazard_codes(plan) == ["drops_behaviour"]


def test_a_changed_object_is_dropped_then_created_again() -> None:
    changed = STATS.model_copy(
        update={"statements": (*STATS.statements, "ALTER STATISTICS public.s1 SET STATISTICS 500")}
    )
    plan = plan_of(snapshot(T, statistics=(changed,)), snapshot(T, statistics=(STATS,)))
    assert statements(plan) == [*STATS.drop, *changed.statements]
    assert hazard_codes(plan) == []  # recreated, not lost


def test_a_rule_on_a_table_renamed_away_goes_with_its_table() -> None:
    """The table is tombstoned (it holds data): its rule is renamed with it, never dropped by a
    name the rename has already taken away."""
    plan = plan_of(snapshot(), snapshot(T, rules=(RULE,)))
    found = statements(plan)
    assert RULE.drop[0] not in found
    assert any("RENAME TO" in s and '"t"' in s for s in found)


def test_a_class_is_dropped_before_its_family_and_created_after_it() -> None:
    family = OperatorFamily(
        schema_name="public",
        name="rev USING btree",
        statements=("CREATE OPERATOR FAMILY public.rev USING btree",),
        drop=("DROP OPERATOR FAMILY public.rev USING btree",),
    )
    opclass = OperatorClass(
        schema_name="public",
        name="rev USING btree",
        statements=("CREATE OPERATOR CLASS public.rev FOR TYPE integer USING btree ...",),
        drop=("DROP OPERATOR CLASS public.rev USING btree",),
    )
    edge = (
        (Kind.OPERATOR_CLASS, "public", "rev USING btree", ""),
        (Kind.OPERATOR_FAMILY, "public", "rev USING btree", ""),
    )
    objects = {"operator_families": (family,), "operator_classes": (opclass,)}
    created = statements(plan_of(snapshot(dependencies=(edge,), **objects), snapshot()))
    assert created == [*family.statements, *opclass.statements]
    dropped = statements(plan_of(snapshot(), snapshot(dependencies=(edge,), **objects)))
    assert dropped == [*opclass.drop, *family.drop]


GRANT = DefaultPrivilege(
    schema_name="app",
    name="owner TABLES",
    statements=(
        'ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app GRANT SELECT ON TABLES TO "we""b"',
    ),
    drop=(
        'ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app REVOKE SELECT ON TABLES FROM "we""b"',
    ),
)


def test_default_privileges_are_granted_and_taken_back_as_privileges() -> None:
    granted = plan_of(snapshot(default_privileges=(GRANT,)), snapshot())
    assert statements(granted) == list(GRANT.statements)
    assert hazard_codes(granted) == ["changes_privileges"]
    revoked = plan_of(snapshot(), snapshot(default_privileges=(GRANT,)))
    assert statements(revoked) == list(GRANT.drop)
    assert hazard_codes(revoked) == ["changes_privileges"]


def test_default_privileges_are_left_alone_when_privileges_are() -> None:
    assert (
        statements(plan_of(snapshot(default_privileges=(GRANT,)), snapshot(), privileges=False))
        == []
    )
