"""A partitioned table made anew (its partitioning changes) whose rows are copied back from
its tombstone: its identity counter goes on from where the old one stood, so the next row
does not get a value a copied row holds; nothing planted in the writable schema runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server, apply_script

NAME = '"Acc""ounts\nby region"'
#: Would record that it ran if the script's setval or lookup bound to it.
SHADOWS = """
CREATE TABLE public.shadow_ran (what text);
CREATE FUNCTION public.setval(regclass, bigint) RETURNS bigint LANGUAGE sql
  AS $$INSERT INTO public.shadow_ran VALUES ('setval') RETURNING 1::bigint$$;
CREATE FUNCTION public.pg_get_serial_sequence(text, text) RETURNS text LANGUAGE sql
  AS $$INSERT INTO public.shadow_ran VALUES ('serial') RETURNING NULL::text$$;
"""
PAYMENTS = (
    "CREATE TABLE payments (id int PRIMARY KEY, account_id bigint NOT NULL, region text NOT NULL,"
    f" FOREIGN KEY (account_id, region) REFERENCES {NAME} (account_id, region));"
)
TARGET = (
    SHADOWS
    + f"CREATE TABLE {NAME} (account_id bigint GENERATED ALWAYS AS IDENTITY, region text NOT NULL,"
    " holder text, PRIMARY KEY (account_id, region)) PARTITION BY LIST (region);"
    f"CREATE TABLE eu PARTITION OF {NAME} FOR VALUES IN ('eu');"
    f"CREATE TABLE other PARTITION OF {NAME} DEFAULT;"
    + PAYMENTS
    + f"INSERT INTO {NAME} (region, holder) SELECT 'eu', 'h' || g FROM generate_series(1, 5) g;"
    f"DELETE FROM {NAME} WHERE account_id = 5;"  # the counter stands above the highest row
    "INSERT INTO payments VALUES (1, 4, 'eu');"
)
SOURCE = (
    SHADOWS
    + f"CREATE TABLE {NAME} (account_id bigint GENERATED ALWAYS AS IDENTITY, region text NOT NULL,"
    " holder text, PRIMARY KEY (account_id, region)) PARTITION BY HASH (account_id);"
    f"CREATE TABLE h0 PARTITION OF {NAME} FOR VALUES WITH (MODULUS 2, REMAINDER 0);"
    f"CREATE TABLE h1 PARTITION OF {NAME} FOR VALUES WITH (MODULUS 2, REMAINDER 1);" + PAYMENTS
)


def test_the_identity_counter_goes_on_where_it_stood(
    server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    source, target = make_db(SOURCE), make_db(TARGET)
    result = compare(server.settings(source), server.settings(target), SyncOptions())
    apply_script(server, target, result.script, tmp_path)
    with server.connect(target) as conn:
        conn.autocommit = True
        assert conn.execute(f"SELECT account_id FROM {NAME} ORDER BY 1").fetchall() == [
            (1,), (2,), (3,), (4,)
        ]  # fmt: skip
        new = conn.execute(
            f"INSERT INTO {NAME} (region) VALUES ('eu') RETURNING account_id"
        ).fetchone()
        assert new == (6,)  # not 1 (a copied row's), not 5 (handed out before)
        assert conn.execute("SELECT count(*) FROM public.shadow_ran").fetchone() == (0,)
    again = compare(server.settings(source), server.settings(target), SyncOptions())
    assert again.plan.is_empty, again.script
