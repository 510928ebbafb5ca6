"""Owners (``--owners``): compared and set only on request, for objects created, altered or
rebuilt; never by default (roles differ between environments)."""

from __future__ import annotations

from ddp_engine.model import View
from tests.engine.kit import col, hazard_codes, plan_of, snapshot, statements, table

ODD = 'o"wn\ner'


def test_owners_are_left_alone_by_default() -> None:
    plan = plan_of(snapshot(table("t", col("a"), owner=ODD)), snapshot(table("t", col("a"))))
    assert plan.is_empty


def test_a_changed_owner_is_set_with_owners() -> None:
    source = snapshot(table("t", col("a"), owner=ODD))
    plan = plan_of(source, snapshot(table("t", col("a"), owner="postgres")), owners=True)
    assert statements(plan) == ['ALTER TABLE "public"."t" OWNER TO "o""wn\ner"']
    assert hazard_codes(plan) == ["changes_privileges"]


def test_a_created_view_is_given_its_owner_after_it_is_created() -> None:
    view = View(schema_name="public", name="v", definition=" SELECT 1 AS x", owner=ODD)
    found = statements(plan_of(snapshot(view), snapshot(), owners=True, privileges=False))
    assert found[0].startswith('CREATE VIEW "public"."v"')
    assert found[1:] == ['ALTER VIEW "public"."v" OWNER TO "o""wn\ner"']
