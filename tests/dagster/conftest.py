"""Fixtures for the Dagster tests: schema pairs on the real server, literal resources, and a
Dagster storage database of its own (``ddp_test_dagster_<hex>``, dropped after the test)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.assets import (
    IO_MANAGER_KEY,
    AlterSqlConfig,
    ApplyConfig,
    PairAssets,
    build_pair_assets,
)
from ddp_dagster.io_manager import JsonIOManager
from ddp_dagster.pairs import PairSpec
from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource
from tests.conftest import Server

SOURCE_SQL = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint REFERENCES customers (id),
    total numeric(12, 2) DEFAULT 0
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
"""
TARGET_SQL = "CREATE TABLE customers (id bigint PRIMARY KEY);"


@dataclass(frozen=True)
class Pair:
    """Two databases on the test server, and the resources that reach them."""

    server: Server
    source: str
    target: str

    def resource(self, database: str, password: str = "") -> PostgresSchemaResource:
        return PostgresSchemaResource(
            host=self.server.host,
            port=self.server.port,
            database=database,
            username=self.server.user,
            password=password,
        )

    def resources(
        self, spec: PairSpec, base_dir: Path, options: SyncOptionsResource | None = None
    ) -> dict[str, object]:
        """Both sides, the sync options (``ddp sync``'s defaults unless given) and the IO
        manager."""
        return {
            spec.source_resource_key: self.resource(self.source),
            spec.target_resource_key: self.resource(self.target),
            spec.options_resource_key: options or SyncOptionsResource(),
            IO_MANAGER_KEY: JsonIOManager(base_dir=str(base_dir)),
        }

    def env(self, spec: PairSpec, password: str = "") -> dict[str, str]:
        """``<prefix>*`` variables for the pair (the password is ignored under trust auth)."""
        out: dict[str, str] = {}
        for prefix, database in ((spec.source_env, self.source), (spec.target_env, self.target)):
            out |= {
                prefix + "HOST": self.server.host,
                prefix + "PORT": str(self.server.port),
                prefix + "NAME": database,
                prefix + "USER": self.server.user,
            }
            if password:
                out[prefix + "PASSWORD"] = password
        return out

    def ddp_sync(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """``ddp sync`` between the pair's databases (the other face, for comparisons)."""
        flags: list[str] = []
        for side, database in (("source", self.source), ("target", self.target)):
            flags += [f"--{side}-host", self.server.host, f"--{side}-port", str(self.server.port)]
            flags += [f"--{side}-database", database, f"--{side}-username", self.server.user]
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))
        }
        env.pop("OUTPUT_FILE", None)
        return subprocess.run(
            [sys.executable, "-m", "ddp_engine.cli", "sync", *flags, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """The run's check evaluations by check name."""
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    """The plain values of the metadata of ``node``'s materialisation."""
    [mat] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in mat.metadata.items()}


def run_config(
    assets: PairAssets,
    tmp_path: Path,
    dry_run: bool = True,
    allow_hazards: list[str] | None = None,
    selection: list[dg.AssetKey] | None = None,
) -> dg.RunConfig:
    """The script under ``tmp_path``; the apply's consent (``dry_run``) and allowed codes;
    only for the assets selected (all by default)."""
    configs: dict[dg.AssetsDefinition, dg.Config] = {
        assets.alter_sql: AlterSqlConfig(output_path=str(tmp_path / "alter.sql")),
        assets.applied_plan: ApplyConfig(dry_run=dry_run, allow_hazards=allow_hazards or []),
    }
    return dg.RunConfig(
        ops={
            a.op.name: config
            for a, config in configs.items()
            if selection is None or a.key in selection
        }
    )


@pytest.fixture
def make_pair(server: Server, make_db: Callable[[str], str]) -> Callable[[str, str], Pair]:
    def make(source_sql: str = SOURCE_SQL, target_sql: str = TARGET_SQL) -> Pair:
        return Pair(server, make_db(source_sql), make_db(target_sql))

    return make


@pytest.fixture
def default_assets() -> PairAssets:
    return build_pair_assets(PairSpec())


@pytest.fixture
def materialize(
    tmp_path: Path, default_assets: PairAssets
) -> Callable[..., dg.ExecuteInProcessResult]:
    """Materialise the default pair's graph in-process with literal resources."""

    def run(
        pair: Pair,
        *,
        dry_run: bool = True,
        selection: list[dg.AssetKey] | None = None,
        raise_on_error: bool = True,
        allow_hazards: list[str] | None = None,
        options: SyncOptionsResource | None = None,
    ) -> dg.ExecuteInProcessResult:
        a = default_assets
        return dg.materialize(
            [*a.assets, a.target_in_sync],
            selection=selection,
            resources=pair.resources(a.pair, tmp_path / "storage", options),
            run_config=run_config(a, tmp_path, dry_run, allow_hazards, selection),
            raise_on_error=raise_on_error,
        )

    return run


@pytest.fixture
def dagster_db(server: Server) -> Iterator[str]:
    """The name of a Dagster storage database (created by DdpPostgresStorage on first use)."""
    name = f"ddp_test_dagster_{uuid.uuid4().hex[:12]}"
    yield name
    with server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
