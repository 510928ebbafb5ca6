"""A table owner's own casts and functions never run with ddp's rights in ddp's own checks.

The value checks read a converted value back as the old type: a cast the script itself never
runs. The owner of the table may own that cast (between two of their types); the data checks
count as the owner, and so must the re-check inside the apply transaction, which runs in the
apply's session (ddp's login, often a superuser).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from ddp_engine.sync import SyncOptions, apply_and_verify, compare
from tests.conftest import Server

TYPES = """
CREATE SCHEMA shop AUTHORIZATION {role};
SET ROLE {role};
CREATE TYPE shop.e1 AS ENUM ('a', 'b');
CREATE TYPE shop.e2 AS ENUM ('a', 'b', 'c');
CREATE TABLE shop.calls (who text, superuser boolean);
"""
#: The cast back from e2 to e1, which only the value checks use (the script converts
#: through text), records who ran it.
TARGET = """
CREATE FUNCTION shop.back(shop.e2) RETURNS shop.e1 LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO shop.calls SELECT current_user, r.rolsuper
  FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user;
  RETURN $1::text::shop.e1;
END $$;
CREATE CAST (shop.e2 AS shop.e1) WITH FUNCTION shop.back(shop.e2);
CREATE TABLE shop.t (id int, c shop.e1);
INSERT INTO shop.t VALUES (1, 'a'), (2, 'b');
"""
SOURCE = "CREATE TABLE shop.t (id int, c shop.e2);"


@pytest.fixture
def owner(server: Server) -> Iterator[str]:
    role = f"ddp_owner_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(f'CREATE ROLE "{role}"'.encode())
    yield role  # after the databases that hold its objects are dropped (make_db comes later)
    with server.connect() as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"'.encode())


def test_the_recheck_inside_apply_runs_the_owners_cast_as_the_owner(
    server: Server, owner: str, make_db: Callable[[str], str]
) -> None:
    types = TYPES.format(role=f'"{owner}"')
    source, target = make_db(types + SOURCE), make_db(types + TARGET)
    settings = (server.settings(source, "shop"), server.settings(target, "shop"))
    result = compare(*settings)
    options = SyncOptions(allow_hazards=frozenset({"values_change"}))
    assert apply_and_verify(result, *settings, options).is_empty
    with server.connect(target) as conn:
        calls = conn.execute("SELECT who, superuser FROM shop.calls").fetchall()
        assert conn.execute("SELECT c::text FROM shop.t ORDER BY id").fetchall() == [
            ("a",),
            ("b",),
        ]
    # counted by the data checks (read only: the INSERT errs) and by the re-check
    assert calls, "the re-check did not run the cast back"
    assert {who for who, _ in calls} == {owner}, calls
