"""The target as an observable asset: ``target_catalog``, whose data version is the target
schema's fingerprint.

Observing it reads the target through the snapshot cache: while the catalog's epoch has not
moved, that is one digest query and the cached file, no deparsing. When the fingerprint
changes, the UI shows a new data version of ``target_catalog`` and ``target_schema`` (and
what stands on it) turns stale, whoever changed the target. The drift jobs observe it first;
a schedule of the drift job is therefore also a cheap watch on every target.
"""

from typing import Any

import dagster as dg

from ddp_dagster.pair_context import PairResources, beta_api, read_failure
from ddp_dagster.reads import read_side
from ddp_engine.errors import DdpError


def build_target_catalog(pr: PairResources, spec_args: dict[str, Any]) -> dg.SourceAsset:
    """The pair's observable ``target_catalog`` (named by the translator's ``spec_args``)."""
    with beta_api():
        return _build(pr, spec_args)


def _build(pr: PairResources, spec_args: dict[str, Any]) -> dg.SourceAsset:
    @dg.observable_source_asset(
        key=spec_args["key"],
        group_name=spec_args["group_name"],
        tags=spec_args["tags"],
        required_resource_keys=pr.keys_of("target"),
        description="The target database's schema as it is now (observed, not materialised): "
        "its data version is the schema's fingerprint, so a change made on the target shows "
        "here and target_schema turns stale.",
    )
    def _observe(context: dg.OpExecutionContext) -> dg.ObserveResult:
        resource = pr.side(context, "target")
        try:
            read = read_side(resource.settings(), "target", pr.options(context))
        except DdpError as err:
            raise read_failure(err, context, resource) from None
        return dg.ObserveResult(
            data_version=dg.DataVersion(read.fingerprint),
            metadata={
                "where": resource.describe(),
                "fingerprint": read.fingerprint,
                "read_from_cache": read.from_cache,
            },
        )

    return _observe
