"""The reviewed plan in Dagster: ``alter_sql`` materialises it, ``applied_plan`` applies it.

``alter_sql`` orders the diff's changes into a plan (``ddp plan``'s work): it writes the plan
file (JSON, with the target's fingerprint and a digest of its content) and the script beside
it, and shows the script, the hazards and the data checks as metadata, for a person to review.
``applied_plan`` applies exactly that file (``ddp apply``'s work, never planned again): it is
refused when the file was edited, when the target's fingerprint moved since the diff, or when
the plan holds a blocking hazard code its config does not allow. Its consent is
``dry_run: false``; a dry run checks all of that and applies nothing.
"""

from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import BaseModel, ConfigDict, Field

from ddp_dagster.pair_context import PairResources, failure, read_failure
from ddp_engine import present
from ddp_engine.errors import DdpError, TargetChanged
from ddp_engine.hazards import BLOCKING, parse_allowed
from ddp_engine.planfile import PlanFile, apply_plan_file, check_target, load_plan_file
from ddp_engine.planfile import make_plan_file as plan_file_text
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import (
    SchemaDiff,
    SyncOptions,
    SyncResult,
    plan_from_diff,
    render,
    snapshot,
    write_script,
)

TARGET_POOL_PREFIX = "ddp_target_"
ALTER_SQL_DESCRIPTION = (
    "The reviewed plan: the diff's changes ordered into a plan, written as a plan file "
    "(applied_plan applies exactly it) and as the ALTER script beside it, with hazards and "
    "data checks. Nothing is applied here."
)
MAX_SCRIPT_CHARS = 50_000  # script preview in metadata; the whole script is in the file


class AlterSqlConfig(dg.Config):
    """Run config of ``alter_sql`` (Launchpad: ``ops: {alter_sql: {config: ...}}``)."""

    output_path: str = Field(
        default="",
        description="Where to write the script (default: alter.sql, or OUTPUT_FILE, for the "
        "default pair; alter_<pair>.sql for named pairs), relative to the working directory; "
        "the plan file goes beside it (alter.plan.json)",
    )


class ApplyConfig(dg.Config):
    """Run config of ``applied_plan`` (``ops: {applied_plan: {config: ...}}``; a named pair's
    op is ``<pair>__applied_plan``)."""

    dry_run: bool = Field(
        default=True,
        description="True: check that the reviewed plan could be applied (file unchanged, "
        "target unchanged, hazards allowed) and apply nothing. False: apply it to the target "
        "in one transaction, then check that the target matches the source.",
    )
    allow_hazards: list[str] = Field(
        default=[],
        description="Blocking hazard codes the apply may go through "
        f"({', '.join(sorted(BLOCKING))}), as ddp apply --allow-hazards; without them an "
        "apply refuses a plan holding such a code, before any statement runs",
    )


class ReviewedPlan(BaseModel):
    """The value of ``alter_sql``: where the plan file and the script are, and what they say."""

    model_config = ConfigDict(frozen=True)

    plan_path: str
    script_path: str
    digest: str
    statements: int
    in_sync: bool
    blocking_hazards: tuple[str, ...] = ()


class AppliedPlan(BaseModel):
    """The value of ``applied_plan``: what the apply of a reviewed plan did."""

    model_config = ConfigDict(frozen=True)

    plan_path: str
    digest: str
    dry_run: bool
    applied: bool = False
    statements: int = 0
    #: The target, read again after the apply, matches the source (None: nothing applied).
    in_sync_after: bool | None = None


def plan_metadata(plan_facts: dict[str, Any]) -> dict[str, Any]:
    """The presenter's facts as metadata (JSON for lists and tables)."""
    return {
        key: dg.MetadataValue.json(value) if isinstance(value, (dict, list)) else value
        for key, value in plan_facts.items()
    }


def script_markdown(script: str) -> dg.MarkdownMetadataValue:
    """The script as a markdown code block, cut at MAX_SCRIPT_CHARS (the file has all)."""
    preview = script[:MAX_SCRIPT_CHARS]
    note = "" if preview == script else f"\n\n(first {MAX_SCRIPT_CHARS} characters; see file)"
    return dg.MetadataValue.md(f"```sql\n{preview}\n```{note}")


def plan_path_for(script_path: Path) -> Path:
    """``alter.sql`` → ``alter.plan.json`` (the plan file beside its script)."""
    return script_path.with_name(script_path.stem + ".plan.json")


def stage_asset(
    pr: PairResources, upstream: dg.AssetsDefinition, description: str, **kwargs: Any
) -> Any:
    """The decorator of a stage that takes the stage before it (``upstream``) as its input,
    named after it, and needs the pair's resources."""
    return dg.asset(
        ins={upstream.key.path[-1]: dg.AssetIn(key=upstream.key)},
        required_resource_keys=pr.keys,
        description=description,
        **kwargs,
    )


