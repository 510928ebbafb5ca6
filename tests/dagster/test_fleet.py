"""A fleet (one source schema, many target databases) as one asset set over partitions, on
the real server: a backfill of 50 databases in ONE run reports the drifted ones, the dynamic
partitions' sensor finds the databases matching a pattern, and no password reaches a
partition key, metadata or log."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.assets import IO_MANAGER_KEY
from ddp_dagster.build import build_definitions
from ddp_dagster.fleet_assets import FleetPlanConfig, build_fleet_assets
from ddp_dagster.fleets import FleetSpec, build_fleet_sensor, fleets_from_mapping
from ddp_dagster.io_manager import JsonIOManager
from ddp_dagster.pairs import PairsFileError
from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource
from tests.conftest import Server, load
from tests.dagster.conftest import Pair
from tests.helpers import ODD_SQL, TRAP

#: Every database of a fleet: a shadow function and operator planted in public (running either
#: fails the statement), and a table whose name holds a quote and a newline.
FLEET_SQL = f"""
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, note text);
COMMENT ON COLUMN accounts.email IS 'where receipts go';
CREATE VIEW active AS SELECT id, email FROM accounts WHERE note IS NULL;
CREATE TABLE {ODD_SQL} (id int);
{TRAP}
"""
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


class Fleet:
    """A source database and ``n`` target databases made from the same SQL (by template)."""

    def __init__(self, server: Server, n: int, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self.source = f"{prefix}src"
        self.targets = [f"{prefix}{i:03d}" for i in range(n)]
        self.extra: list[str] = []  # other databases the test made, dropped with the fleet
        with server.connect() as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{self.source}"')
        load(server, self.source, FLEET_SQL)
        with server.connect() as conn:
            conn.autocommit = True
            for name in self.targets:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}"')

    def drop(self) -> None:
        with self.server.connect() as conn:
            conn.autocommit = True
            for name in [self.source, *self.targets, *self.extra]:
                quoted = name.replace('"', '""')
                conn.execute(f'DROP DATABASE IF EXISTS "{quoted}" WITH (FORCE)')

    def resources(self, spec: FleetSpec, base: Path, password: str = "") -> dict[str, object]:
        sides = Pair(self.server, self.source, "postgres")
        return {
            spec.source_resource_key: sides.resource(self.source, password),
            spec.target_resource_key: sides.resource("postgres", password),
            spec.options_resource_key: SyncOptionsResource(cache_dir=str(base / "cache")),
            IO_MANAGER_KEY: JsonIOManager(base_dir=str(base / "storage")),
        }


@pytest.fixture
def make_fleet(server: Server) -> Iterator[Callable[[int], Fleet]]:
    made: list[Fleet] = []

    def make(n: int) -> Fleet:
        made.append(Fleet(server, n, f"ddp_test_fleet_{uuid.uuid4().hex[:8]}_"))
        return made[-1]

    yield make
    for fleet in made:
        fleet.drop()


def spec_of(fleet: Fleet, **given: object) -> FleetSpec:
    """The fleet ``tenants`` over ``fleet``'s targets (unless ``given`` says otherwise)."""
    base = {"name": "tenants", "source_env": "T_SOURCE_DB_", "target_env": "T_TARGET_DB_"}
    return FleetSpec.model_validate(base | {"databases": tuple(fleet.targets)} | given)


def drift(server: Server, database: str, sql: str) -> None:
    with server.connect(database) as conn:
        conn.execute(sql)


