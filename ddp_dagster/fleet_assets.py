"""A fleet's assets: four, whatever the number of targets.

``source_schema`` (the reference, read once per run) and, partitioned by target database,
``target_schema``, ``schema_diff`` and ``alter_sql``: 200 tenants are 4 assets and 200
partitions. The partitioned ones have a single-run backfill policy, so that a backfill of the
fleet is ONE run that reads the source once and every target through the snapshot cache (a
few at a time), instead of a run per target with its own process start-up.

``schema_diff`` says which partitions drifted: its materialisation lists them
(``drifted_partitions``), and each partition gets an observation of its own (``in_sync``,
``changes``); with ``fail_on_drift`` the run then fails, naming them. Applying stays a pair's
work: a fleet writes a reviewed plan per target (``alter_sql``), for a person or a pair to
apply.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg
from pydantic import Field

from ddp_dagster.assets import IO_MANAGER_KEY, build_snapshot_asset
from ddp_dagster.fleets import FleetSpec
from ddp_dagster.pair_context import DAGSTER, PairResources, beta_api, read_failure
from ddp_dagster.plans import ReviewedPlan, reviewed_plan, stage_asset
from ddp_dagster.reads import SideSnapshot, read_side
from ddp_dagster.translator import DdpTranslator, Stage
from ddp_engine.errors import ConnectionFailed, DdpError
from ddp_engine.model import Snapshot
from ddp_engine.sync import SchemaDiff, diff_snapshots

#: Targets read (or planned) at once in a fleet's run: the servers do the work.
READERS = 4
#: Partitions named in a materialisation's metadata (the rest are counted).
MAX_LISTED = 500

T = TypeVar("T")


class FleetPlanConfig(dg.Config):
    """Run config of a fleet's ``alter_sql``."""

    output_dir: str = Field(
        default="",
        description="The folder of the scripts, one <partition>.sql (and .plan.json) per "
        "target (default: alter_<fleet>), relative to the working directory",
    )


@dataclass(frozen=True)
class FleetAssets:
    """Everything one fleet contributes to the Definitions."""

    fleet: FleetSpec
    partitions_def: dg.PartitionsDefinition
    source_schema: dg.AssetsDefinition
    target_schema: dg.AssetsDefinition
    schema_diff: dg.AssetsDefinition
    alter_sql: dg.AssetsDefinition

    @property
    def assets(self) -> list[dg.AssetsDefinition]:
        return [self.source_schema, self.target_schema, self.schema_diff, self.alter_sql]

    @property
    def drift_keys(self) -> list[dg.AssetKey]:
        return [self.source_schema.key, self.target_schema.key, self.schema_diff.key]


def each_partition(context: dg.AssetExecutionContext, work: Callable[[str], T]) -> dict[str, T]:
    """``work`` for every partition of the run, a few at once. When partitions fail, the
    step fails after the others ran, naming them and the first error's one line; when every
    failure is a connection failure that may pass (the server down or restarting), the step
    is tried again with backoff, as a pair's read is."""
    keys = list(context.partition_keys)
    failed: dict[str, DdpError] = {}
    done: dict[str, T] = {}
    with ThreadPoolExecutor(max_workers=min(READERS, len(keys)) or 1) as pool:
        futures = {key: pool.submit(work, key) for key in keys}
        for key, future in futures.items():
            try:
                done[key] = future.result()
            except DdpError as err:
                failed[key] = err
    if not failed:
        return done
    first = next(iter(failed))
    if all(isinstance(e, ConnectionFailed) and e.transient for e in failed.values()):
        again = read_failure(failed[first], context, None)
        if isinstance(again, dg.RetryRequested):
            raise again
    raise dg.Failure(
        description=f"{len(failed)} of {len(keys)} target(s) failed: {first}: "
        f"{failed[first].line(DAGSTER)}",
        metadata={"failed_partitions": dg.MetadataValue.json(listed(sorted(failed)))},
        allow_retries=False,
    )


def listed(keys: list[str]) -> list[str]:
    """At most MAX_LISTED keys (metadata is copied to every partition's materialisation)."""
    return keys[:MAX_LISTED] + (
        [f"... and {len(keys) - MAX_LISTED} more"] if keys[MAX_LISTED:] else []
    )


def build_fleet_assets(fleet: FleetSpec, translator: DdpTranslator | None = None) -> FleetAssets:
    """The fleet's four assets, named by ``translator`` as a pair's are."""
    with beta_api():
        return _build(fleet, translator)


