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


def test_each_dependency_once_and_the_fingerprint_ignores_their_order(server, make_db) -> None:
    """pg_depend holds an edge per mention (a CHECK naming a column twice, an index on a column
    it also filters on); dependencies.sql sends them unsorted and the reader keeps each once."""
    db = make_db(
        "CREATE TABLE t (a int CHECK (a > 0 AND a < 10), b int);"
        "CREATE INDEX i ON t (a) WHERE a > 0;"
    )
    snapshot, _ = introspect(server.settings(db), "source")
    edges = snapshot.dependencies
    assert len(edges) == len(set(edges))
    column_a = ("column", "public", "t", "a")
    assert edges.count((("index", "public", "i", ""), column_a)) == 1
    assert edges.count((("constraint", "public", "t", "t_a_check"), column_a)) == 1
    reordered = snapshot.model_copy(update={"dependencies": tuple(reversed(edges))})
    assert reordered.fingerprint() == snapshot.fingerprint()