def run_range(
    fleet: Fleet,
    spec: FleetSpec,
    base: Path,
    keys: list[str],
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """What a single-run backfill of ``keys`` launches: one run over the partition range."""
    built = build_fleet_assets(spec)
    return dg.materialize(
        built.assets,
        instance=instance,
        resources=fleet.resources(spec, base),
        tags={RANGE_START: keys[0], RANGE_END: keys[-1]},
        run_config=dg.RunConfig(
            ops={built.alter_sql.op.name: FleetPlanConfig(output_dir=str(base / "scripts"))}
        ),
        raise_on_error=False,
    )


def materialization(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    """The metadata of ``node``'s materialisations (the same for every partition of the run)."""
    mats = result.asset_materializations_for_node(node)
    assert mats
    return {k: v.value for k, v in mats[0].metadata.items()}


def test_fifty_databases_backfilled_in_one_run_report_the_drifted_ones(make_fleet, tmp_path):
    fleet = make_fleet(50)
    drift(fleet.server, fleet.targets[3], "ALTER TABLE accounts DROP COLUMN note CASCADE")
    drift(fleet.server, fleet.targets[17], "CREATE TABLE extra (id int)")
    drift(fleet.server, fleet.targets[42], "ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL")
    spec = spec_of(fleet)
    built = build_fleet_assets(spec)
    assert len(built.assets) == 4
    assert built.partitions_def.get_partition_keys() == fleet.targets

    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = run_range(fleet, spec, tmp_path, fleet.targets, instance)
    seconds = time.perf_counter() - started
    assert result.success
    assert instance.get_runs_count() == 1  # ONE run
    diff = materialization(result, "tenants__schema_diff")
    drifted = [fleet.targets[i] for i in (3, 17, 42)]
    assert diff["drifted_partitions"] == drifted
    assert diff["drifted"] == 3 and diff["partitions"] == 50
    # every partition materialised, each with its own verdict as an observation
    mats = result.asset_materializations_for_node("tenants__schema_diff")
    assert sorted(m.partition for m in mats) == fleet.targets
    verdicts = {
        e.event_specific_data.asset_observation.partition: (
            e.event_specific_data.asset_observation.metadata["in_sync"].value
        )
        for e in result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
        and e.event_specific_data.asset_observation.asset_key == built.schema_diff.key
    }
    assert {k for k, ok in verdicts.items() if not ok} == set(drifted)
    # a reviewed plan per target: only the drifted ones have statements
    plans = materialization(result, "tenants__alter_sql")
    assert plans["partitions_with_statements"] == drifted
    assert "DROP NOT NULL" not in (tmp_path / "scripts" / f"{drifted[2]}.sql").read_text()
    assert "SET NOT NULL" in (tmp_path / "scripts" / f"{drifted[2]}.sql").read_text()
    print(f"\n50-database fleet drift check, one in-process run: {seconds:.1f}s")

    # the same fleet again: every target comes from the cache, the verdict is the same
    again = run_range(fleet, spec, tmp_path, fleet.targets)
    assert materialization(again, "tenants__target_schema")["read_from_cache"] is True
    assert materialization(again, "tenants__schema_diff")["drifted_partitions"] == drifted


def test_a_range_of_partitions_and_a_target_changed_between_runs(make_fleet, tmp_path):
    fleet = make_fleet(3)
    spec = spec_of(fleet, name="shops", fail_on_drift=True)
    assert run_range(fleet, spec, tmp_path, fleet.targets[:2]).success
    # a value a careless sync would lose: the drift is a column with data, never dropped here
    drift(
        fleet.server,
        fleet.targets[1],
        "INSERT INTO accounts VALUES (1, 'a@b', 'x');"
        "ALTER TABLE accounts ADD COLUMN kept int DEFAULT 7",
    )
    result = run_range(fleet, spec, tmp_path, fleet.targets[:2])
    assert not result.success  # fail_on_drift: the run fails, naming the partition
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert fleet.targets[1] in failure.step_failure_data.error.message
    assert materialization(result, "shops__schema_diff")["drifted_partitions"] == [fleet.targets[1]]
    with fleet.server.connect(fleet.targets[1]) as conn:
        assert conn.execute("SELECT kept FROM accounts").fetchall() == [(7,)]


def test_the_fleet_of_the_pairs_file_backfills_its_drift_job_in_one_run(
    make_fleet, monkeypatch, tmp_path
):
    fleet = make_fleet(3)
    drift(fleet.server, fleet.targets[2], "CREATE INDEX ON accounts (email)")
    pairs = tmp_path / "pairs.yaml"
    pairs.write_text(
        "include_default: false\n"
        "fleets:\n"
        "  tenants:\n"
        "    source_env: T_SOURCE_DB_\n"
        "    target_env: T_TARGET_DB_\n"  # no T_TARGET_DB_NAME: the partitions name them
        f"    databases: [{', '.join(fleet.targets)}]\n"
    )
    server = fleet.server
    for prefix in ("T_SOURCE_DB_", "T_TARGET_DB_"):
        monkeypatch.setenv(prefix + "HOST", server.host)
        monkeypatch.setenv(prefix + "PORT", str(server.port))
        monkeypatch.setenv(prefix + "USER", server.user)
    monkeypatch.setenv("T_SOURCE_DB_NAME", fleet.source)
    monkeypatch.setenv("DDP_PAIRS_FILE", str(pairs))
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "io"))
    job = build_definitions().resolve_job_def("tenants_drift_job")
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        result = job.execute_in_process(
            instance=instance, tags={RANGE_START: fleet.targets[0], RANGE_END: fleet.targets[-1]}
        )
        assert result.success and instance.get_runs_count() == 1
    assert materialization(result, "tenants__schema_diff")["drifted_partitions"] == [
        fleet.targets[2]
    ]


