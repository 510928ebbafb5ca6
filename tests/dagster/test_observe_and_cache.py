"""The drift job on the real server: the target observed (its data version is the schema's
fingerprint), each side read through the snapshot cache in the instance's storage folder by
default (a second run of an unchanged pair reads nothing but the epochs; a change on the
target is seen), and the tables' columns shown as Dagster table schemas."""

from __future__ import annotations

import dagster as dg
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.loader import LoadingContextForTest

from ddp_dagster.build import DRIFT_JOB, build_definitions
from ddp_dagster.pairs import PairSpec

DATA_VERSION = "dagster/data_version"


def observed(result: dg.ExecuteInProcessResult) -> dg.AssetObservation:
    [event] = [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    return event.event_specific_data.asset_observation


def meta(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    [mat] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in mat.metadata.items()}


def test_drift_runs_observe_the_target_and_read_unchanged_sides_from_the_cache(
    make_pair, monkeypatch, tmp_path
):
    pair = make_pair()
    for name, value in pair.env(PairSpec()).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DDP_CACHE_DIR", raising=False)
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "io"))
    defs = build_definitions(pairs=[PairSpec()])
    job = defs.resolve_job_def(DRIFT_JOB)
    graph = defs.resolve_asset_graph()
    target_schema = dg.AssetKey("target_schema")
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:

        def status() -> StaleStatus:
            resolver = CachingStaleStatusResolver(instance, graph, LoadingContextForTest(instance))
            return resolver.get_status(target_schema)

        first = job.execute_in_process(instance=instance)
        assert first.success
        assert meta(first, "source_schema")["read_from_cache"] is False
        version = observed(first).tags[DATA_VERSION]
        assert version == meta(first, "target_schema")["fingerprint"]
        # the cache is in the instance's storage folder, one file per side
        cache = tmp_path / "home" / "storage" / "ddp_cache"
        assert len(list(cache.glob("snapshot-*.ddp"))) == 2

        second = job.execute_in_process(instance=instance)
        assert meta(second, "source_schema")["read_from_cache"] is True
        assert meta(second, "target_schema")["read_from_cache"] is True
        assert observed(second).metadata["read_from_cache"].value is True
        assert observed(second).tags[DATA_VERSION] == version
        assert meta(second, "schema_diff")["changes"] == meta(first, "schema_diff")["changes"]

        assert status() == StaleStatus.FRESH

        with pair.server.connect(pair.target) as conn:
            conn.execute("ALTER TABLE customers ADD COLUMN email text NOT NULL")
        # observing alone (cheap) shows the change: target_schema is now stale
        looked = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey("target_catalog")]
        )
        assert observed(looked).metadata["read_from_cache"].value is False  # the epoch moved
        assert observed(looked).tags[DATA_VERSION] != version
        assert status() == StaleStatus.STALE
        third = job.execute_in_process(instance=instance)
        assert observed(third).tags[DATA_VERSION] == observed(looked).tags[DATA_VERSION]
        assert meta(third, "schema_diff")["changes"] < meta(first, "schema_diff")["changes"]
        assert status() == StaleStatus.FRESH


def test_the_tables_columns_as_table_schemas(make_pair, monkeypatch, tmp_path):
    pair = make_pair(
        'CREATE TABLE orders (id bigint NOT NULL, "note\n\'x" text);'
        "COMMENT ON COLUMN orders.id IS 'the order';",
        "",
    )
    for name, value in pair.env(PairSpec()).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_CACHE", "false")
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "io"))
    job = build_definitions(pairs=[PairSpec()]).resolve_job_def(DRIFT_JOB)
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        result = job.execute_in_process(instance=instance)
        assert not (tmp_path / "home" / "storage" / "ddp_cache").exists()  # DDP_CACHE=false
    source = meta(result, "source_schema")
    assert source["tables"] == 1 and source["read_from_cache"] is False
    schema = source["columns public.orders"]
    assert isinstance(schema, dg.TableSchema)
    assert [(c.name, c.type, c.constraints.nullable, c.description) for c in schema.columns] == [
        ("id", "bigint", False, "the order"),
        ("note\n'x", "text", True, None),
    ]
    # all the tables' columns as the asset's column schema (the UI's Columns)
    every = source["dagster/column_schema"]
    assert [c.name for c in every.columns] == ["public.orders.id", "public.orders.note\n'x"]
    assert meta(result, "target_schema")["tables"] == 0
