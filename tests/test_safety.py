"""Issue 4: hazards, data checks, online plans and a guarded apply, on a real server."""

from __future__ import annotations

import threading
import time

import pytest

from ddp_engine.apply import apply_plan
from ddp_engine.errors import DdpError, StepsWouldFail
from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server, apply_script


def dump(server: Server, db: str) -> tuple[list[tuple], list[tuple]]:
    """Schema (columns, constraints, indexes) and row counts: what 'unchanged' means here."""
    with server.connect(db) as conn:
        schema = conn.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2"
        ).fetchall()
        schema += conn.execute(
            "SELECT conname, pg_get_constraintdef(oid), '', false FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace ORDER BY 1"
        ).fetchall()
        rows = conn.execute("SELECT count(*) FROM t").fetchall()
    return schema, rows


TARGET = (
    "CREATE TABLE t (id int, email text, code text);"
    "INSERT INTO t SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || g END,"
    " CASE WHEN g = 7 THEN 'x' ELSE g::text END FROM generate_series(1, 100) g;"
    "INSERT INTO t VALUES (1, 'dup', '1'), (2, 'dup', '2');"
)
SOURCE = (
    "CREATE TABLE t (id int, email text NOT NULL, code integer);"
    "CREATE UNIQUE INDEX t_id ON t (id); ALTER TABLE t ADD CONSTRAINT pos CHECK (id > 3);"
)


#: A slow CHECK that calls an immutable function only (data checks evaluate no volatile one).
SLOW = (
    "CREATE FUNCTION slow(int) RETURNS boolean IMMUTABLE LANGUAGE sql "
    "AS 'SELECT pg_sleep(2) IS NOT NULL';"
)


def test_hazards_and_exact_data_checks(server: Server, make_db) -> None:
    source, target = make_db(SOURCE), make_db(TARGET)
    result = compare(server.settings(source), server.settings(target))
    by_check = {f.check: f for f in result.plan.data_checks}
    assert by_check["not_null"].count == 10 and by_check["not_null"].fails
    assert by_check["unique"].count == 2  # ids 1 and 2 appear twice
    assert by_check["check"].count == 5  # ids 1, 2, 3 and the two planted rows
    assert by_check["convert"].fails  # 'x' does not convert to integer
    assert by_check["convert"].count == 1 and by_check["convert"].hazard.code == "values_fail"
    script = result.script
    assert "hazard access_exclusive_lock: takes an ACCESS EXCLUSIVE lock" in script
    assert "hazard rewrites_table: rewrites the table" in script
    assert "DATA CHECK FAILS: 10 row(s) hold NULL in email" in script


def test_no_data_checks_option(server: Server, make_db) -> None:
    source, target = make_db(SOURCE), make_db(TARGET)
    result = compare(
        server.settings(source), server.settings(target), SyncOptions(data_checks=False)
    )
    # only the type change's values are reported: not counted, so they need consent
    (finding,) = result.plan.data_checks
    assert finding.check == "convert" and finding.count is None
    assert finding.hazard is not None and finding.hazard.code == "values_change"
    assert "DATA CHECK" not in result.script


def test_data_check_out_of_time_says_so(server: Server, make_db) -> None:
    """A count that outlives the budget is cancelled, rolled back to its savepoint and
    reported as not checked, not as a failure; what was counted before it stands."""
    source = make_db(
        SLOW + "CREATE TABLE slow (a int CHECK (slow(a))); CREATE TABLE t (id int NOT NULL);"
    )
    target = make_db(
        SLOW + "CREATE TABLE slow (a int); INSERT INTO slow VALUES (1);"
        "CREATE TABLE t (id int); INSERT INTO t VALUES (NULL);"
    )
    options = SyncOptions(data_check_budget=1.0)
    result = compare(server.settings(source), server.settings(target), options)
    by_check = {f.check: f for f in result.plan.data_checks}
    assert by_check["check"].count is None
    assert by_check["check"].message == "not checked: the data-check time budget ran out"
    assert not by_check["check"].fails
    assert by_check["not_null"].count == 1 and by_check["not_null"].fails  # counted first