def test_a_target_that_cannot_be_read_fails_the_step_naming_it(make_fleet, tmp_path):
    fleet = make_fleet(2)
    missing = "ddp_test_fleet_no_such_db"
    spec = spec_of(fleet, databases=(*fleet.targets, missing))
    built = build_fleet_assets(spec)
    resources = fleet.resources(spec, tmp_path)
    every = dg.PartitionKeyRange(fleet.targets[0], missing)
    with (
        dg.build_asset_context(resources=resources, partition_key_range=every) as context,
        pytest.raises(dg.Failure) as failed,
    ):
        built.target_schema(context)
    assert failed.value.description.startswith(f"1 of 3 target(s) failed: {missing}: ")
    assert "does not exist" in failed.value.description
    # the server down (a failure that may pass): the step is tried again, with backoff
    down = resources | {
        spec.target_resource_key: PostgresSchemaResource(
            host="127.0.0.1", port=1, username=fleet.server.user
        )
    }
    with (
        dg.build_asset_context(resources=down, partition_key_range=every) as context,
        pytest.raises(dg.RetryRequested),
    ):
        built.target_schema(context)


def test_the_sensor_adds_a_partition_per_matching_database(make_fleet, tmp_path):
    fleet = make_fleet(3)
    spec = spec_of(fleet, databases=(), database_pattern=f"{fleet.prefix}0*")
    # a database whose name matches but is no partition key (a quote, a newline): left out
    odd = f'{fleet.prefix}0"x\ny'
    with fleet.server.connect() as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{odd.replace(chr(34), chr(34) * 2)}"')
    fleet.extra.append(odd)
    sensor = build_fleet_sensor(spec, dg.DefaultSensorStatus.STOPPED)
    resources = fleet.resources(spec, tmp_path, password="s3cret-in-sensor")

    def tick(instance: dg.DagsterInstance, given: dict[str, object]) -> object:
        return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, resources=given))

    with dg.instance_for_test() as instance:
        result = tick(instance, resources)
        [request] = result.dynamic_partitions_requests
        assert sorted(request.partition_keys) == fleet.targets  # not the source (…src)
        instance.add_dynamic_partitions(spec.partitions_name, list(request.partition_keys))
        again = tick(instance, resources)
        assert not again.dynamic_partitions_requests and "no new database" in again.skip_message
    # an unreachable server: the sensor skips with one line, no password
    down = resources | {
        spec.target_resource_key: PostgresSchemaResource(
            host="127.0.0.1", port=1, database="postgres", username="u", password="s3cret-x"
        )
    }
    with dg.instance_for_test() as instance:
        skipped = tick(instance, down)
    assert not skipped.dynamic_partitions_requests
    assert "connection refused" in skipped.skip_message and "s3cret" not in skipped.skip_message


def test_a_url_template_keeps_the_password_out_of_keys_metadata_and_logs(
    make_fleet, tmp_path, monkeypatch, server
):
    fleet = make_fleet(2)
    password = "pw-fleet-\n'\"secret"
    url = f"postgresql://{server.user}:pw-fleet-secret@{server.host}:{server.port}/{{partition}}"
    monkeypatch.setenv("T_URL_TEMPLATE", url)
    spec = spec_of(fleet, url_template_env="T_URL_TEMPLATE")
    built = build_fleet_assets(spec)
    resources = fleet.resources(spec, tmp_path, password) | {
        # the server, role and database only in the template: the run reaches them through it
        spec.target_resource_key: PostgresSchemaResource(password=password)
    }
    result = dg.materialize(
        built.assets[:3],  # the drift assets
        resources=resources,
        tags={RANGE_START: fleet.targets[0], RANGE_END: fleet.targets[-1]},
    )
    assert result.success
    text = repr([e for e in result.all_events])
    assert "pw-fleet" not in text
    assert "pw-fleet" not in "".join(p.read_text() for p in tmp_path.rglob("*.json"))


def test_fleets_in_the_pairs_file_and_bad_ones():
    raw = {
        "pairs": {},
        "include_default": False,
        "fleets": {
            "tenants": {
                "source_env": "T_SOURCE_DB_",
                "target_env": "T_TARGET_DB_",
                "database_pattern": "tenant_*",
            }
        },
    }
    [spec] = fleets_from_mapping(raw, "defs.yaml")
    defs = build_definitions(pairs=[], fleets=[spec], environ={})
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert keys == {
        f"tenants/{s}" for s in ("source_schema", "target_schema", "schema_diff", "alter_sql")
    }
    assert defs.resolve_sensor_def("tenants_databases_sensor")
    assert defs.resolve_job_def("tenants_drift_job")
    for bad, said in (
        ({"databases": ["a"], "database_pattern": "x*"}, "either databases"),
        ({"databases": ["postgresql://u:pw@h/db"]}, "is not a database name"),
        ({"databases": ["a"], "password": "pw"}, "Extra inputs are not permitted"),
        ({"databases": ["a"], "drift_severity": "warn"}, "a fleet lists its drifted"),
    ):
        entry = {"source_env": "T_S_", "target_env": "T_T_"} | bad
        with pytest.raises(PairsFileError, match=said) as caught:
            fleets_from_mapping({"fleets": {"f": entry}}, "defs.yaml")
        assert "pw" not in str(caught.value)
