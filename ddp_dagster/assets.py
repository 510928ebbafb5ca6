"""The sync as Dagster assets and the drift check.

``source_schema``, ``target_schema`` → ``schema_diff`` → ``alter_sql``, plus the
``target_in_sync`` check on ``schema_diff``.

The assets call the engine's doorway (:mod:`ddp_engine.sync`) exactly as ``ddp sync`` does, in
the same order and with the same options (:class:`~ddp_dagster.resources.SyncOptionsResource`):
``snapshot`` of each side, ``plan_from_snapshots``, ``render`` and ``write_script``, and (when
``dry_run`` is off) ``apply_and_verify``. What they show comes from :mod:`ddp_engine.present`,
as the CLI's summary and JSON do; they hold no logic of their own beyond turning it into
metadata. :func:`build_pair_assets` builds one set per schema pair (see :mod:`ddp_dagster.pairs`).
"""

from dataclasses import dataclass
from typing import Any

import dagster as dg
from pydantic import BaseModel, ConfigDict, Field

from ddp_dagster.pairs import PairSpec
from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource
from ddp_engine import present
from ddp_engine.errors import DdpError, Face
from ddp_engine.model import Snapshot
from ddp_engine.plan import Plan
from ddp_engine.sync import (
    SyncOptions,
    apply_and_verify,
    plan_from_snapshots,
    render,
    snapshot,
    write_script,
)

IO_MANAGER_KEY = "ddp_io_manager"
MAX_TABLE_ROWS = present.MAX_TABLE_ROWS  # rows of the changes tables in metadata
MAX_SCRIPT_CHARS = 50_000  # script preview in metadata; the whole script is in the file

#: How the assets word an error: the remedies in Dagster's terms, not the command's.
DAGSTER = Face(
    prefix="DDP failed",
    replan="materialise this pair's schema_diff and alter_sql again",
    allow="allow_hazards: [{codes}] in alter_sql's config",
)


class AlterSqlConfig(dg.Config):
    """Run config of ``alter_sql`` (Launchpad: ``ops: {alter_sql: {config: ...}}``)."""

    dry_run: bool = Field(
        default=True,
        description="True (as ddp sync without --apply): plan and write the script, apply "
        "nothing. False (as ddp sync --apply): also apply it to the target in one "
        "transaction, then diff again.",
    )
    allow_hazards: list[str] = Field(
        default=[],
        description="Blocking hazard codes the apply may go through (values_change, "
        "values_fail, data_not_carried, possible_rename), as ddp sync --allow-hazards; "
        "without them an apply refuses a plan holding such a code, before any statement runs",
    )
    output_path: str = Field(
        default="",
        description="Where to write the script (default: alter.sql, or OUTPUT_FILE, for the "
        "default pair; alter_<pair>.sql for named pairs), relative to the working directory",
    )


class AlterScript(BaseModel):
    """The value of ``alter_sql``: the script and what happened to it."""

    model_config = ConfigDict(frozen=True)

    path: str
    script: str
    statements: int
    dry_run: bool
    applied: bool = False
    in_sync_after: bool | None = None


@dataclass(frozen=True)
class PairAssets:
    """Everything one schema pair contributes to the Definitions."""

    pair: PairSpec
    source_schema: dg.AssetsDefinition
    target_schema: dg.AssetsDefinition
    schema_diff: dg.AssetsDefinition
    alter_sql: dg.AssetsDefinition
    target_in_sync: dg.AssetChecksDefinition

    @property
    def assets(self) -> list[dg.AssetsDefinition]:
        return [self.source_schema, self.target_schema, self.schema_diff, self.alter_sql]

    @property
    def drift_keys(self) -> list[dg.AssetKey]:
        """What the drift job materialises (everything but ``alter_sql``)."""
        return [self.source_schema.key, self.target_schema.key, self.schema_diff.key]

    def resources(self) -> dict[str, dg.ConfigurableResource]:
        """The pair's resources, read from its env-var prefixes (see their ``from_env``)."""
        return {
            self.pair.source_resource_key: PostgresSchemaResource.from_env(self.pair.source_env),
            self.pair.target_resource_key: PostgresSchemaResource.from_env(self.pair.target_env),
            self.pair.options_resource_key: SyncOptionsResource.from_env(self.pair.options_env),
        }