def test_data_checks_counted_together_each_at_its_own_step(
    server: Server, make_db, monkeypatch
) -> None:
    """Checks go to the server in batches (one round trip each); every count lands on its own
    step, and a check that errors mid-batch sends the batch back one at a time."""
    from ddp_engine import datacheck

    calls: list[int] = []
    rows = datacheck._rows

    def counting(conn, text):  # the real function, observed: counts per round trip
        calls.append(text.count("pg_catalog.count("))
        return rows(conn, text)

    monkeypatch.setattr(datacheck, "_rows", counting)
    source = make_db("CREATE TABLE t (a int NOT NULL, b int NOT NULL, c int NOT NULL);")
    target = make_db(
        "CREATE TABLE t (a int, b int, c int);"
        "INSERT INTO t VALUES (NULL, NULL, NULL), (1, NULL, NULL), (1, 1, NULL), (1, 1, 1);"
    )
    result = compare(server.settings(source), server.settings(target))
    found = {result.plan.steps[f.step].check[-1]: f.count for f in result.plan.data_checks}
    assert found == {"a": 1, "b": 2, "c": 3}
    assert calls == [3]

    calls.clear()
    source = make_db(
        "CREATE TABLE t (a int NOT NULL, b int CHECK (10 / (b - b) = 0), c int NOT NULL);"
    )
    result = compare(server.settings(source), server.settings(target))
    by_check = {f.check: f for f in result.plan.data_checks if f.check == "check"}
    assert by_check["check"].message == "not checked: division by zero"
    nulls = {
        result.plan.steps[f.step].check[-1]: f.count
        for f in result.plan.data_checks
        if f.check == "not_null"
    }
    assert nulls == {"a": 1, "c": 3}
    assert calls == [3, 1, 1, 1]  # the batch failed, then one at a time


