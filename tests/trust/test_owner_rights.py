"""A table owner's own casts never run with ddp's rights in ddp's own checks.

The value checks read a converted value back as the old type: a cast the script itself never
runs. The owner of the table may own that cast (between two of their types). A volatile one
(it may write, or change the role back: SET ROLE is no boundary for a superuser's session) is
never run by a check; an immutable one is counted as the owner, by the data checks and by the
re-check inside the apply transaction (the apply's session is ddp's login, often a superuser).
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
#: through text).
CAST = """
CREATE FUNCTION shop.back(shop.e2) RETURNS shop.e1 LANGUAGE plpgsql {volatility} AS $$
BEGIN
  {body}
  RETURN $1::text::shop.e1;
END $$;
CREATE CAST (shop.e2 AS shop.e1) WITH FUNCTION shop.back(shop.e2);
CREATE TABLE shop.t (id int, c shop.e1);
INSERT INTO shop.t VALUES (1, 'a'), (2, 'b');
"""
RECORDS = """INSERT INTO shop.calls SELECT current_user, r.rolsuper
  FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user;"""
REFUSES_SUPERUSER = """IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
      WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'the cast ran as a superuser';
  END IF;"""
SOURCE = "CREATE TABLE shop.t (id int, c shop.e2);"


@pytest.fixture
def owner(server: Server) -> Iterator[str]:
    role = f"ddp_owner_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(f'CREATE ROLE "{role}"'.encode())
    yield role  # after the databases that hold its objects are dropped (make_db comes later)
    with server.connect() as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"'.encode())


def sync(
    server: Server, make_db: Callable[[str], str], owner: str, cast: str, allow: frozenset
) -> str:
    """Plan, then apply allowing ``allow``; the target's database."""
    types = TYPES.format(role=f'"{owner}"')
    source, target = make_db(types + SOURCE), make_db(types + cast)
    settings = (server.settings(source, "shop"), server.settings(target, "shop"))
    result = compare(*settings)
    options = SyncOptions(allow_hazards=allow)
    assert apply_and_verify(result.plan, *settings, options).after.is_empty
    with server.connect(target) as conn:
        assert conn.execute("SELECT c::text FROM shop.t ORDER BY id").fetchall() == [
            ("a",),
            ("b",),
        ]
    return target


def test_a_volatile_cast_of_the_owner_is_never_run_by_a_check(
    server: Server, owner: str, make_db: Callable[[str], str]
) -> None:
    """Not counted (so values_change, which the apply must be allowed) and never run."""
    cast = CAST.format(volatility="VOLATILE", body=RECORDS)
    target = sync(server, make_db, owner, cast, frozenset({"values_change"}))
    with server.connect(target) as conn:
        assert conn.execute("SELECT who, superuser FROM shop.calls").fetchall() == []


def test_an_immutable_cast_of_the_owner_is_counted_as_the_owner(
    server: Server, owner: str, make_db: Callable[[str], str]
) -> None:
    """Counted: nothing changes, so the apply needs no consent. Run as a superuser the cast
    raises, the re-check could not count, and the apply would be refused (values_change)."""
    cast = CAST.format(volatility="IMMUTABLE", body=REFUSES_SUPERUSER)
    sync(server, make_db, owner, cast, frozenset())
