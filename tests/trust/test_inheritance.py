"""Partitioned tables made anew and inheritance children's own defaults, with shadows planted in
``public`` and in the synced schema: the rows copied back from the tombstones keep their exact
values, a child's own default survives its parent's change, names with quotes and newlines
survive, and nothing planted runs."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ddp_engine.sync import compare
from tests.conftest import Server, apply_script
from tests.trust.conftest import Canary

ACCOUNTS = 'acc"ounts\nx'
Q_ACCOUNTS = 'shop."acc""ounts\nx"'
BASE = """
CREATE SCHEMA shop;
CREATE TABLE shop."acc""ounts
x" (id bigint NOT NULL, "re""gion
y" text NOT NULL, balance numeric(12,4), PRIMARY KEY (id, "re""gion
y")) PARTITION BY {key};
{partitions}
CREATE TABLE shop.pay (id bigint PRIMARY KEY, acc bigint, "re""gion
y" text, FOREIGN KEY (acc, "re""gion
y") REFERENCES shop."acc""ounts
x");
"""
LIST = BASE.format(
    key='LIST ("re""gion\ny")',
    partitions="""CREATE TABLE shop.eu PARTITION OF shop."acc""ounts
x" FOR VALUES IN ('eu');
CREATE TABLE shop.rest PARTITION OF shop."acc""ounts
x" DEFAULT;""",
)
HASH = BASE.format(
    key="HASH (id)",
    partitions="""CREATE TABLE shop.h0 PARTITION OF shop."acc""ounts
x" FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE shop.h1 PARTITION OF shop."acc""ounts
x" FOR VALUES WITH (MODULUS 2, REMAINDER 1);""",
)
ROWS = """
INSERT INTO shop."acc""ounts
x" VALUES (1, 'eu', 1.2345), (2, 'us', 0.0001), (3, 'eu', 99999999.9999);
INSERT INTO shop.pay VALUES (10, 1, 'eu'), (11, 2, 'us'), (12, 3, 'eu');
"""


def _accounts(server: Server, db: str) -> list[tuple]:
    with server.connect(db) as conn:
        return conn.execute(f"SELECT * FROM {Q_ACCOUNTS} ORDER BY id".encode()).fetchall()


def test_a_remade_partitioned_table_gets_its_rows_back_and_runs_nothing_planted(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary], tmp_path: Path
) -> None:
    target, source = make_db(LIST + ROWS), make_db(HASH)
    canary = planted(target, "public", "shop")
    planted(source, "public", "shop")
    before = _accounts(server, target)
    assert [r[2] for r in before] == [
        Decimal("1.2345"),
        Decimal("0.0001"),
        Decimal("99999999.9999"),
    ]
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    canary.assert_silent()
    assert "data_not_carried" not in [h.code for _, h in result.plan.hazards()]
    apply_script(server, target, result.script, tmp_path)
    canary.assert_silent()
    assert _accounts(server, target) == before  # every row, every value, in the new table
    with server.connect(target) as conn:  # the key points at the new table again
        (ref,) = conn.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'shop.pay'::regclass "
            "AND contype = 'f'"
        ).fetchone()
    assert ref == f'shop."{ACCOUNTS.replace(chr(34), 2 * chr(34))}"'
    assert compare(server.settings(source, "shop"), server.settings(target, "shop")).plan.is_empty


PARENT = """
CREATE SCHEMA shop;
CREATE TABLE shop."ci""ties
z" (name text, "po""p
u" numeric(12,4){default});
CREATE TABLE shop.capitals ("st""ate
w" char(2)) INHERITS (shop."ci""ties
z");
{own}
"""


def test_a_childs_own_default_survives_its_parents_change_and_nothing_planted_runs(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary], tmp_path: Path
) -> None:
    own = 'ALTER TABLE ONLY shop.capitals ALTER COLUMN "po""p\nu" SET DEFAULT 100000.0001;'
    target = make_db(PARENT.format(default="", own=own))
    source = make_db(PARENT.format(default=" DEFAULT 0.0001", own=own))
    canary = planted(target, "public", "shop")
    planted(source, "public", "shop")
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    canary.assert_silent()
    apply_script(server, target, result.script, tmp_path)
    canary.assert_silent()
    with server.connect(target) as conn:
        conn.execute("INSERT INTO shop.capitals (name) VALUES ('x')")
        conn.execute(b'INSERT INTO shop."ci""ties\nz" (name) VALUES (\'y\')')
        rows = conn.execute(b'SELECT name, "po""p\nu" FROM shop."ci""ties\nz" ORDER BY 1')
        assert rows.fetchall() == [("x", Decimal("100000.0001")), ("y", Decimal("0.0001"))]
    assert compare(server.settings(source, "shop"), server.settings(target, "shop")).plan.is_empty