def _failure(err: DdpError, resource: PostgresSchemaResource | None = None) -> dg.Failure:
    metadata = {"where": resource.describe()} if resource is not None else {}
    return dg.Failure(description=err.line(DAGSTER), metadata=metadata, allow_retries=False)


def plan_metadata(plan: Plan) -> dict[str, Any]:
    """``schema_diff``'s metadata: the presenter's facts (JSON, for lists and tables), the
    summary ``ddp sync`` prints and a markdown table of the changes."""
    metadata: dict[str, Any] = {
        key: dg.MetadataValue.json(value) if isinstance(value, (dict, list)) else value
        for key, value in present.plan_facts(plan).items()
    }
    metadata["changes_table"] = dg.MetadataValue.md(present.changes_table(plan))
    metadata["summary"] = dg.MetadataValue.text(present.summary(plan))
    return metadata


def build_pair_assets(pair: PairSpec) -> PairAssets:
    """The four assets and the check of one pair (key-prefixed and grouped by the pair's name)."""
    prefix = pair.key_prefix
    group = pair.group_name
    src_key, tgt_key = pair.source_resource_key, pair.target_resource_key
    opt_key = pair.options_resource_key
    common: dict[str, Any] = {
        "key_prefix": prefix or None,
        "group_name": group,
        "kinds": {"postgres"},
        "io_manager_key": IO_MANAGER_KEY,
    }

    def options_of(
        context: dg.AssetExecutionContext, allow: list[str] | None = None
    ) -> SyncOptions:
        """The pair's options as the run's resource gives them (and the consent to apply)."""
        resource: SyncOptionsResource = getattr(context.resources, opt_key)
        try:
            return resource.sync_options(
                all_schemas=pair.all_schemas, privileges=pair.privileges, allow_hazards=allow
            )
        except DdpError as err:
            raise _failure(err) from None

    def snapshot_asset(side: str, resource_key: str) -> dg.AssetsDefinition:
        @dg.asset(
            name=f"{side}_schema",
            required_resource_keys={resource_key, opt_key},
            description=f"The {side} schema as read from pg_catalog: every object DDP compares.",
            **common,
        )
        def _snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult[Snapshot]:
            resource: PostgresSchemaResource = getattr(context.resources, resource_key)
            try:
                read, seconds = snapshot(resource.settings(), side, options_of(context))
            except DdpError as err:
                raise _failure(err, resource) from None
            counts = read.counts()
            fingerprint = read.fingerprint()
            context.log.info(
                f"{side} {resource.describe()}: {sum(counts.values())} objects in {seconds:.2f}s"
            )
            return dg.MaterializeResult(
                value=read,
                data_version=dg.DataVersion(fingerprint),
                metadata={
                    "where": resource.describe(),
                    "objects": sum(counts.values()),
                    "objects_by_kind": dg.MetadataValue.json(counts),
                    "introspection_seconds": round(seconds, 3),
                    "server_version": read.server_version,
                    "fingerprint": fingerprint,
                },
            )

        return _snapshot

    source_schema = snapshot_asset("source", src_key)
    target_schema = snapshot_asset("target", tgt_key)

    @dg.asset(
        name="schema_diff",
        ins={
            "source_schema": dg.AssetIn(key=source_schema.key),
            "target_schema": dg.AssetIn(key=target_schema.key),
        },
        required_resource_keys={src_key, tgt_key, opt_key},
        description="What differs between source and target, as an ordered plan with hazards.",
        **common,
    )
    def schema_diff(
        context: dg.AssetExecutionContext, source_schema: Snapshot, target_schema: Snapshot
    ) -> dg.MaterializeResult[Plan]:
        source: PostgresSchemaResource = getattr(context.resources, src_key)
        target: PostgresSchemaResource = getattr(context.resources, tgt_key)
        try:
            plan = plan_from_snapshots(
                source_schema,
                target_schema,
                source.settings(),
                target.settings(),
                options_of(context),
            )
        except DdpError as err:
            raise _failure(err) from None
        context.log.info("in sync" if plan.is_empty else f"{len(plan.changes)} difference(s) found")
        return dg.MaterializeResult(value=plan, metadata=plan_metadata(plan))

    @dg.asset_check(
        asset=schema_diff,
        name="target_in_sync",
        blocking=False,  # a blocking ERROR check would skip alter_sql exactly when it is needed
        description="Passes when the target matches the source; lists the drifted objects "
        "when it does not.",
    )
    def target_in_sync(schema_diff: Plan) -> dg.AssetCheckResult:
        drifted = present.drifted_objects(schema_diff)
        shown = drifted[:MAX_TABLE_ROWS]
        more = f"\n- … and {len(drifted) - len(shown)} more" if len(drifted) > len(shown) else ""
        return dg.AssetCheckResult(
            passed=schema_diff.is_empty,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                "Source and target are in sync."
                if schema_diff.is_empty
                else f"{len(drifted)} object(s) differ between source and target."
            ),
            metadata={
                "changes": len(drifted),
                "statements": sum(schema_diff.counts().values()),
                "changes_by_kind": dg.MetadataValue.json(present.changes_by_kind(schema_diff)),
                "drifted_objects": dg.MetadataValue.md(
                    "\n".join(f"- {present.cell(d)}" for d in shown) + more if drifted else "none"
                ),
                "hazard_count": len(schema_diff.hazards()),
                "generated_at": schema_diff.generated_at,
            },
        )

    @dg.asset(
        name="alter_sql",
        ins={"schema_diff": dg.AssetIn(key=schema_diff.key)},
        required_resource_keys={src_key, tgt_key, opt_key},
        description="The ALTER script (header, one section per kind, cleanup part), written "
        "to a file; with dry_run=False also applied to the target in one transaction and "
        "verified.",
        **common,
    )
    def alter_sql(
        context: dg.AssetExecutionContext, config: AlterSqlConfig, schema_diff: Plan
    ) -> dg.MaterializeResult[AlterScript]:
        plan = schema_diff
        script = render(plan)
        try:
            path = write_script(
                script, config.output_path or pair.default_output_path(), make_folder=True
            )
        except DdpError as err:
            raise _failure(err) from None
        statements = sum(plan.counts().values())
        preview = script if len(script) <= MAX_SCRIPT_CHARS else script[:MAX_SCRIPT_CHARS]
        note = "" if preview is script else f"\n\n(first {MAX_SCRIPT_CHARS} characters; see file)"
        metadata: dict[str, Any] = {
            "path": dg.MetadataValue.path(str(path.resolve())),
            "dry_run": config.dry_run,
            "statements": statements,
            "hazard_count": len(plan.hazards()),
            "blocking_hazards": dg.MetadataValue.json(list(plan.refused())),
            "plan_generated_at": plan.generated_at,
            "script": dg.MetadataValue.md(f"```sql\n{preview}\n```{note}"),
        }
        context.log.info(f"script with {statements} statement(s) written to {path}")
        if config.dry_run:
            value = AlterScript(path=str(path), script=script, statements=statements, dry_run=True)
            return dg.MaterializeResult(value=value, metadata=metadata)

        source: PostgresSchemaResource = getattr(context.resources, src_key)
        target: PostgresSchemaResource = getattr(context.resources, tgt_key)
        try:
            options = options_of(context, config.allow_hazards)
            done = apply_and_verify(plan, source.settings(), target.settings(), options)
        except DdpError as err:
            raise _failure(err, target) from None
        remaining = present.drifted_objects(done.after)
        metadata |= {
            "applied": done.applied,
            "applied_statements": done.statements,
            "in_sync_after_apply": done.after.is_empty,
            "remaining_changes": dg.MetadataValue.json(remaining[:MAX_TABLE_ROWS]),
        }
        if not done.after.is_empty:
            raise dg.Failure(
                description=f"Applied, but {len(remaining)} difference(s) remain",
                metadata=metadata,
                allow_retries=False,
            )
        context.log.info(
            "applied: the target now matches the source" if done.applied else "nothing to apply"
        )
        value = AlterScript(
            path=str(path),
            script=script,
            statements=statements,
            dry_run=False,
            applied=done.applied,
            in_sync_after=True,
        )
        return dg.MaterializeResult(value=value, metadata=metadata)

    return PairAssets(
        pair=pair,
        source_schema=source_schema,
        target_schema=target_schema,
        schema_diff=schema_diff,
        alter_sql=alter_sql,
        target_in_sync=target_in_sync,
    )