def test_online_plan_applies_and_converges(server: Server, make_db, tmp_path) -> None:
    target = make_db(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (id int, p int, e text);"
        "CREATE INDEX t_e ON t (e); INSERT INTO p VALUES (1); INSERT INTO t VALUES (1, 1, 'a');"
    )
    source = make_db(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE t (id int, p int REFERENCES p,"
        " e text NOT NULL CHECK (e <> '')); CREATE INDEX t_e ON t (lower(e));"
        "CREATE INDEX t_id ON t (id);"
    )
    options = SyncOptions(online=True)
    result = compare(server.settings(source), server.settings(target), options)
    script = result.script
    assert "CREATE INDEX CONCURRENTLY" in script and "NOT VALID" in script
    assert "VALIDATE CONSTRAINT" in script and "ONLINE PART" in script
    main, online = script.split("ONLINE PART")
    assert "CONCURRENTLY" not in main and "BEGIN;" in main and "COMMIT;" in main
    assert script.index("SET lock_timeout") < script.index("BEGIN;")
    apply_plan(server.settings(target), result.plan, script)
    again = compare(server.settings(source), server.settings(target), options)
    assert again.plan.is_empty, again.script


def test_failing_statement_changes_nothing(server: Server, make_db) -> None:
    source, target = make_db(SOURCE), make_db(TARGET)
    before = dump(server, target)
    result = compare(server.settings(source), server.settings(target))
    with pytest.raises(StepsWouldFail):  # the counted NULLs and duplicates: never started
        apply_plan(server.settings(target), result.plan, result.script, frozenset({"values_fail"}))
    assert dump(server, target) == before
    uncounted = compare(
        server.settings(source), server.settings(target), SyncOptions(data_checks=False)
    )
    with pytest.raises(DdpError, match="nothing was changed"):
        apply_plan(
            server.settings(target),
            uncounted.plan,
            uncounted.script,
            frozenset({"values_fail", "values_change"}),
        )
    assert dump(server, target) == before


def test_lock_timeout_changes_nothing(server: Server, make_db) -> None:
    source = make_db("CREATE TABLE t (id int, extra int);")
    target = make_db("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
    before = dump(server, target)
    result = compare(
        server.settings(source), server.settings(target), SyncOptions(lock_timeout="500ms")
    )
    with server.connect(target) as blocker:
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE t IN ACCESS SHARE MODE")
        with pytest.raises(DdpError, match="lock timeout"):
            apply_plan(server.settings(target), result.plan, result.script)
        blocker.execute("ROLLBACK")
    assert dump(server, target) == before


def test_killed_connection_changes_nothing(server: Server, make_db) -> None:
    source = make_db("CREATE TABLE t (id int, extra int); CREATE TABLE u (a int);")
    target = make_db("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
    before = dump(server, target)
    result = compare(
        server.settings(source), server.settings(target), SyncOptions(lock_timeout="0")
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            apply_plan(server.settings(target), result.plan, result.script)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    with server.connect(target) as blocker:
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE t IN ACCESS SHARE MODE")
        worker = threading.Thread(target=run)
        worker.start()
        with server.connect(target) as killer:
            for _ in range(100):
                pids = killer.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'ddp' "
                    "AND wait_event_type = 'Lock' AND datname = current_database()"
                ).fetchall()
                if pids:
                    break
                time.sleep(0.1)
            assert pids, "the apply never waited on the lock"
            killer.execute("SELECT pg_terminate_backend(%s)", (pids[0][0],))
        worker.join(30)
        blocker.execute("ROLLBACK")
    assert errors and isinstance(errors[0], DdpError)
    assert "Traceback" not in errors[0].message
    assert dump(server, target) == before


def test_target_changed_after_planning_is_refused(server: Server, make_db) -> None:
    source = make_db("CREATE TABLE t (id int, extra int);")
    target = make_db("CREATE TABLE t (id int);")
    result = compare(server.settings(source), server.settings(target))
    with server.connect(target) as conn:
        conn.execute("CREATE TABLE planted (x int)")
    before = dump(server, target)
    with pytest.raises(DdpError, match="target changed since the plan"):
        apply_plan(server.settings(target), result.plan, result.script)
    assert dump(server, target) == before


def test_plan_made_only_to_be_written_is_not_applied(server: Server, make_db) -> None:
    """Without the fingerprint (the CLI's plain sync skips it) there is nothing to check the
    target against, so apply_plan refuses rather than applying blind."""
    source = make_db("CREATE TABLE t (id int, extra int);")
    target = make_db("CREATE TABLE t (id int);")
    result = compare(
        server.settings(source), server.settings(target), SyncOptions(fingerprint=False)
    )
    assert result.plan.target_fingerprint == ""
    assert not result.plan.is_empty
    before = dump(server, target)
    with pytest.raises(DdpError, match="without the target's fingerprint"):
        apply_plan(server.settings(target), result.plan, result.script)
    assert dump(server, target) == before
    again = compare(server.settings(source), server.settings(target))
    assert again.plan.target_fingerprint == again.target.fingerprint()


def test_concurrent_apply_is_refused(server: Server, make_db) -> None:
    from ddp_engine.apply import lock_id

    source = make_db("CREATE TABLE t (id int, extra int);")
    target = make_db("CREATE TABLE t (id int);")
    result = compare(server.settings(source), server.settings(target))
    with server.connect(target) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock_id(server.settings(target)),))
        with pytest.raises(DdpError, match="another ddp sync is applying"):
            apply_plan(server.settings(target), result.plan, result.script)


def test_script_with_failing_data_still_valid_sql_when_clean(
    server: Server, make_db, tmp_path
) -> None:
    """The same plan on clean data applies under psql ON_ERROR_STOP (hazards are comments)."""
    source = make_db(SOURCE)
    target = make_db(
        "CREATE TABLE t (id int, email text, code text); INSERT INTO t VALUES (5, 'a', '5');"
    )
    result = compare(server.settings(source), server.settings(target))
    assert all(not f.fails for f in result.plan.data_checks)
    apply_script(server, target, result.script, tmp_path)


def test_target_changing_while_being_read_gives_one_consistent_snapshot(server, make_db) -> None:
    """Another session changes the schema between two catalog queries of the same read: the
    snapshot shows one state of the schema, never half of each."""
    import psycopg

    from ddp_engine.introspect import read_snapshot

    db = make_db("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);")

    class Meddling(psycopg.Cursor):
        calls = 0

        def execute(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            Meddling.calls += 1
            if Meddling.calls == 6:  # after relations, before columns, indexes, dependencies
                with server.connect(db) as other:
                    other.execute(
                        "ALTER TABLE t ADD COLUMN b int; CREATE TABLE late (x int);"
                        "DROP INDEX t_a; CREATE INDEX t_b ON t (b);"
                    )
            return super().execute(*args, **kwargs)

    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, cursor_factory=Meddling
    ) as conn:
        snapshot = read_snapshot(conn, "public", False)
    assert Meddling.calls > 6
    tables = {t.name: [c.name for c in t.columns] for t in snapshot.tables}
    indexes = [i.name for i in snapshot.indexes]
    # all before or all after (the dropped index makes the first read start again)
    assert (tables, indexes) in (
        ({"t": ["a"]}, ["t_a"]),
        ({"t": ["a", "b"], "late": ["x"]}, ["t_b"]),
    )


def test_dropping_an_attribute_of_a_stored_composite_type_is_a_hazard(
    server: Server, make_db, tmp_path
) -> None:
    """PostgreSQL drops the attribute from every stored value of the type as well: the step
    says whose values go, and says nothing for a type no column stores."""
    target = make_db(
        "CREATE TYPE item AS (name text, price int); CREATE TABLE t (c item, d item[]);"
        "INSERT INTO t VALUES (ROW('a', 1), ARRAY[ROW('b', 2)::item]);"
        "CREATE TYPE loose AS (name text, price int);"
    )
    source = make_db(
        "CREATE TYPE item AS (name text); CREATE TABLE t (c item, d item[]);"
        "CREATE TYPE loose AS (name text);"
    )
    result = compare(server.settings(source), server.settings(target))
    hazards = {note: h for note, h in result.plan.hazards()}
    assert hazards["Change composite type item"].code == "data_not_carried"
    assert hazards["Change composite type item"].message == (
        "the values of price stored in t.c, t.d are dropped with the attribute"
    )
    assert "Change composite type loose" not in hazards
    assert "-- Change composite type item\n--   hazard data_not_carried: " in result.script
    apply_script(server, target, result.script, tmp_path)
    assert compare(server.settings(source), server.settings(target)).plan.is_empty
