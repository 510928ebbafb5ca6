"""Snapshots and plans survive a JSON round trip unchanged (Dagster stores them as JSON)."""

from __future__ import annotations

from ddp_engine.introspect import introspect
from ddp_engine.model import Snapshot
from ddp_engine.plan import Plan
from ddp_engine.sync import compare


def test_snapshot_json_round_trip_keeps_the_fingerprint(server, make_db) -> None:
    db = make_db(
        "CREATE TYPE e AS ENUM ('a'); CREATE TABLE t (id serial PRIMARY KEY, e e,"
        " g int GENERATED ALWAYS AS IDENTITY); CREATE VIEW v AS SELECT id FROM t;"
        "CREATE INDEX i ON t (e) WHERE id > 0; COMMENT ON COLUMN t.e IS 'x';"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    again = Snapshot.model_validate_json(snapshot.model_dump_json())
    assert again == snapshot
    assert again.fingerprint() == snapshot.fingerprint()


def test_plan_json_round_trip(server, make_db) -> None:
    source = make_db("CREATE TABLE t (a int, b text NOT NULL);")
    target = make_db("CREATE TABLE t (a int); CREATE TABLE gone (x int);")
    plan = compare(server.settings(source), server.settings(target)).plan
    assert Plan.model_validate_json(plan.model_dump_json()) == plan
