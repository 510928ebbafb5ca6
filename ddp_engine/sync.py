"""The engine's one doorway: every face (``ddp sync``, ``ddp demo``, the Dagster assets) calls
these functions, with the same :class:`SyncOptions` (options.py), in the same order:

- :func:`snapshot` reads one side (:func:`compare` reads both at once, in parallel);
- :func:`diff_snapshots` diffs two snapshots into a :class:`SchemaDiff` (the changes, no SQL);
  :func:`plan_from_diff` orders the changes into a :class:`Plan` (``make_plan``), then runs the
  data checks on the target; :func:`plan_from_snapshots` does both;
- :func:`render` turns the plan into the script, and :func:`write_script` writes it;
- :func:`apply_and_verify` applies the plan to the target in one transaction (the online part
  after it), then diffs again.

A **dry run** means the same on every face: plan, write the script, apply nothing. Applying
is asked for explicitly (``ddp sync --apply``, ``dry_run: false`` in Dagster) and goes through
blocking hazard codes only with consent (``SyncOptions.allow_hazards``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
from pydantic import BaseModel, ConfigDict

from ddp_engine.apply import apply_plan
from ddp_engine.blocked import blocked_read
from ddp_engine.context import Lookups, pair_lookups
from ddp_engine.conversions import TargetConversions
from ddp_engine.crossversion import mark_unsettled, same_major, settle_texts, strip_privileges
from ddp_engine.datacheck import run_data_checks, unchecked
from ddp_engine.diff import Change, diff
from ddp_engine.errors import DdpError
from ddp_engine.extversions import installable, missing_extensions, reachable_versions
from ddp_engine.fidelity import noted
from ddp_engine.introspect import introspect
from ddp_engine.lookalike import flag_lookalikes
from ddp_engine.model import Key, Snapshot
from ddp_engine.options import SyncOptions
from ddp_engine.plan import make_plan
from ddp_engine.plan_model import Plan
from ddp_engine.relabel import relabel
from ddp_engine.renames import Renamed, apply_hints, with_renames
from ddp_engine.render import render_script
from ddp_engine.schemamap import map_schemas
from ddp_engine.scope import apply_scope, refuse_touched
from ddp_engine.settings import ConnectionSettings
from ddp_engine.shadow import major_of
from ddp_engine.unmodelled import differing


class SyncResult(BaseModel):
    """Both snapshots, the plan and the script made from them."""

    model_config = ConfigDict(frozen=True)

    source: Snapshot
    target: Snapshot
    plan: Plan
    script: str
    source_seconds: float
    target_seconds: float


def label(settings: ConnectionSettings, all_schemas: bool) -> str:
    """How a side is named in the script header (never with a password)."""
    where = f"{settings.database}@{settings.address()}"
    return f"{where} (all schemas)" if all_schemas else f"{settings.schema_name} ({where})"


class SideRead(NamedTuple):
    """One side as read_both returns it: the snapshot, the seconds its read took, the lookups
    the planner needs in it and, when the options ask for it, its fingerprint ("" if not)."""

    snapshot: Snapshot
    seconds: float
    lookups: Lookups
    fingerprint: str


def snapshot(
    settings: ConnectionSettings,
    side: str,
    options: SyncOptions,
    target_schema: str | None = None,
    shared: dict[Any, Any] | None = None,
) -> tuple[Snapshot, float]:
    """Read one side ("source" or "target"): its snapshot and the seconds the read took.
    What the scope leaves out is not read in full (``target_schema``: the schema a source's
    one schema is compared with, which the scope's patterns name; options.read_scope).
    ``shared``: the pool of objects both sides read into (introspect)."""
    cache = None if side in options.uncached else options.cache_dir
    scope = options.read_scope(side, settings.schema_name, target_schema)
    return introspect(settings, side, options.all_schemas, options.limits(), cache, scope, shared)


def read_both(
    source: ConnectionSettings, target: ConnectionSettings, options: SyncOptions
) -> tuple[SideRead, SideRead]:
    """Introspect source and target at the same time: the wall time is the slower side's.

    Each side's lookups (and the target's fingerprint) are made in that side's thread as soon
    as it is read, while the other side may still be reading. Both read into one pool: an
    object of the target equal to one of the source is that one (most of them are).
    """
    shared: dict[Any, Any] = {}

    def read(settings: ConnectionSettings, side: str) -> SideRead:
        snap, seconds = snapshot(settings, side, options, target.schema_name, shared)
        if side == "source":
            return SideRead(snap, seconds, Lookups.of_source(snap), "")
        fingerprint = snap.fingerprint() if options.fingerprint else ""
        return SideRead(snap, seconds, Lookups.of_target(snap), fingerprint)

    with ThreadPoolExecutor(max_workers=2) as pool:
        src = pool.submit(read, source, "source")
        tgt = pool.submit(read, target, "target")
        return src.result(), tgt.result()


class SchemaDiff(BaseModel):
    """The diff stage's result: what differs (``changes``, no SQL), and the two snapshots as
    they were compared (the source in the target's names, printed texts settled), which the
    planner orders the changes against. Dagster's ``schema_diff`` asset holds one."""

    model_config = ConfigDict(frozen=True)

    source: Snapshot
    target: Snapshot
    changes: tuple[Change, ...]
    #: Objects whose printed text no shadow server could settle (their change may be only how
    #: a server prints them).
    unsettled: tuple[Key, ...] = ()
    #: Of the target as it was read (apply re-reads it and compares); "" when not taken.
    target_fingerprint: str = ""
    #: What the rename hints did: the target above is compared as if renamed.
    renamed: Renamed = Renamed()
    #: Objects the scope leaves out (how many; the keys a plan must not touch).
    left_out: int = 0
    out_of_scope: tuple[Key, ...] = ()
    #: Said to the user with the plan (extension versions the target cannot reach).
    warnings: tuple[str, ...] = ()

    @property
    def not_synchronised(self) -> int:
        """Objects of kinds DDP does not synchronise that differ (one side only, or another
        definition): no change of the diff names them, yet the two schemas differ (the plan
        refuses each)."""
        return len(differing(self.source, self.target))

    @property
    def is_empty(self) -> bool:
        """Nothing differs: the target matches the source (hinted renames are differences)."""
        return not self.changes and not self.renamed.steps and not self.not_synchronised


def _diff_stage(
    source: Snapshot,
    target: Snapshot,
    source_settings: ConnectionSettings,
    target_settings: ConnectionSettings,
    options: SyncOptions,
    lookups: tuple[Lookups | None, Lookups | None],
    fingerprint: str | None,
) -> tuple[SchemaDiff, tuple[Lookups, Lookups]]:
    """diff_snapshots, also handing back the lookups it built (the planner uses them)."""
    if fingerprint is None:
        # Of the target as it is: apply re-reads it and compares.
        fingerprint = target.fingerprint() if options.fingerprint else ""
    if options.schema_map:
        source = map_schemas(source, options.schema_map)
    elif not options.all_schemas:  # in the target's names, so that texts compare and settle
        source = relabel(source, source_settings.schema_name, target_settings.schema_name)
    if not same_major(source, target):
        source = strip_privileges(source, target.server_version)
        target = strip_privileges(target, source.server_version)
    missing = missing_extensions(source, target)
    packages = installable(target_settings, missing, options.limits()) if missing else None
    source, kept_versions = reachable_versions(source, target, packages)
    target, renamed = apply_hints(target, options.renames)  # compared as if renamed
    scoped = apply_scope(options.scope(), source, target)
    source = scoped.source
    src, tgt = lookups
    constraints = None
    if src is not None and src.snapshot is source and tgt is not None and tgt.snapshot is target:
        constraints = (src.objects["constraints"], tgt.objects["constraints"])
    source, unsettled = settle_texts(
        source,
        target,
        shadow_url=options.shadow_url,
        limits=options.limits(),
        schema_name=target_settings.schema_name,
        constraints=constraints,
    )
    both = pair_lookups(source, target, lookups)
    indexes = (both[0].objects, both[1].objects)
    changes = diff(source, target, options.privileges, indexes, owners=options.owners)
    found = SchemaDiff(
        source=source,
        target=target,
        changes=changes,
        unsettled=tuple(unsettled),
        target_fingerprint=fingerprint,
        renamed=renamed,
        left_out=scoped.left_out,
        out_of_scope=tuple(sorted(scoped.out_keys)),
        warnings=tuple(kept_versions),
    )
    return found, both


def diff_snapshots(
    source: Snapshot,
    target: Snapshot,
    source_settings: ConnectionSettings,
    target_settings: ConnectionSettings,
    options: SyncOptions,
) -> SchemaDiff:
    """The diff stage on two snapshots already read: what differs, no SQL (Dagster's
    ``schema_diff``; :func:`plan_from_diff` orders it into a plan)."""
    return _diff_stage(
        source, target, source_settings, target_settings, options, (None, None), None
    )[0]


def plan_from_diff(
    found: SchemaDiff,
    source_settings: ConnectionSettings,
    target_settings: ConnectionSettings,
    options: SyncOptions,
    now: datetime | None = None,
    lookups: tuple[Lookups, Lookups] | None = None,
) -> Plan:
    """The Plan for a diff: its changes ordered into steps, with the data checks run on the
    target unless the options turn them off (``lookups``: when the diff's caller has them)."""
    source, target = found.source, found.target
    conversions = TargetConversions(target_settings, options.limits())
    lookups = lookups or pair_lookups(source, target, (None, None))
    plan = make_plan(
        source,
        target,
        source_label=label(source_settings, options.all_schemas),
        target_label=label(target_settings, options.all_schemas),
        target_schema=target_settings.schema_name,
        source_schema=source_settings.schema_name,
        privileges=options.privileges,
        owners=options.owners,
        online=options.online,
        lock_timeout=options.lock_timeout,
        statement_timeout=options.statement_timeout,
        now=now,
        target_fingerprint=found.target_fingerprint,
        lookups=lookups,
        conversions=conversions,
        changes=found.changes,
        using=options.using,
    )
    plan = with_renames(plan, found.renamed)  # the renames start the plan
    plan = flag_lookalikes(plan, source, target)
    refuse_touched(plan.steps, frozenset(found.out_of_scope))
    if found.left_out:
        plan = plan.model_copy(update={"left_out": found.left_out})
    plan = mark_unsettled(plan, found.unsettled, major_of(target.server_version))
    if found.warnings:
        plan = plan.model_copy(update={"warnings": (*plan.warnings, *found.warnings)})
    plan = noted(plan, options.loaded_on)
    if conversions.time_zone is not None:
        plan = plan.model_copy(update={"time_zone": conversions.time_zone})
    if options.data_checks:
        plan = run_data_checks(target_settings, plan, options.data_check_budget, options.limits())
    else:
        plan = unchecked(plan)
    return plan


def plan_from_snapshots(
    source: Snapshot,
    target: Snapshot,
    source_settings: ConnectionSettings,
    target_settings: ConnectionSettings,
    options: SyncOptions,
    now: datetime | None = None,
    lookups: tuple[Lookups | None, Lookups | None] = (None, None),
    fingerprint: str | None = None,
    compared: list[Snapshot] | None = None,
) -> Plan:
    """The diff stage then the plan, for two snapshots already read. ``lookups`` and the
    target's ``fingerprint``, when the caller made them already, are not made again.
    ``compared``, when given, receives the source as the diff compared it (in the target's
    names, printed texts settled): a plan file records its fingerprint to verify an apply."""
    found, both = _diff_stage(
        source, target, source_settings, target_settings, options, lookups, fingerprint
    )
    if compared is not None:
        compared.append(found.source)
    return plan_from_diff(found, source_settings, target_settings, options, now, both)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while snapshots are built and compared.

    A big catalog becomes millions of small, acyclic objects; the collector would walk them
    again and again as they are made (a third of the planning time at 10,000 tables) and
    could free none of them. Reference counting still frees everything as usual. On the way
    out the objects alive are frozen (left out of later collections): else the first
    collection after re-enabling walks all of them once more (1.4 s at 10,000 tables).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def compare(
    source: ConnectionSettings,
    target: ConnectionSettings,
    options: SyncOptions | None = None,
    now: datetime | None = None,
    compared: list[Snapshot] | None = None,
) -> SyncResult:
    """Read both sides and make the plan and script (``compared``: see plan_from_snapshots)."""
    options = options or SyncOptions()
    with no_cycle_collection():
        src, tgt = read_both(source, target, options)
        plan = plan_from_snapshots(
            src.snapshot,
            tgt.snapshot,
            source,
            target,
            options,
            now,
            lookups=(src.lookups, tgt.lookups),
            fingerprint=tgt.fingerprint,
            compared=compared,
        )
    return SyncResult(
        source=src.snapshot,
        target=tgt.snapshot,
        plan=plan,
        script=render(plan),
        source_seconds=src.seconds,
        target_seconds=tgt.seconds,
    )


def render(plan: Plan) -> str:
    """The script of ``plan``, in the layout every face writes."""
    return render_script(plan)


def write_script(text: str, path: str | Path, *, make_folder: bool = False) -> Path:
    """Write the script (or the JSON plan) to ``path``; one line if that fails.

    ``make_folder`` creates a missing folder first: for a path set once in configuration
    (Dagster's ``output_path``), not for one typed on a command line, where a missing folder
    is more likely a typo than a wish.
    """
    path = Path(path)
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as exc:
        raise DdpError(f"cannot write {path}: {exc.strerror}") from None
    return path


class Applied(BaseModel):
    """What an apply did, and the plan made again after it (empty: the target matches)."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    statements: int
    after: Plan


def apply_and_verify(
    plan: Plan,
    source: ConnectionSettings,
    target: ConnectionSettings,
    options: SyncOptions | None = None,
) -> Applied:
    """Apply ``plan`` to the target (nothing when it is empty), then diff again.

    Refused before any statement runs when the target changed since the plan was made
    (:class:`~ddp_engine.errors.TargetChanged`) or the plan holds blocking hazard codes that
    ``options.allow_hazards`` does not (:class:`~ddp_engine.errors.PlanRefused`).
    """
    options = options or SyncOptions()
    limits = options.limits()
    try:
        scope = options.read_scope("target", target.schema_name)
        done = apply_plan(target, plan, render(plan), options.allow_hazards, limits, scope)
    except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as exc:
        # the re-read before applying waited too long: say who holds the lock
        raise DdpError(blocked_read(target, "target", options.all_schemas, limits, exc)) from None
    after = compare(source, target, options).plan
    return Applied(applied=done.applied, statements=done.statements, after=after)