def _build(fleet: FleetSpec, translator: DdpTranslator | None) -> FleetAssets:
    pr = PairResources(fleet)
    translator = translator or DdpTranslator()
    partitions_def = fleet.partitions_def()

    def args(stage: Stage) -> dict[str, Any]:
        return {**translator.asset_args(fleet, stage), "io_manager_key": IO_MANAGER_KEY}

    def partitioned(stage: Stage) -> dict[str, Any]:
        return {
            **args(stage),
            "partitions_def": partitions_def,
            "backfill_policy": dg.BackfillPolicy.single_run(),
        }

    source_schema = build_snapshot_asset(pr, "source", args("source_schema"))

    @dg.asset(
        required_resource_keys=pr.keys_of("target"),
        description=f"Each target database of fleet {fleet.name} (a partition each) as read "
        "from pg_catalog (the last read again while its catalog's epoch has not moved).",
        **partitioned("target_schema"),
    )
    def target_schema(context: dg.AssetExecutionContext) -> dg.MaterializeResult[Any]:
        resource, options = pr.side(context, "target"), pr.options(context)

        def read(key: str) -> SideSnapshot:
            return read_side(fleet.target_settings(resource, key), "target", options)

        reads = each_partition(context, read)
        cached = sorted(k for k, r in reads.items() if r.from_cache)
        for key, r in reads.items():
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    partition=key,
                    metadata={"fingerprint": r.fingerprint, "read_from_cache": r.from_cache},
                )
            )
        context.log.info(f"{len(reads)} target(s) read, {len(cached)} from the cache")
        return dg.MaterializeResult(
            value={k: r.snapshot for k, r in reads.items()},
            metadata={
                "partitions": len(reads),
                "read_from_cache": len(cached) == len(reads),
                "partitions_from_cache": len(cached),
                "introspection_seconds": round(sum(r.seconds for r in reads.values()), 3),
            },
        )

    @dg.asset(
        ins={
            "source_schema": dg.AssetIn(key=source_schema.key),
            "target_schema": dg.AssetIn(key=target_schema.key),
        },
        required_resource_keys=pr.keys,
        description=f"What differs between the source and each target of fleet {fleet.name}; "
        "lists the drifted partitions.",
        **partitioned("schema_diff"),
    )
    def schema_diff(
        context: dg.AssetExecutionContext,
        source_schema: Snapshot,
        target_schema: dict[str, Snapshot],
    ) -> Iterator[dg.MaterializeResult[Any]]:
        source, target = pr.side(context, "source"), pr.side(context, "target")
        options = pr.options(context)
        try:
            src = source.settings()
        except DdpError as err:
            raise dg.Failure(description=err.line(DAGSTER), allow_retries=False) from None

        def compare(key: str) -> SchemaDiff:
            tgt = fleet.target_settings(target, key)
            return diff_snapshots(source_schema, target_schema[key], src, tgt, options)

        found = each_partition(context, compare)
        drifted = sorted(k for k, d in found.items() if not d.is_empty)
        for key, d in found.items():
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    partition=key,
                    metadata={"in_sync": d.is_empty, "changes": len(d.changes)},
                )
            )
        context.log.info(f"{len(drifted)} of {len(found)} target(s) drifted")
        yield dg.MaterializeResult(
            value=found,
            metadata={
                "partitions": len(found),
                "drifted": len(drifted),
                "drifted_partitions": dg.MetadataValue.json(listed(drifted)),
                "changes_by_partition": dg.MetadataValue.json(
                    {k: len(found[k].changes) for k in drifted[:MAX_LISTED]}
                ),
            },
        )
        if fleet.fail_on_drift and drifted:
            raise dg.Failure(
                description=f"DDP failed: {len(drifted)} target(s) of fleet {fleet.name} have "
                f"drifted: {', '.join(listed(drifted)[:10])} (fail_on_drift)",
                allow_retries=False,
            )

    @stage_asset(
        pr,
        schema_diff,
        f"A reviewed plan per target of fleet {fleet.name}: <output_dir>/<partition>.sql "
        "and its plan file (nothing is applied).",
        **partitioned("alter_sql"),
    )
    def alter_sql(
        context: dg.AssetExecutionContext,
        config: FleetPlanConfig,
        schema_diff: dict[str, SchemaDiff],
    ) -> dg.MaterializeResult[Any]:
        source, target = pr.side(context, "source"), pr.side(context, "target")
        options = pr.options(context)
        folder = Path(config.output_dir or fleet.default_output_path())

        def plan(key: str) -> ReviewedPlan:
            tgt = fleet.target_settings(target, key)
            diff = schema_diff[key]
            return reviewed_plan(diff, source.settings(), tgt, options, folder / f"{key}.sql")[0]

        plans = each_partition(context, plan)
        pending = sorted(k for k, p in plans.items() if not p.in_sync)
        return dg.MaterializeResult(
            value=plans,
            metadata={
                "script_folder": dg.MetadataValue.path(str(folder.resolve())),
                "partitions_with_statements": dg.MetadataValue.json(listed(pending)),
                "statements": sum(p.statements for p in plans.values()),
            },
        )

    return FleetAssets(fleet, partitions_def, source_schema, target_schema, schema_diff, alter_sql)
