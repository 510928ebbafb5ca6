"""The sync as Dagster assets and the drift check.

``source_schema``, ``target_schema`` → ``schema_diff`` (the diff stage: what differs) →
``alter_sql`` (the reviewed plan: plan file and script) → ``applied_plan`` (that plan applied),
plus the ``target_in_sync`` check on ``schema_diff``.

The assets call the engine's doorway (:mod:`ddp_engine.sync`) as ``ddp plan`` and ``ddp apply``
do, with the same options (:class:`~ddp_dagster.resources.SyncOptionsResource`): ``snapshot`` of
each side, ``diff_snapshots``, then ``plan_from_diff``, ``render`` and the plan file, and its
apply (:mod:`ddp_dagster.plans`). What they show comes from :mod:`ddp_engine.present`, as the
CLI's summary and JSON do. :func:`build_pair_assets` builds one set per schema pair (see
:mod:`ddp_dagster.pairs`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg

from ddp_dagster.checks import build_target_in_sync
from ddp_dagster.observe import build_target_catalog
from ddp_dagster.pair_context import DAGSTER, PairResources, read_failure
from ddp_dagster.pairs import PairSpec
from ddp_dagster.plans import AlterSqlConfig, ApplyConfig, build_alter_sql, build_applied_plan
from ddp_dagster.reads import read_side, side_metadata
from ddp_dagster.translator import DdpTranslator, Stage
from ddp_engine import present
from ddp_engine.errors import DdpError
from ddp_engine.model import Snapshot
from ddp_engine.sync import SchemaDiff, diff_snapshots

__all__ = ["DAGSTER", "AlterSqlConfig", "ApplyConfig", "PairAssets", "build_pair_assets"]

IO_MANAGER_KEY = "ddp_io_manager"


@dataclass(frozen=True)
class PairAssets:
    """Everything one schema pair contributes to the Definitions."""

    pair: PairSpec
    #: The target as it is now, observed: its data version is the schema's fingerprint.
    target_catalog: dg.SourceAsset
    source_schema: dg.AssetsDefinition
    target_schema: dg.AssetsDefinition
    schema_diff: dg.AssetsDefinition
    alter_sql: dg.AssetsDefinition
    applied_plan: dg.AssetsDefinition
    target_in_sync: dg.AssetChecksDefinition
    #: The target as a tag value (PairSpec.target_tag, at load time).
    target_tag: str

    @property
    def assets(self) -> list[dg.AssetsDefinition | dg.SourceAsset]:
        return [
            self.target_catalog,
            self.source_schema,
            self.target_schema,
            self.schema_diff,
            self.alter_sql,
            self.applied_plan,
        ]

    @property
    def drift_keys(self) -> list[dg.AssetKey]:
        """What the drift job observes and materialises (the target's catalog, the snapshots
        and the diff)."""
        return [
            self.target_catalog.key,
            self.source_schema.key,
            self.target_schema.key,
            self.schema_diff.key,
        ]

    @property
    def plan_keys(self) -> list[dg.AssetKey]:
        """What the sync job materialises: everything up to the reviewed plan."""
        return [*self.drift_keys, self.alter_sql.key]


def diff_metadata(found: SchemaDiff) -> dict[str, Any]:
    """``schema_diff``'s metadata: what differs, by kind and as a markdown table."""
    return {
        "in_sync": found.is_empty,
        "changes": len(found.changes),
        "changes_by_kind": dg.MetadataValue.json(present.changes_by_kind(found)),
        "changes_table": dg.MetadataValue.md(present.changes_table(found)),
        "target_fingerprint": found.target_fingerprint,
    }


def build_snapshot_asset(
    pr: PairResources,
    side: str,
    spec_args: dict[str, Any],
    observed: dg.SourceAsset | None = None,
) -> dg.AssetsDefinition:
    """The asset of one side's snapshot (``source_schema`` or ``target_schema``), downstream
    of the ``observed`` catalog when given (it turns stale when that one changes)."""

    @dg.asset(
        required_resource_keys=pr.keys_of(side),
        description=f"The {side} schema as read from pg_catalog: every object DDP compares "
        "(the last read again while the catalog's epoch has not moved).",
        deps=[observed.key] if observed is not None else None,
        **spec_args,
    )
    def _snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult[Snapshot]:
        resource = pr.side(context, side)
        try:
            read = read_side(resource.settings(), side, pr.options(context))
        except DdpError as err:
            raise read_failure(err, context, resource) from None
        cached = " (from the cache: the catalog did not change)" if read.from_cache else ""
        objects = sum(read.snapshot.counts().values())
        context.log.info(
            f"{side} {resource.describe()}: {objects} objects in {read.seconds:.2f}s{cached}"
        )
        return dg.MaterializeResult(
            value=read.snapshot,
            data_version=dg.DataVersion(read.fingerprint),
            metadata=side_metadata(read, resource.describe()),
        )

    return _snapshot


def build_pair_assets(
    pair: PairSpec,
    environ: Mapping[str, str] | None = None,
    translator: DdpTranslator | None = None,
) -> PairAssets:
    """The five assets and the check of one pair, named by ``translator`` (default: keys
    prefixed and grouped by the pair's name); ``environ`` (default: the process's) names the
    target for the apply's pool."""
    pr = PairResources(pair)
    target_tag = pair.target_tag(environ)
    translator = translator or DdpTranslator()

    def args(stage: Stage) -> dict[str, Any]:
        """The stage's key, group, owners, tags and kinds, and the pair's IO manager."""
        return {**translator.asset_args(pair, stage), "io_manager_key": IO_MANAGER_KEY}

    target_catalog = build_target_catalog(pr, translator.asset_args(pair, "target_catalog"))

    source_schema = build_snapshot_asset(pr, "source", args("source_schema"))
    target_schema = build_snapshot_asset(pr, "target", args("target_schema"), target_catalog)

    @dg.asset(
        ins={
            "source_schema": dg.AssetIn(key=source_schema.key),
            "target_schema": dg.AssetIn(key=target_schema.key),
        },
        required_resource_keys=pr.keys,
        description="What differs between source and target: every object to create, drop or "
        "alter (no SQL yet; alter_sql orders it into a plan).",
        **args("schema_diff"),
    )
    def schema_diff(
        context: dg.AssetExecutionContext, source_schema: Snapshot, target_schema: Snapshot
    ) -> dg.MaterializeResult[SchemaDiff]:
        source, target = pr.side(context, "source"), pr.side(context, "target")
        try:
            found = diff_snapshots(
                source_schema,
                target_schema,
                source.settings(),
                target.settings(),
                pr.options(context),
            )
        except DdpError as err:
            raise read_failure(err, context, target) from None
        context.log.info("in sync" if found.is_empty else f"{len(found.changes)} difference(s)")
        return dg.MaterializeResult(value=found, metadata=diff_metadata(found))

    alter_sql = build_alter_sql(pr, schema_diff, args("alter_sql"))
    applied_plan = build_applied_plan(pr, alter_sql, args("applied_plan"), target_tag)
    return PairAssets(
        pair=pair,
        target_catalog=target_catalog,
        source_schema=source_schema,
        target_schema=target_schema,
        schema_diff=schema_diff,
        alter_sql=alter_sql,
        applied_plan=applied_plan,
        target_in_sync=build_target_in_sync(pair, schema_diff, applied_plan),
        target_tag=target_tag,
    )
