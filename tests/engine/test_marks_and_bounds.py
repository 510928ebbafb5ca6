"""An index's marks (CLUSTER ON, REPLICA IDENTITY USING INDEX) and comment, its own or a key's,
and a sequence whose bounds narrow past its counter: the statements and hazards they take."""

from __future__ import annotations

from ddp_engine.codes import ReplicaIdentity
from ddp_engine.model import Constraint, Index, Sequence
from tests.engine.kit import STAMP, col, hazard_codes, plan_of, snapshot, statements, table

#: A name with a quote and a newline, quoted through the one helper everywhere it is written.
ODD = 'we"ird\nname'
Q_ODD = '"we""ird\nname"'
T = table(ODD, col("id", not_null=True), col("email", "text", not_null=True))
QT = f'"public".{Q_ODD}'


def index(name: str = "i", **fields: object) -> Index:
    return Index(
        schema_name="public",
        table=ODD,
        name=name,
        body="USING btree (email)",
        unique=True,
        key_columns=("email",),
        **fields,  # type: ignore[arg-type]
    )


def key(**fields: object) -> Constraint:
    return Constraint(
        schema_name="public",
        table=ODD,
        name=ODD,
        constraint_type="p",
        definition="PRIMARY KEY (id)",
        columns=("id",),
        **fields,  # type: ignore[arg-type]
    )


def test_cluster_on_an_index_is_set_in_place() -> None:
    plan = plan_of(snapshot(T, index(clustered=True)), snapshot(T, index()))
    assert statements(plan) == [f'ALTER TABLE {QT} CLUSTER ON "i"']


def test_cluster_mark_only_the_target_has_is_removed() -> None:
    plan = plan_of(snapshot(T, index()), snapshot(T, index(clustered=True)))
    assert statements(plan) == [f"ALTER TABLE {QT} SET WITHOUT CLUSTER"]


def test_cluster_mark_moving_to_another_index_is_one_cluster_on() -> None:
    """SET WITHOUT CLUSTER for the old index could run after CLUSTER ON the new one and undo
    it: CLUSTER ON alone moves the mark."""
    plan = plan_of(
        snapshot(T, index(), index("j", clustered=True)),
        snapshot(T, index(clustered=True), index("j")),
    )
    assert statements(plan) == [f'ALTER TABLE {QT} CLUSTER ON "j"']


def test_replica_identity_using_an_index() -> None:
    source = snapshot(
        T.model_copy(update={"replica_identity": ReplicaIdentity.INDEX}),
        index(replica_identity=True),
    )
    plan = plan_of(source, snapshot(T, index()))
    assert statements(plan) == [f'ALTER TABLE {QT} REPLICA IDENTITY USING INDEX "i"']
    back = plan_of(snapshot(T, index()), source)
    assert statements(back) == [f"ALTER TABLE {QT} REPLICA IDENTITY DEFAULT"]


def test_a_new_index_comes_with_its_marks_and_comment() -> None:
    plan = plan_of(
        snapshot(T, index(clustered=True, replica_identity=True, comment="it's")), snapshot(T)
    )
    assert statements(plan) == [
        f'CREATE UNIQUE INDEX "i" ON {QT} USING btree (email)',
        "COMMENT ON INDEX \"public\".\"i\" IS 'it''s'",
        f'ALTER TABLE {QT} CLUSTER ON "i"',
        f'ALTER TABLE {QT} REPLICA IDENTITY USING INDEX "i"',
    ]


def test_comment_on_the_index_of_a_key_is_not_the_key_comment() -> None:
    plan = plan_of(snapshot(T, key(index_comment="looked up")), snapshot(T, key()))
    assert statements(plan) == [f"COMMENT ON INDEX \"public\".{Q_ODD} IS 'looked up'"]
    back = plan_of(snapshot(T, key()), snapshot(T, key(index_comment="looked up")))
    assert statements(back) == [f'COMMENT ON INDEX "public".{Q_ODD} IS NULL']


def test_a_recreated_key_gets_its_index_comment_and_marks_again() -> None:
    new = key(index_comment="c", clustered=True).model_copy(
        update={"definition": "PRIMARY KEY (id, email)", "columns": ("id", "email")}
    )
    plan = plan_of(snapshot(T, new), snapshot(T, key(index_comment="c", clustered=True)))
    assert statements(plan)[-3:] == [
        f"ALTER TABLE {QT} ADD CONSTRAINT {Q_ODD} PRIMARY KEY (id, email)",
        f"COMMENT ON INDEX \"public\".{Q_ODD} IS 'c'",
        f"ALTER TABLE {QT} CLUSTER ON {Q_ODD}",
    ]


def seq(**fields: object) -> Sequence:
    return Sequence(schema_name="public", name=ODD, acl=("<owner>=rwU",), **fields)  # type: ignore[arg-type]


QS = f'"public".{Q_ODD}'


def test_a_higher_minvalue_first_moves_a_counter_below_it_to_start() -> None:
    plan = plan_of(snapshot(seq(min_value=1000, start=1000)), snapshot(seq(start=101)))
    assert statements(plan) == [
        f'SELECT pg_catalog.setval(\'"public"."we""ird\nname"\'::pg_catalog.regclass, 1000, '
        f"false) FROM {QS} AS s WHERE s.last_value OPERATOR(pg_catalog.<) 1000 "
        "OR s.last_value OPERATOR(pg_catalog.>) 9223372036854775807",
        f"ALTER SEQUENCE {QS} MINVALUE 1000 START WITH 1000",
    ]
    assert hazard_codes(plan) == ["restarts_identity"]


def test_wider_bounds_leave_the_counter_alone() -> None:
    plan = plan_of(snapshot(seq(max_value=10**12)), snapshot(seq(max_value=99)))
    assert statements(plan) == [f"ALTER SEQUENCE {QS} MAXVALUE 1000000000000"]
    assert hazard_codes(plan) == []


def test_bounds_apart_from_the_old_ones_restart_through_both() -> None:
    """setval cannot leave the old bounds: a START outside them restarts under bounds that
    hold both ranges, which the ALTER then narrows."""
    plan = plan_of(
        snapshot(seq(min_value=500, max_value=900, start=500)),
        snapshot(seq(min_value=1, max_value=99)),
    )
    assert statements(plan) == [
        f"ALTER SEQUENCE {QS} MINVALUE 1 MAXVALUE 900 RESTART WITH 500",
        f"ALTER SEQUENCE {QS} MINVALUE 500 MAXVALUE 900 START WITH 500",
    ]
    assert hazard_codes(plan) == ["restarts_identity"]


def test_an_index_swapped_online_gets_its_mark_after_the_rename() -> None:
    old = index(clustered=True).model_copy(update={"unique": False})
    new = old.model_copy(update={"body": "USING btree (email, id)"})
    plan = plan_of(snapshot(T, new), snapshot(T, old), online=True)
    found = statements(plan)
    assert found[-2:] == [
        f'ALTER INDEX "public"."i_ddp_new_{STAMP}" RENAME TO "i"',
        f'ALTER TABLE {QT} CLUSTER ON "i"',
    ]
    assert all(step.online for step in plan.steps)
