"""How the data checks run (issue 13 §5): each table's checks in a short transaction of their
own, so that a concurrent ALTER TABLE does not queue behind the whole batch; as the table's
owner, so that user-defined code in a conversion never runs as a superuser."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import psycopg

from ddp_engine.sync import SyncResult, compare
from tests.conftest import Server

#: A slow CHECK that calls an immutable function only (data checks evaluate no volatile one).
SLOW = (
    "CREATE FUNCTION slow(int) RETURNS boolean IMMUTABLE LANGUAGE sql "
    "AS 'SELECT pg_sleep(2) IS NOT NULL';"
)


def test_checks_do_not_hold_locks_across_tables(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """While the checks of a slow table run, a table counted before it is free again."""
    target = make_db(
        "CREATE TABLE fast (v numeric(10,4)); INSERT INTO fast VALUES (1.2345);"
        + SLOW
        + "CREATE TABLE slow (a int); INSERT INTO slow VALUES (1);"
    )
    source = make_db(
        "CREATE TABLE fast (v numeric(10,2));" + SLOW + "CREATE TABLE slow (a int CHECK (slow(a)));"
    )
    results: list[SyncResult] = []
    worker = threading.Thread(
        target=lambda: results.append(compare(server.settings(source), server.settings(target)))
    )
    worker.start()
    try:
        with server.connect(target) as conn:
            deadline = time.monotonic() + 20
            while not conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                " AND datname = current_database()"
            ).fetchone():
                assert time.monotonic() < deadline, "the slow check never started"
                time.sleep(0.05)
            conn.execute("SET lock_timeout = '500ms'")
            conn.execute("ALTER TABLE fast ADD COLUMN added int")  # no lock left on fast
    finally:
        worker.join()
    (result,) = results
    by_check = {f.check: f for f in result.plan.data_checks}
    assert by_check["convert"].count == 1 and by_check["check"].count == 0


def test_value_checks_run_as_the_tables_owner(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """A domain whose check fails for a superuser: counted as the table's owner, nothing
    fails; the login stays who it is once the checks are done."""
    owner = f"ddp_test_owner_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(f'CREATE ROLE "{owner}" NOLOGIN')
    try:
        schema = (
            "CREATE SCHEMA lib; GRANT USAGE ON SCHEMA lib TO PUBLIC;"
            "CREATE FUNCTION lib.not_super(int) RETURNS boolean LANGUAGE sql AS "
            "$$ SELECT NOT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user $$;"
            "CREATE DOMAIN lib.small AS int CHECK (lib.not_super(VALUE));"
        )
        target = make_db(
            schema + "CREATE TABLE t (v text); INSERT INTO t VALUES ('1'), ('2');"
            f'ALTER TABLE t OWNER TO "{owner}";'
        )
        source = make_db(schema + "CREATE TABLE t (v lib.small);")
        result = compare(server.settings(source), server.settings(target))
        (finding,) = result.plan.data_checks
        assert finding.check == "convert" and finding.count == 0, finding.message
        assert finding.hazard is None
    finally:
        with server.connect() as conn:
            for (db,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'ddp_test_%'"
            ).fetchall():
                try:
                    with server.connect(db) as c:
                        c.execute(f'DROP OWNED BY "{owner}"')
                except psycopg.Error:
                    pass
            conn.execute(f'DROP ROLE IF EXISTS "{owner}"')
