"""What every asset of a pair needs from a run: the pair's resources, its options, and errors
worded for Dagster.

The assets are built per pair with resource keys of that pair (``sales_source_db``, ...), so they
reach their resources by key; :class:`PairResources` does that in one place.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import dagster as dg

from ddp_dagster.pairs import PairSpec
from ddp_dagster.resources import PostgresSchemaResource, SyncOptionsResource
from ddp_engine.errors import ConnectionFailed, DdpError, Face
from ddp_engine.sync import SyncOptions

#: The contexts the pair's assets, observations and checks run with.
AnyContext = dg.AssetExecutionContext | dg.OpExecutionContext

#: How the assets word an error: the remedies in Dagster's terms, not the command's.
DAGSTER = Face(
    prefix="DDP failed",
    replan="materialise this pair's schema_diff and alter_sql again",
    allow="allow_hazards: [{codes}] in applied_plan's config",
    show_diff="materialise this pair's schema_diff",
    fresh_plan_file="materialise this pair's schema_diff and alter_sql again",
)


def failure(err: DdpError, resource: PostgresSchemaResource | None = None) -> dg.Failure:
    """The step's failure: the error's one line in Dagster's words, where it happened."""
    metadata = {"where": resource.describe()} if resource is not None else {}
    return dg.Failure(description=err.line(DAGSTER), metadata=metadata, allow_retries=False)


#: Retries of a read whose connection failed for a cause that may pass by itself (refused,
#: timed out, the server starting up, no free connection slot), waiting 5, 10, then 20 s.
#: Nothing else is retried, and an apply never is.
RETRIES = 3
BACKOFF_SECONDS = 5.0


def read_failure(
    err: DdpError, context: AnyContext, resource: PostgresSchemaResource | None
) -> Exception:
    """What a reading asset raises for ``err``: a retry with backoff for a transient
    connection failure (Dagster runs the step again), else :func:`failure`."""
    try:
        retry = context.retry_number
    except AttributeError:  # a context built for a direct call has no step, and no retries yet
        retry = 0
    if isinstance(err, ConnectionFailed) and err.transient and retry < RETRIES:
        wait = BACKOFF_SECONDS * 2**retry
        context.log.warning(f"{err.line(DAGSTER)}; trying again in {wait:.0f}s")
        return dg.RetryRequested(max_retries=RETRIES, seconds_to_wait=wait)
    return failure(err, resource)


@contextmanager
def beta_api() -> Iterator[None]:
    """Around definitions built with what Dagster 1.13 marks beta (observable source assets,
    backfill policies): its warning at every load is no one's to act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        yield


def pair_resources(
    pair: PairSpec, environ: Mapping[str, str] | None = None
) -> dict[str, dg.ConfigurableResource]:
    """A pair's (or fleet's) resources, read from its env-var prefixes (see their
    ``from_env``)."""
    return {
        pair.source_resource_key: PostgresSchemaResource.from_env(pair.source_env, environ),
        pair.target_resource_key: PostgresSchemaResource.from_env(
            pair.target_env, environ, pair.target_required
        ),
        pair.options_resource_key: SyncOptionsResource.from_env(pair.options_env, environ),
    }


@dataclass(frozen=True)
class PairResources:
    """The resources of one pair, looked up in a run's context by the pair's keys."""

    pair: PairSpec

    @property
    def keys(self) -> set[str]:
        """Every resource key the pair's assets require."""
        p = self.pair
        return {p.source_resource_key, p.target_resource_key, p.options_resource_key}

    def keys_of(self, side: str) -> set[str]:
        """What one side's snapshot requires: that side's database and the options (reading
        the target needs no source configured)."""
        p = self.pair
        key = p.source_resource_key if side == "source" else p.target_resource_key
        return {key, p.options_resource_key}

    def side(self, context: AnyContext, side: str) -> PostgresSchemaResource:
        """``side``'s resource ("source" or "target")."""
        key = self.pair.source_resource_key if side == "source" else self.pair.target_resource_key
        resource: PostgresSchemaResource = getattr(context.resources, key)
        return resource

    def options(self, context: AnyContext, allow: list[str] | None = None) -> SyncOptions:
        """The pair's options as the run's resource gives them (and the consent to apply);
        the snapshot cache in the instance's storage folder unless the resource says."""
        resource: SyncOptionsResource = getattr(context.resources, self.pair.options_resource_key)
        try:
            storage: str | None = context.instance.storage_directory()
        except Exception:  # noqa: BLE001 - a context built for a direct call has no instance
            storage = None
        try:
            return resource.sync_options(
                all_schemas=self.pair.all_schemas,
                privileges=self.pair.privileges,
                allow_hazards=allow,
                storage_dir=storage,
            )
        except DdpError as err:
            raise failure(err) from None
