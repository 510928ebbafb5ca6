"""Reads only read and never hang; drift sees broken objects (issue 13, sections 4 and 5).

Canaries are planted in ``public`` of every database while the schema compared is ``shop``:
whatever ddp runs there with an empty search_path must never reach them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server, apply_script
from tests.trust.conftest import Canary

SHOP = "CREATE SCHEMA shop; CREATE TABLE shop.t (id int, code text);"


def run_script(server: Server, database: str, script: str, tmp_path: Path) -> None:
    """As a person runs a script with an online part: psql -f, each statement on its own."""
    path = tmp_path / "online.sql"
    path.write_text(script)
    subprocess.run(
        [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host,
            "-p", str(server.port), "-U", server.user, "-d", database, "-f", str(path),
        ],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def broken_unique_index(server: Server, database: str) -> None:
    """``CREATE UNIQUE INDEX CONCURRENTLY`` over duplicates fails and leaves an INVALID index;
    then the duplicates go, so that a rebuild can succeed."""
    with server.connect(database) as conn:
        conn.execute("INSERT INTO shop.t VALUES (1, 'a'), (1, 'b'), (2, 'c')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY t_id_key ON shop.t (id)")
        conn.execute("DELETE FROM shop.t WHERE code = 'b'")


def index_state(server: Server, database: str) -> tuple[bool, bool] | None:
    with server.connect(database) as conn:
        row = conn.execute(
            "SELECT x.indisvalid, x.indisready FROM pg_catalog.pg_index x "
            "WHERE x.indexrelid = pg_catalog.to_regclass('shop.t_id_key')"
        ).fetchone()
    return None if row is None else (row[0], row[1])


@pytest.mark.parametrize("online", [False, True])
def test_invalid_index_is_drift_and_is_rebuilt(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    tmp_path: Path,
    online: bool,
) -> None:
    source = make_db(SHOP + "CREATE UNIQUE INDEX t_id_key ON shop.t (id);")
    target = make_db(SHOP)
    canary = planted(source, "public")
    planted(target, "public")
    broken_unique_index(server, target)
    assert index_state(server, target) in ((False, True), (False, False))
    options = SyncOptions(online=online)
    sides = (server.settings(source, "shop"), server.settings(target, "shop"))

    first = compare(*sides, options)
    changes = [(c.action, c.kind, c.label, c.fields) for c in first.plan.changes]
    assert changes == [("alter", "index", "shop.t_id_key", ("valid",))]
    concurrent = [s for s in first.plan.steps if s.online]
    assert bool(concurrent) == online
    if online:
        assert concurrent[0].statements[:2] == (
            'DROP INDEX CONCURRENTLY "shop"."t_id_key"',
            'CREATE UNIQUE INDEX CONCURRENTLY "t_id_key" ON "shop"."t" USING btree (id)',
        )
        run_script(server, target, first.script, tmp_path)
    else:
        apply_script(server, target, first.script, tmp_path)
    assert index_state(server, target) == (True, True)
    assert compare(*sides, options).plan.is_empty
    canary.assert_silent()


def test_index_not_ready_is_drift(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    """An index whose concurrent build stopped before it was ready (indisready false)."""
    source = make_db(SHOP + "CREATE INDEX t_code ON shop.t (code);")
    target = make_db(SHOP + "CREATE INDEX t_code ON shop.t (code);")
    canary = planted(target, "public")
    with server.connect(target) as conn:  # the state a build cancelled in its first phase leaves
        conn.execute(
            "UPDATE pg_catalog.pg_index SET indisready = false, indisvalid = false "
            "WHERE indexrelid = 'shop.t_code'::pg_catalog.regclass"
        )
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    assert [(c.action, c.label, c.fields) for c in result.plan.changes] == [
        ("alter", "shop.t_code", ("valid",))
    ]
    # and the other way round: a broken index in the source is not copied as broken
    assert compare(server.settings(target, "shop"), server.settings(source, "shop")).plan.is_empty
    canary.assert_silent()
