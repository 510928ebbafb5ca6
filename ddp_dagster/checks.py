"""The ``target_in_sync`` check of a pair: red while the target differs from the source.

It is evaluated after the diff (the drift job), and again after an apply in the same run (the
apply job, or the sync job with ``dry_run: false``): an apply that made the target match turns
it green, as the apply verified by reading the target again.

Drift is reported with the pair's ``drift_severity``; with ``fail_on_drift`` the check's step
fails after recording its result, so the run fails (Dagster's run-failure alerts, and the exit
code of ``dagster job execute``) while nothing downstream is held back: the check is not
blocking, so ``alter_sql`` still renders.
"""

from collections.abc import Iterator

import dagster as dg

from ddp_dagster.pairs import PairSpec
from ddp_engine import present
from ddp_engine.sync import SchemaDiff

MAX_LISTED = present.MAX_TABLE_ROWS  # drifted objects listed in the check's metadata


def applied_in_run(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> bool:
    """True when ``key`` (the pair's applied_plan) was materialised in this very run by an
    apply after which the target matched the source."""
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.run_id != context.run.run_id or event.asset_materialization is None:
        return False
    in_sync = event.asset_materialization.metadata.get("in_sync_after_apply")
    return bool(in_sync is not None and in_sync.value is True)


def drift_result(found: SchemaDiff, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    """The check's verdict on a diff: the drifted objects, listed, when there are any."""
    drifted = present.drifted_objects(found)
    shown = drifted[:MAX_LISTED]
    more = f"\n- … and {len(drifted) - len(shown)} more" if len(drifted) > len(shown) else ""
    listed = "\n".join(f"- {present.cell(d)}" for d in shown) + more if drifted else "none"
    return dg.AssetCheckResult(
        passed=found.is_empty,
        severity=severity,
        description=(
            "Source and target are in sync."
            if found.is_empty
            else f"{len(drifted)} object(s) differ between source and target."
        ),
        metadata={
            "changes": len(drifted),
            "changes_by_kind": dg.MetadataValue.json(present.changes_by_kind(found)),
            "drifted_objects": dg.MetadataValue.md(listed),
        },
    )


def build_target_in_sync(
    pair: PairSpec, schema_diff: dg.AssetsDefinition, applied_plan: dg.AssetsDefinition
) -> dg.AssetChecksDefinition:
    """The pair's check on ``schema_diff``, ordered after ``applied_plan`` when both run."""
    severity = dg.AssetCheckSeverity(pair.drift_severity.upper())

    # Dagster runs a generator check (the result first, then the failure that fails the run
    # under fail_on_drift); its type hints only name the plain form.
    @dg.asset_check(  # type: ignore[arg-type]
        asset=schema_diff,
        name="target_in_sync",
        # a blocking ERROR check would skip alter_sql exactly when it is needed
        blocking=False,
        additional_deps=[applied_plan.key],
        description="Passes when the target matches the source; lists the drifted objects "
        "when it does not. Evaluated again after an apply in the same run.",
    )
    def target_in_sync(
        context: dg.AssetCheckExecutionContext, schema_diff: SchemaDiff
    ) -> Iterator[dg.AssetCheckResult]:
        if applied_in_run(context, applied_plan.key):
            yield dg.AssetCheckResult(
                passed=True,
                severity=severity,
                description="The reviewed plan was applied in this run; the target, read "
                "again, matches the source.",
                metadata={"changes": 0, "after_apply": True},
            )
            return
        yield drift_result(schema_diff, severity)
        if pair.fail_on_drift and not schema_diff.is_empty:
            raise dg.Failure(
                description=f"DDP failed: the target of pair {pair.group_name} has drifted: "
                f"{len(schema_diff.changes)} object(s) differ from the source (fail_on_drift)",
                allow_retries=False,
            )

    return target_in_sync
