"""The canary itself: a planted shadow records a call under a search_path that lists its
schema first, and stays silent under the empty search_path ddp uses (else the trust suite
could not fail)."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Server
from tests.trust.conftest import Canary


def test_shadows_record_calls_only_when_reachable(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    db = make_db("CREATE SCHEMA shop")
    canary = planted(db, "public", "shop")
    with server.connect(db) as conn:
        conn.execute("SET search_path = ''")
        conn.execute("SELECT lower('A'), 'a' = 'b'::text, count(*) FROM pg_class").fetchone()
        canary.assert_silent()
        conn.execute("SET search_path = shop, pg_catalog")
        row = conn.execute("SELECT lower('A'), 'a'::text = 'a'::text").fetchone()
        assert row == ("a", True)  # shadows behave like the originals
        hidden = conn.execute("SELECT count(*) FROM pg_class").fetchone()
        assert hidden == (0,)
    calls = canary.calls()
    assert "shop.lower(text)" in calls
    assert "shop.=(text,text)" in calls
