"""Changes → an ordered Plan of SQL steps.

How order is found: every step says which objects it provides (creates or alters) and which it
disturbs (drops, renames, alters). Edges come from pg_depend on both sides: a step that builds
X waits for the steps that build what X depends on in the source; a step that disturbs Y waits
for the drops of everything that depends on Y in the target. Objects without data that depend
on something disturbed (views, constraints, indexes, triggers, policies, defaults, functions) are
dropped and recreated. A priority topological sort keeps the seed's sections in order wherever
the edges allow.

Data-holding objects that exist only in the target (tables, columns, sequences, functions, and
whole schemas) are renamed ``<name>_dropped_<timestamp>``; their DROP goes to the cleanup part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ddp_engine import ddl
from ddp_engine.context import ConversionReader, Lookups, PlanContext, pair_lookups
from ddp_engine.diff import Action, Changes, diff
from ddp_engine.graph import Graph
from ddp_engine.kinds import REBUILDABLE, needs_replacement, with_partitions_replaced
from ddp_engine.model import Key, Kind, Snapshot, Table
from ddp_engine.plan_model import Plan
from ddp_engine.registry import Section
from ddp_engine.relabel import relabel
from ddp_engine.stepspec import Emitted, PlanWarning, Step, StepSpec
from ddp_engine.unmodelled import listed, refusals
from ddp_engine.user_conversions import UserConversion

#: Sections of the script, in order (registry.Section).
SECTIONS = tuple(Section)
SEED_SECTIONS = (
    Section.TABLE,
    Section.COLUMN,
    Section.FUNCTION,
    Section.CONSTRAINT,
    Section.INDEX,
    Section.TRIGGER,
)


def timestamps(now: datetime | None = None) -> tuple[str, str]:
    """The run's timestamp for the header and for renamed objects' names (DESIGN)."""
    now = now or datetime.now(UTC)
    millis = f"{now.microsecond // 1000:03d}"
    header = now.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"
    return header, now.strftime("%Y-%m-%dT%H-%M-%S-") + millis + "Z"


class Planner:
    """Orders the step specs of one plan's generators (see the module docstring).

    The generators (ddl.StepBuilder) say what each change takes; the planner decides what is
    rebuilt (the closure over the target's dependencies), collects the specs, turns what they
    provide, require, free, claim and disturb into edges, and sorts.
    """

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.steps: list[Step] = []
        self.graph = Graph()
        self.provides: dict[Key, list[int]] = defaultdict(list)
        self.disturbs: dict[Key, list[int]] = defaultdict(list)
        self.drops: dict[Key, list[int]] = defaultdict(list)
        self.frees: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.claims: dict[int, tuple[str, str]] = {}
        self.requires: dict[int, tuple[Key, ...]] = {}
        self.after_disturbed: dict[int, tuple[Key, ...]] = {}
        self._ids: dict[StepSpec, int] = {}
        self.cleanup: list[str] = []
        self.warnings: list[str] = ctx.unused_conversions()

    # -- collecting steps -----------------------------------------------------------------

    def take(self, emitted: Iterable[Emitted]) -> None:
        """Collect what a generator says, in the order it says it."""
        for item in emitted:
            if isinstance(item, PlanWarning):
                self.warnings.append(item.text)
            else:
                self._add(item)

    def _add(self, spec: StepSpec) -> None:
        step = spec.step
        key, action = step.key, step.action
        phase = 0 if action in (Action.DROP, Action.RENAME, Action.DETACH) else 1
        order = (SECTIONS.index(step.section), phase, key[1], key[2], key[3], spec.seq)
        sid = self.graph.add((*order, len(self.steps)))
        self.steps.append(step)
        self._ids[spec] = sid
        for k in spec.provides:
            self.provides[k].append(sid)
        for k in spec.disturbs:
            self.disturbs[k].append(sid)
            if action in (Action.DROP, Action.RENAME):
                self.drops[k].append(sid)
        for name in spec.frees:
            self.frees[name].append(sid)
        if spec.claims:
            self.claims[sid] = spec.claims
        if spec.requires:
            self.requires[sid] = spec.requires
        if spec.after_disturbed:
            self.after_disturbed[sid] = spec.after_disturbed
        for earlier in spec.after:
            self.graph.after(sid, self._ids[earlier])
        self.cleanup.extend(spec.cleanup)

    # -- the plan -------------------------------------------------------------------------

    def build(self) -> tuple[list[Step], list[str], list[str]]:
        ctx = self.ctx
        changes = ctx.changes
        rebuild, reached = self._rebuild_closure()
        gone_schemas = {
            c.key[2] for c in changes if c.kind == Kind.SCHEMA and c.action == Action.DROP
        }
        builder = ddl.StepBuilder(ctx, frozenset(reached))
        replaced_tables = {c.key[1:3] for c in changes if needs_replacement(c)}
        for change in changes:
            stands_on_change = change.action == Action.DROP and change.key in reached
            if (
                change.key[1] in gone_schemas
                and change.kind != Kind.SCHEMA
                and not stands_on_change
            ):
                continue  # renamed with its schema (what stands on a change elsewhere goes first)
            if change.kind == Kind.COLUMN and change.key[1:3] in replaced_tables:
                continue
            self.take(builder.change(change, change.key in rebuild))
        for key in sorted(rebuild - ctx.change_of.keys()):
            if key[1] in gone_schemas:
                continue
            self.take(builder.rebuild(key))
        self.take(builder.inheritance())
        self._edges()
        return self._sorted(), self.cleanup, self.warnings

    def _rebuild_closure(self) -> tuple[set[Key], set[Key]]:
        """Keys of unchanged-or-changed rebuildable objects that must be dropped and recreated,
        and every object without data that stands on something the plan disturbs.

        Starts from what the plan disturbs in a way dependants cannot survive (dropped or
        recreated objects, columns whose type changes, rebuilt enums) and walks pg_depend's
        reverse edges in the target.
        """
        ctx = self.ctx
        # (key, blocking): a blocking disturbance breaks what stands on it (a retyped column,
        # a dropped view); a rename does not, but same-named dependants still rebuild.
        seeds: list[tuple[Key, bool]] = []
        for change in ctx.changes:
            fields = set(change.fields)
            if change.action == Action.DROP:
                seeds.append((change.key, change.kind in REBUILDABLE - {Kind.FUNCTION}))
            elif change.action == Action.ALTER and (
                ctx.alter_recreates(change)
                or (
                    change.kind == Kind.COLUMN
                    and {"data_type", "collation", "generated", "virtual"} & fields
                )
                or needs_replacement(change)
            ):
                seeds.append((change.key, True))
        retyped = ctx.retyped_in_place()
        rebuild: set[Key] = set()
        reached: set[Key] = set()
        stack = list(seeds)
        seen: dict[Key, bool] = {}
        for key, blocking in seeds:
            seen[key] = seen.get(key, False) or blocking
        while stack:
            key, blocking = stack.pop()
            dependents = ctx.target_dependents(key)
            if key[0] == Kind.TABLE:  # what stands on its columns stands on the table
                table = ctx.tgt.get(key)
                for column in table.columns if isinstance(table, Table) else ():
                    dependents += ctx.tgt_dependents.get((Kind.COLUMN, *key[1:3], column.name), ())
                    if column.default is not None:  # implied, as in target_dependents
                        dependents.append((Kind.DEFAULT, key[1], key[2], column.name))
            for dependent in dependents:
                if key in retyped and dependent[0] in (Kind.CONSTRAINT, Kind.INDEX):
                    continue  # ALTER COLUMN TYPE rebuilds these itself
                if blocking and dependent[0] in REBUILDABLE:
                    reached.add(dependent)
                if dependent in seen and (seen[dependent] or not blocking):
                    continue
                seen[dependent] = blocking
                if dependent[0] == Kind.COLUMN and key[0] == Kind.TYPE:
                    stack.append((dependent, blocking))  # its type is rebuilt: what stands on it
                    continue
                if dependent[0] not in REBUILDABLE:
                    continue
                if dependent[0] == Kind.DEFAULT and key[0] == Kind.COLUMN:
                    continue  # the column's own change resets its default
                if dependent in ctx.src:
                    rebuild.add(dependent)
                stack.append((dependent, blocking))
        return rebuild, reached

    def _edges(self) -> None:
        # Build steps wait for what they depend on in the source.
        for key, step_ids in self.provides.items():
            for ref in self.ctx.source_requirements(key):
                if key[0] == Kind.SEQUENCE and ref[0] == Kind.COLUMN:
                    continue  # OWNED BY: a separate step once the column exists
                for sid in step_ids:
                    for provider in self.provides.get(ref, ()):
                        self.graph.after(sid, provider)
                    if ref[0] == Kind.COLUMN:  # a column built with its table
                        table_key: Key = (Kind.TABLE, ref[1], ref[2], "")
                        for provider in self.provides.get(table_key, ()):
                            self.graph.after(sid, provider)
        # Anything that disturbs Y waits for the drops of Y's dependants in the target; a
        # removal of Y also waits for the alterations that free those dependants from Y.
        for key, step_ids in self.disturbs.items():
            for dependent in self.ctx.target_dependents(key):
                for sid in step_ids:
                    removal = self.steps[sid].action in (Action.DROP, Action.RENAME)
                    for other in self.disturbs.get(dependent, ()) if removal else ():
                        self.graph.after(sid, other)
                    for dropper in self.drops.get(dependent, ()):
                        self.graph.after(sid, dropper)
            if key[0] == Kind.COLUMN:
                table_key = (Kind.TABLE, key[1], key[2], "")
                for sid in step_ids:
                    for provider in self.provides.get(table_key, ()):
                        if self.steps[provider].action != Action.CREATE:
                            continue
                        self.graph.after(sid, provider)
        # A recreated object's drop comes before its creation; a name is freed before reuse.
        self._wait(
            ((sid, (key,)) for key, sids in self.provides.items() for sid in sids), self.drops
        )
        self._wait(self.requires.items(), self.provides)
        self._wait(self.after_disturbed.items(), self.disturbs)
        self._wait(((sid, (name,)) for sid, name in self.claims.items()), self.frees)

    def _wait(
        self, waiting: Iterable[tuple[int, Iterable[Any]]], on: Mapping[Any, list[int]]
    ) -> None:
        """Each waiting step (id, the keys or names it waits on) runs after every step ``on``
        lists under one of them."""
        for sid, keys in waiting:
            for k in keys:
                for other in on.get(k, ()):
                    self.graph.after(sid, other)

    def _sorted(self) -> list[Step]:
        order, broken = self.graph.sort()
        for i in broken:
            self.warnings.append(f"dependency cycle broken at: {self.steps[i].note}")
        return [self.steps[i] for i in order]


_CLEANUP_ORDER = (
    "DROP TABLE",
    "ALTER TABLE",
    "DROP FUNCTION",
    "DROP PROCEDURE",
    "DROP AGGREGATE",
    "DROP SEQUENCE",
    "DROP TYPE",
    "DROP DOMAIN",
    "DROP COLLATION",
    "DROP EXTENSION",
    "DROP SCHEMA",
)


def _cleanup_order(statement: str) -> tuple[int, str]:
    """Dependants first: a table before the sequence its default uses, a column before its type."""
    rank = next((i for i, p in enumerate(_CLEANUP_ORDER) if statement.startswith(p)), 99)
    return rank, statement


def make_plan(
    source: Snapshot,
    target: Snapshot,
    *,
    source_label: str,
    target_label: str,
    target_schema: str,
    source_schema: str | None = None,
    privileges: bool = True,
    owners: bool = False,
    online: bool = False,
    lock_timeout: str = "10s",
    statement_timeout: str = "0",
    now: datetime | None = None,
    target_fingerprint: str | None = None,
    lookups: tuple[Lookups | None, Lookups | None] = (None, None),
    conversions: ConversionReader | None = None,
    changes: Changes | None = None,
    using: Iterable[UserConversion] = (),
) -> Plan:
    """Order the statements that make the target match the source.

    ``changes`` is the diff stage's output for these two snapshots (sync.py runs the stage and
    passes it); without it, or when the source is relabelled here, the snapshots are diffed
    first.

    In single-schema mode ``source_schema`` names the source's schema: a source that still
    holds it is relabelled to ``target_schema`` first (relabel.py; sync.py does it before the
    cross-version settling), so that two schemas of the same design compare equal.

    ``conversions`` tells how the target converts each column type change (without it, or for
    a type the target lacks, an explicit cast: through text where an enum or range is involved;
    the data checks then cannot count, and the step needs consent).
    """
    renamed_from = None
    if not source.all_schemas and source_schema is not None and source_schema != target_schema:
        renamed_from = source_schema
        if any(s.name == source_schema for s in source.schemas):
            source = relabel(source, source_schema, target_schema)
            changes = None  # diffed as relabelled
    generated_at, stamp = timestamps(now)
    src, tgt = pair_lookups(source, target, lookups)
    if changes is None:
        changes = diff(source, target, privileges, (src.objects, tgt.objects), owners=owners)
    changes = with_partitions_replaced(changes, source, target)
    ctx = PlanContext(
        src,
        tgt,
        changes,
        stamp,
        privileges=privileges,
        owners=owners,
        online=online,
        renamed_from=renamed_from,
        conversions=conversions,
        using=using,
    )
    steps, cleanup, warnings = Planner(ctx).build()
    steps += refusals(source, target)  # unsynchronised kinds that differ: never "in sync"
    unsupported = listed(source, target)
    return Plan(
        source_label=source_label,
        target_label=target_label,
        target_schema=target_schema,
        all_schemas=target.all_schemas,
        generated_at=generated_at,
        stamp=stamp,
        target_fingerprint=(
            target.fingerprint() if target_fingerprint is None else target_fingerprint
        ),
        changes=ctx.changes,
        steps=tuple(steps),
        cleanup=tuple(sorted(cleanup, key=_cleanup_order)),
        unsupported=unsupported,
        warnings=tuple(warnings),
        online=online,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
    )


__all__ = [
    "Lookups",
    "Plan",
    "Planner",
    "SECTIONS",
    "SEED_SECTIONS",
    "Step",
    "make_plan",
]
