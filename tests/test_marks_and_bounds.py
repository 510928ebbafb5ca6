"""On a real server: an index's marks and comment (its own or a key's) and a sequence's narrower
bounds converge, under names with a quote and a newline, with shadow functions and operators
planted where a careless script would call them, and the rows and counters kept."""

from __future__ import annotations

import pytest

from tests.conftest import Server

ODD = '"we""ird\nname"'
KEY = '"k""ey\nname"'
#: Planted in the writable schema: were any of them called, the script would fail loudly.
SHADOWS = """
CREATE FUNCTION public.setval(regclass, bigint, boolean) RETURNS bigint LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'shadow setval ran'; END$$;
CREATE FUNCTION public.lt(bigint, bigint) RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'shadow < ran'; END$$;
CREATE OPERATOR public.< (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.lt);
"""
TABLE = f"""
CREATE TABLE {ODD} (id integer CONSTRAINT {KEY} PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX "e-mail" ON {ODD} (email);
INSERT INTO {ODD} SELECT g, 'u' || g FROM generate_series(1, 20) g;
"""
MARKED = f"""
ALTER TABLE {ODD} REPLICA IDENTITY USING INDEX "e-mail";
ALTER TABLE {ODD} CLUSTER ON {KEY};
COMMENT ON INDEX {KEY} IS 'the key''s own index';
COMMENT ON CONSTRAINT {KEY} ON {ODD} IS 'the key';
"""


def test_marks_and_index_comments_converge_both_ways(converge) -> None:
    converge(SHADOWS + TABLE, SHADOWS + TABLE + MARKED)
    converge(SHADOWS + TABLE + MARKED, SHADOWS + TABLE)


def _next_value(server: Server, database: str) -> int:
    with server.connect(database) as conn:
        row = conn.execute(f"SELECT nextval('{ODD}')").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("used", "expected"),
    [(0, 1000), (5000, 5001)],
    ids=["counter_below_moves_to_start", "counter_inside_stays"],
)
def test_higher_minvalue_moves_only_a_counter_below_it(
    converge, server: Server, used: int, expected: int
) -> None:
    target = SHADOWS + f"CREATE SEQUENCE {ODD} START 101;"
    if used:
        target += f"SELECT setval('{ODD}', {used});"
    seen: list[int] = []
    converge(
        target,
        SHADOWS + f"CREATE SEQUENCE {ODD} MINVALUE 1000 START 1000;",
        check=lambda _source, db, _script: seen.append(_next_value(server, db)),
    )
    assert seen == [expected]


def test_lower_maxvalue_restarts_a_counter_above_it(converge, server: Server) -> None:
    seen: list[int] = []
    converge(
        SHADOWS + f"CREATE SEQUENCE {ODD} START 101; SELECT nextval('{ODD}');",
        SHADOWS + f"CREATE SEQUENCE {ODD} MAXVALUE 99 START 1 CYCLE;",
        check=lambda _source, db, _script: seen.append(_next_value(server, db)),
    )
    assert seen == [1]