def reviewed_plan(
    schema_diff: SchemaDiff,
    src: ConnectionSettings,
    tgt: ConnectionSettings,
    options: SyncOptions,
    where: str | Path,
) -> tuple[ReviewedPlan, dict[str, Any]]:
    """Plan the diff's changes, write the plan file and the script (``where``), and say what
    they hold: the value of ``alter_sql`` and its metadata."""
    plan = plan_from_diff(schema_diff, src, tgt, options)
    script = render(plan)
    result = SyncResult(
        source=schema_diff.source,
        target=schema_diff.target,
        plan=plan,
        script=script,
        source_seconds=0.0,
        target_seconds=0.0,
    )
    text = plan_file_text(result, schema_diff.source, src, tgt, options)
    script_path = write_script(script, where, make_folder=True)
    plan_path = write_script(text, plan_path_for(script_path))
    written = load_plan_file(plan_path)
    facts = present.plan_facts(plan)
    value = ReviewedPlan(
        plan_path=str(plan_path.resolve()),
        script_path=str(script_path.resolve()),
        digest=written.digest,
        statements=facts["statements"],
        in_sync=plan.is_empty,
        blocking_hazards=tuple(facts["blocking_hazards"]),
    )
    metadata = plan_metadata(facts) | {
        # not "path": the IO manager records its own file under that key
        "script_path": dg.MetadataValue.path(value.script_path),
        "plan_path": dg.MetadataValue.path(value.plan_path),
        "plan_digest": written.digest,
        "summary": dg.MetadataValue.text(present.summary(plan)),
        "script": script_markdown(script),
    }
    return value, metadata


def build_alter_sql(
    pr: PairResources, schema_diff: dg.AssetsDefinition, spec_args: dict[str, Any]
) -> dg.AssetsDefinition:
    """The pair's ``alter_sql`` asset."""

    @stage_asset(pr, schema_diff, ALTER_SQL_DESCRIPTION, **spec_args)
    def alter_sql(
        context: dg.AssetExecutionContext, config: AlterSqlConfig, schema_diff: SchemaDiff
    ) -> dg.MaterializeResult[ReviewedPlan]:
        source, target = pr.side(context, "source"), pr.side(context, "target")
        options = pr.options(context)
        where = config.output_path or pr.pair.default_output_path()
        try:
            value, metadata = reviewed_plan(
                schema_diff, source.settings(), target.settings(), options, where
            )
        except DdpError as err:
            raise read_failure(err, context, target) from None
        context.log.info(
            f"plan with {value.statements} statement(s) written to {value.plan_path} "
            f"(script: {value.script_path})"
        )
        return dg.MaterializeResult(value=value, metadata=metadata)

    return alter_sql


def preflight(planfile: PlanFile, target: ConnectionSettings, options: SyncOptions) -> list[str]:
    """What an apply checks before it runs anything, without applying: the plan is for this
    target and the target still has the plan's fingerprint (else it fails as the apply would).
    Returns the blocking hazard codes an apply would refuse: a dry run shows them for review
    rather than failing on them."""
    check_target(planfile, target)
    plan = planfile.the_plan()
    if plan.is_empty:
        return []
    current, _ = snapshot(target, "target", options)
    if current.fingerprint() != planfile.target_fingerprint:
        raise TargetChanged("the target changed since the plan was made")
    return list(plan.refused(options.allow_hazards))


def build_applied_plan(
    pr: PairResources, alter_sql: dg.AssetsDefinition, spec_args: dict[str, Any], target_tag: str
) -> dg.AssetsDefinition:
    """The pair's ``applied_plan`` asset (in the pool of its target, ``target_tag``)."""

    @stage_asset(
        pr,
        alter_sql,
        "Applies the reviewed plan that alter_sql materialised, exactly as written (refused "
        "if the target changed since), with dry_run: false; then checks that the target "
        "matches the source.",
        # one apply per target at a time across runs, with dagster.yaml's pool limit (the
        # advisory lock stays the last guard)
        pool=TARGET_POOL_PREFIX + target_tag,
        **spec_args,
    )
    def applied_plan(
        context: dg.AssetExecutionContext, config: ApplyConfig, alter_sql: ReviewedPlan
    ) -> dg.MaterializeResult[AppliedPlan]:
        target = pr.side(context, "target")
        try:
            planfile = load_plan_file(alter_sql.plan_path)
            if planfile.digest != alter_sql.digest:
                raise DdpError(
                    f"{alter_sql.plan_path} is not the plan alter_sql materialised (another "
                    "plan was written there since)"
                )
            allowed = frozenset(parse_allowed(config.allow_hazards))
            settings = target.settings()
            refused: list[str] = []
            if config.dry_run:
                refused = preflight(planfile, settings, planfile.sync_options(allowed))
                outcome = None
            else:
                outcome = apply_plan_file(planfile, settings, allowed)
        except DdpError as err:
            raise failure(err, target) from None
        value = AppliedPlan(
            plan_path=alter_sql.plan_path,
            digest=planfile.digest,
            dry_run=config.dry_run,
            applied=bool(outcome and outcome.applied),
            statements=outcome.statements if outcome else 0,
            in_sync_after=True if outcome else None,
        )
        if outcome is None:
            context.log.info(
                f"dry run: nothing applied; an apply would need allow_hazards: {refused}"
                if refused
                else "dry run: the reviewed plan can be applied; nothing was applied"
            )
        else:
            context.log.info(
                f"applied {outcome.statements} statement(s): the target now matches the source"
                if outcome.applied
                else "nothing to apply: the target already matches the source"
            )
        metadata: dict[str, Any] = {
            "plan_path": dg.MetadataValue.path(value.plan_path),
            "plan_digest": value.digest,
            "dry_run": value.dry_run,
            "applied": value.applied,
            "applied_statements": value.statements,
            "in_sync_after_apply": value.in_sync_after is True,
            "hazards_to_allow": dg.MetadataValue.json(refused),
        }
        return dg.MaterializeResult(value=value, metadata=metadata)

    return applied_plan
