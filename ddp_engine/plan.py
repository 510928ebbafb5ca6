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

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from itertools import chain
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from ddp_engine import ddl
from ddp_engine.conversions import UNKNOWN, Conversion
from ddp_engine.diff import OBJECT_KINDS, Change, SnapshotIndex, diff, index_snapshot
from ddp_engine.hazards import Hazard, HazardCode, hazard, refused
from ddp_engine.model import Function, Key, Snapshot, Table, Unsupported, object_key
from ddp_engine.qualifiers import body_names_schema
from ddp_engine.relabel import relabel
from ddp_engine.sqltext import dropped_name, ident, qualified

#: Sections of the script, in order. The seed's six come in the seed's order; kinds that others
#: stand on come first, kinds that stand on tables and functions after.
SECTIONS = (
    "SCHEMA",
    "EXTENSION",
    "TYPE",
    "SEQUENCE",
    "TABLE",
    "COLUMN",
    "FUNCTION/PROCEDURE",
    "CONSTRAINT",
    "INDEX",
    "TRIGGER",
    "VIEW",
    "POLICY",
    "PRIVILEGE",
)
SEED_SECTIONS = ("TABLE", "COLUMN", "FUNCTION/PROCEDURE", "CONSTRAINT", "INDEX", "TRIGGER")
SECTION_OF_KIND = {
    "schema": "SCHEMA",
    "extension": "EXTENSION",
    "collation": "TYPE",
    "type": "TYPE",
    "sequence": "SEQUENCE",
    "table": "TABLE",
    "column": "COLUMN",
    "default": "COLUMN",
    "function": "FUNCTION/PROCEDURE",
    "constraint": "CONSTRAINT",
    "index": "INDEX",
    "trigger": "TRIGGER",
    "view": "VIEW",
    "policy": "POLICY",
}
#: Asks the target how each (old type, new type) pair converts (conversions.read_modes); the
#: planner itself knows no database.
ConversionReader = Callable[[set[tuple[str, str]]], Mapping[tuple[str, str], Conversion]]
#: Kinds that hold no data: dropped and recreated when something they depend on is disturbed.
REBUILDABLE = {"view", "constraint", "index", "trigger", "policy", "default", "function"}


class Step(BaseModel):
    """One statement (or a few that belong together) with why it is there and what it risks."""

    model_config = ConfigDict(frozen=True)

    section: str
    key: Key
    action: str
    note: str
    statements: tuple[str, ...]
    hazards: tuple[Hazard, ...] = ()
    check: tuple[str, ...] = ()  # what the data check of this step counts (datacheck.py)
    online: bool = False  # runs after the transaction, each statement on its own


class DataFinding(BaseModel):
    """What a read-only look at the target's rows says about one step."""

    model_config = ConfigDict(frozen=True)

    step: int
    note: str
    check: str
    count: int | None
    message: str
    fails: bool
    #: values_fail / values_change when the count shows values that would fail or change (or
    #: could not be counted): these block an apply without consent.
    hazard: Hazard | None = None


class Plan(BaseModel):
    """What the script will do, in order, and what it could not do."""

    model_config = ConfigDict(frozen=True)

    source_label: str
    target_label: str
    target_schema: str
    all_schemas: bool
    generated_at: str
    stamp: str
    #: The target snapshot's fingerprint, or "" when the plan was made only to be written
    #: (SyncOptions.fingerprint): apply_plan refuses such a plan.
    target_fingerprint: str
    changes: tuple[Change, ...] = ()
    steps: tuple[Step, ...] = ()
    cleanup: tuple[str, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    warnings: tuple[str, ...] = ()
    data_checks: tuple[DataFinding, ...] = ()
    online: bool = False
    lock_timeout: str = "10s"
    statement_timeout: str = "0"
    #: The TimeZone of ddp's session on the target, read with the plan when a column's type
    #: changes (conversions.TargetConversions): the script sets it, so that a timestamptz
    #: converts as the data checks counted whatever the PGTZ of whoever runs the script.
    time_zone: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.steps

    def hazards(self) -> list[tuple[str, Hazard]]:
        """(step note, hazard) pairs, the steps' own and their data checks', in step order."""
        found: dict[int, list[Hazard]] = {}
        for finding in self.data_checks:
            if finding.hazard is not None:
                found.setdefault(finding.step, []).append(finding.hazard)
        return [
            (step.note, h)
            for i, step in enumerate(self.steps)
            for h in (*step.hazards, *found.get(i, ()))
        ]

    def refused(self, allowed: frozenset[HazardCode] = frozenset()) -> list[HazardCode]:
        """The blocking hazard codes of this plan that ``allowed`` does not let through."""
        return refused((h.code for _, h in self.hazards()), allowed)

    def counts(self) -> dict[str, int]:
        """Statements per section."""
        out: dict[str, int] = {}
        for step in self.steps:
            out[step.section] = out.get(step.section, 0) + len(step.statements)
        return out


def timestamps(now: datetime | None = None) -> tuple[str, str]:
    """The run's timestamp for the header and for renamed objects' names (DESIGN)."""
    now = now or datetime.now(UTC)
    millis = f"{now.microsecond // 1000:03d}"
    header = now.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"
    return header, now.strftime("%Y-%m-%dT%H-%M-%S-") + millis + "Z"


class ObjectIndex(Mapping[Key, Any]):
    """Every object of a snapshot by key; a column or default key gives (table, column).

    Columns are found through their table when asked for, not indexed up front: a big
    catalog has a hundred thousand of them and a plan looks at a few.
    """

    #: Kinds that live on a table, listed per table by ``on_table``.
    TABLE_PARTS = ("constraints", "indexes", "triggers", "policies")

    def __init__(self, snapshot: Snapshot, by_kind: SnapshotIndex) -> None:
        self.snapshot = snapshot
        self.by_kind = by_kind
        self._parts: dict[tuple[str, str], list[Any]] | None = None

    def on_table(self, schema_name: str, table: str) -> list[Any]:
        """Constraints, indexes, triggers and policies of one table, in that order.

        Per-table work (dropping or recreating a table) reads this instead of scanning every
        object of the snapshot, which made plans quadratic in the number of tables. The lists
        are made on first use: most plans drop or recreate no table.
        """
        if self._parts is None:
            self._parts = defaultdict(list)
            for attr in self.TABLE_PARTS:
                for obj in getattr(self.snapshot, attr):
                    self._parts[(obj.schema_name, obj.table)].append(obj)
        return self._parts.get((schema_name, table), [])

    def _object(self, key: Key) -> Any:
        objects = self.by_kind.get(_ATTR_OF_KIND.get(key[0], ""))
        return None if objects is None else objects.get(key)

    def _column(self, key: Key) -> tuple[Table, Any] | None:
        table = self._object(("table", key[1], key[2], ""))
        if not isinstance(table, Table):
            return None
        column = table.column(key[3])
        if column is None or (key[0] == "default" and column.default is None):
            return None
        return table, column

    def __getitem__(self, key: Key) -> Any:
        found = self._column(key) if key[0] in ("column", "default") else self._object(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 4:
            return False
        if key[0] in ("column", "default"):
            return self._column(key) is not None  # type: ignore[arg-type]
        return self._object(key) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Key]:
        return chain.from_iterable(self.by_kind.values())

    def __len__(self) -> int:
        return sum(map(len, self.by_kind.values()))


#: Snapshot attribute of each object kind (the inverse of diff.OBJECT_KINDS).
_ATTR_OF_KIND = {kind: attr for attr, kind in OBJECT_KINDS.items()}


class Lookups(NamedTuple):
    """What the planner looks up in one snapshot: its objects by key and its dependency edges
    grouped by one end (a source's by dependent, a target's by what they reference).

    Made once per snapshot; ``sync.read_both`` makes each side's as soon as that side is read,
    while the other may still be reading (0.1-0.2 s of a 10,000-table plan). The planner takes
    them only for the very snapshot they were made from, and makes its own for any other (a
    relabelled or cross-version source).
    """

    snapshot: Snapshot
    objects: SnapshotIndex
    edges: dict[Key, list[Key]]

    @classmethod
    def of_source(cls, snapshot: Snapshot) -> Lookups:
        """Objects, and for each object what it requires."""
        return cls(snapshot, index_snapshot(snapshot), _grouped(snapshot.dependencies, 0))

    @classmethod
    def of_target(cls, snapshot: Snapshot) -> Lookups:
        """Objects, and for each object what stands on it."""
        return cls(snapshot, index_snapshot(snapshot), _grouped(snapshot.dependencies, 1))


def _grouped(edges: Iterable[tuple[Key, Key]], by: int) -> dict[Key, list[Key]]:
    """(dependent, referenced) edges grouped by one end (``by`` 0 or 1), listing the other."""
    graph: dict[Key, list[Key]] = defaultdict(list)
    other = 1 - by
    for edge in edges:
        graph[edge[by]].append(edge[other])
    return graph


class _Node:
    __slots__ = ("step", "order", "after")

    def __init__(self, step: Step, order: tuple[Any, ...]) -> None:
        self.step = step
        self.order = order
        self.after: set[int] = set()


class Planner:
    """Builds the steps for one pair of snapshots (see the module docstring)."""

    def __init__(
        self,
        source: Snapshot,
        target: Snapshot,
        stamp: str,
        privileges: bool = True,
        online: bool = False,
        lookups: tuple[Lookups | None, Lookups | None] = (None, None),
        renamed_from: str | None = None,
        conversions: ConversionReader | None = None,
    ) -> None:
        self.online = online
        #: The source's own schema name when it was relabelled (a cross-schema sync).
        self.renamed_from = renamed_from
        self._read_conversions = conversions
        #: How each (old type, new type) of a column type change converts on the target.
        self.conversions: Mapping[tuple[str, str], Conversion] = {}
        self.source = source
        self.target = target
        self.stamp = stamp
        self.privileges = privileges
        src, tgt = lookups
        if src is None or src.snapshot is not source:
            src = Lookups.of_source(source)
        if tgt is None or tgt.snapshot is not target:
            tgt = Lookups.of_target(target)
        self.changes = diff(source, target, privileges, (src.objects, tgt.objects))
        self.src = ObjectIndex(source, src.objects)
        self.tgt = ObjectIndex(target, tgt.objects)
        self.src_deps = src.edges
        self.tgt_dependents = tgt.edges
        self.nodes: list[_Node] = []
        self.provides: dict[Key, list[int]] = defaultdict(list)
        self.disturbs: dict[Key, list[int]] = defaultdict(list)
        self.drops: dict[Key, list[int]] = defaultdict(list)
        self.frees: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.claims: dict[int, tuple[str, str]] = {}
        self.requires: dict[int, list[Key]] = defaultdict(list)
        self.after_disturbed: dict[int, list[Key]] = defaultdict(list)
        #: Objects without data that stand on something the plan disturbs (see _rebuild_closure).
        self.reached: set[Key] = set()
        self.cleanup: list[str] = []
        self.warnings: list[str] = []
        self._source_expressions: str | None = None

    # -- adding steps ---------------------------------------------------------------------

    def add(
        self,
        section: str,
        key: Key,
        action: str,
        note: str,
        statements: Iterable[str],
        *,
        provides: Iterable[Key] = (),
        disturbs: Iterable[Key] = (),
        hazards: Iterable[Hazard] = (),
        frees: Iterable[tuple[str, str]] = (),
        claims: tuple[str, str] | None = None,
        requires: Iterable[Key] = (),
        after_disturbed: Iterable[Key] = (),
        check: tuple[str, ...] = (),
        online: bool = False,
        seq: int = 0,
    ) -> int:
        """Register a step; returns its id for explicit ordering with ``after``."""
        statements = tuple(statements)
        step = Step(
            section=section,
            key=key,
            action=action,
            note=note,
            statements=statements,
            hazards=tuple(hazards),
            check=check,
            online=online,
        )
        phase = 0 if action in ("drop", "rename", "detach") else 1
        order = (SECTIONS.index(section), phase, key[1], key[2], key[3], seq, len(self.nodes))
        self.nodes.append(_Node(step, order))
        sid = len(self.nodes) - 1
        for k in provides:
            self.provides[k].append(sid)
        for k in disturbs:
            self.disturbs[k].append(sid)
            if action in ("drop", "rename"):
                self.drops[k].append(sid)
        for name in frees:
            self.frees[name].append(sid)
        if claims:
            self.claims[sid] = claims
        for k in requires:
            self.requires[sid].append(k)
        for k in after_disturbed:
            self.after_disturbed[sid].append(k)
        return sid

    def after(self, later: int, earlier: int) -> None:
        if later != earlier:
            self.nodes[later].after.add(earlier)

    # -- the plan -------------------------------------------------------------------------

    def build(self) -> tuple[list[Step], list[str], list[str]]:
        by_key = {c.key: c for c in self.changes}
        if self._read_conversions is not None:
            self.conversions = self._read_conversions(self._type_changes())
        rebuild = self._rebuild_closure(by_key)
        gone_schemas = {c.key[2] for c in self.changes if c.kind == "schema" and c.action == "drop"}
        builder = ddl.StepBuilder(self)
        replaced_tables = {
            c.key[1:3] for c in self.changes if c.kind == "table" and ddl.needs_replacement(c)
        }
        for change in self.changes:
            stands_on_change = change.action == "drop" and change.key in self.reached
            if change.key[1] in gone_schemas and change.kind != "schema" and not stands_on_change:
                continue  # renamed with its schema (what stands on a change elsewhere goes first)
            if change.kind == "column" and change.key[1:3] in replaced_tables:
                continue
            builder.change(change, change.key in rebuild)
        for key in sorted(rebuild - by_key.keys()):
            if key[1] in gone_schemas:
                continue
            builder.rebuild(key)
        self._edges()
        return self._sorted(), self.cleanup, self.warnings

    def _type_changes(self) -> set[tuple[str, str]]:
        """(old type, new type) of every column whose type changes: what the target is asked
        about once (conversions.read_modes), before any step is built."""
        pairs = set()
        for change in self.changes:
            if (
                change.kind == "column"
                and change.action == "alter"
                and "data_type" in change.fields
            ):
                old, new = self.tgt[change.key][1], self.src[change.key][1]
                pairs.add((old.data_type, new.data_type))
        return pairs

    def conversion(self, old_type: str, new_type: str) -> Conversion:
        return self.conversions.get((old_type, new_type), UNKNOWN)

    def _rebuild_closure(self, by_key: dict[Key, Change]) -> set[Key]:
        """Keys of unchanged-or-changed rebuildable objects that must be dropped and recreated.

        Starts from what the plan disturbs in a way dependants cannot survive (dropped or
        recreated objects, columns whose type changes, rebuilt enums) and walks pg_depend's
        reverse edges in the target.
        """
        # (key, blocking): a blocking disturbance breaks what stands on it (a retyped column,
        # a dropped view); a rename does not, but same-named dependants still rebuild.
        seeds: list[tuple[Key, bool]] = []
        for change in self.changes:
            fields = set(change.fields)
            if change.action == "drop":
                seeds.append((change.key, change.kind in REBUILDABLE - {"function"}))
            elif change.action == "alter" and (
                ddl.alter_recreates(change, self)
                or (
                    change.kind == "column"
                    and {"data_type", "collation", "generated", "virtual"} & fields
                )
                or ddl.needs_replacement(change)
            ):
                seeds.append((change.key, True))
        retyped = {
            c.key
            for c in self.changes
            if c.kind == "column"
            and c.action == "alter"
            and {"data_type", "collation"} & set(c.fields)
            and "generated" not in c.fields
        }
        rebuild: set[Key] = set()
        stack = list(seeds)
        seen: dict[Key, bool] = {}
        for key, blocking in seeds:
            seen[key] = seen.get(key, False) or blocking
        while stack:
            key, blocking = stack.pop()
            dependents = self.target_dependents(key)
            if key[0] == "table":  # what stands on its columns stands on the table
                table = self.tgt.get(key)
                for column in table.columns if isinstance(table, Table) else ():
                    dependents += self.tgt_dependents.get(("column", *key[1:3], column.name), ())
                    if column.default is not None:  # implied, as in target_dependents
                        dependents.append(("default", key[1], key[2], column.name))
            for dependent in dependents:
                if key in retyped and dependent[0] in ("constraint", "index"):
                    continue  # ALTER COLUMN TYPE rebuilds these itself
                if blocking and dependent[0] in REBUILDABLE:
                    self.reached.add(dependent)
                if dependent in seen and (seen[dependent] or not blocking):
                    continue
                seen[dependent] = blocking
                if dependent[0] == "column" and key[0] == "type":
                    stack.append((dependent, blocking))  # its type is rebuilt: what stands on it
                    continue
                if dependent[0] not in REBUILDABLE:
                    continue
                if dependent[0] == "default" and key[0] == "column":
                    continue  # the column's own change resets its default
                if dependent in self.src:
                    rebuild.add(dependent)
                stack.append((dependent, blocking))
        return rebuild

    def _edges(self) -> None:
        # Build steps wait for what they depend on in the source.
        for key, step_ids in self.provides.items():
            for ref in self.source_requirements(key):
                if key[0] == "sequence" and ref[0] == "column":
                    continue  # OWNED BY: a separate step once the column exists
                for sid in step_ids:
                    for provider in self.provides.get(ref, ()):
                        self.after(sid, provider)
                    if ref[0] == "column":  # a column built with its table
                        table_key: Key = ("table", ref[1], ref[2], "")
                        for provider in self.provides.get(table_key, ()):
                            self.after(sid, provider)
        # Anything that disturbs Y waits for the drops of Y's dependants in the target; a
        # removal of Y also waits for the alterations that free those dependants from Y.
        for key, step_ids in self.disturbs.items():
            for dependent in self.target_dependents(key):
                for sid in step_ids:
                    removal = self.nodes[sid].step.action in ("drop", "rename")
                    for other in self.disturbs.get(dependent, ()) if removal else ():
                        self.after(sid, other)
                    for dropper in self.drops.get(dependent, ()):
                        self.after(sid, dropper)
            if key[0] == "column":
                table_key = ("table", key[1], key[2], "")
                for sid in step_ids:
                    for provider in self.provides.get(table_key, ()):
                        if self.nodes[provider].step.action != "create":
                            continue
                        self.after(sid, provider)
        # A recreated object's drop comes before its creation; a name is freed before reuse.
        for key, step_ids in self.provides.items():
            for sid in step_ids:
                for dropper in self.drops.get(key, ()):
                    self.after(sid, dropper)
        for sid, keys in self.requires.items():
            for k in keys:
                for provider in self.provides.get(k, ()):
                    self.after(sid, provider)
        for sid, keys in self.after_disturbed.items():
            for k in keys:
                for other in self.disturbs.get(k, ()):
                    self.after(sid, other)
        for sid, name in self.claims.items():
            for freer in self.frees.get(name, ()):
                self.after(sid, freer)

    def _sorted(self) -> list[Step]:
        waiting = {i: set(n.after) for i, n in enumerate(self.nodes)}
        followers: dict[int, list[int]] = defaultdict(list)
        for i, deps in waiting.items():
            for d in deps:
                followers[d].append(i)
        ready = [(self.nodes[i].order, i) for i, deps in waiting.items() if not deps]
        heapq.heapify(ready)
        done: list[Step] = []
        emitted: set[int] = set()
        while len(emitted) < len(self.nodes):
            if not ready:  # a cycle: break it at the first step in section order
                i = min((i for i in waiting if i not in emitted), key=lambda i: self.nodes[i].order)
                self.warnings.append(f"dependency cycle broken at: {self.nodes[i].step.note}")
                waiting[i] = set()
                heapq.heappush(ready, (self.nodes[i].order, i))
            _, i = heapq.heappop(ready)
            if i in emitted:
                continue
            emitted.add(i)
            done.append(self.nodes[i].step)
            for f in followers[i]:
                waiting[f].discard(i)
                if not waiting[f] and f not in emitted:
                    heapq.heappush(ready, (self.nodes[f].order, f))
        return done

    # -- helpers for ddl.StepBuilder -------------------------------------------------------

    def dropped(self, name: str) -> str:
        return dropped_name(name, self.stamp)

    def target_table(self, schema: str, name: str) -> Table | None:
        obj = self.tgt.get(("table", schema, name, ""))
        return obj if isinstance(obj, Table) else None

    def source_table(self, schema: str, name: str) -> Table | None:
        obj = self.src.get(("table", schema, name, ""))
        return obj if isinstance(obj, Table) else None

    def target_dependents(self, key: Key) -> list[Key]:
        """What stands on ``key`` in the target, the default on a column included."""
        found = list(self.tgt_dependents.get(key, ()))
        if key[0] == "column" and ("default", *key[1:]) in self.tgt:
            found.append(("default", key[1], key[2], key[3]))
        return found

    def source_requirements(self, key: Key) -> list[Key]:
        """What ``key`` stands on in the source, a default's own column included."""
        found = self.src_deps.get(key, [])
        if key[0] == "default":
            return [*found, ("column", key[1], key[2], key[3])]
        return found

    def body_hazards(self, function: Function) -> list[Hazard]:
        """A cross-schema sync copies function bodies as they are: one that names the source
        schema would still use it in the target."""
        old = self.renamed_from
        if old is None or not body_names_schema(function, old):
            return []
        return [
            hazard(
                "body_names_source_schema",
                f"the body of {function.signature} names schema {ident(old)}, copied as it "
                f"is: it still refers to {ident(old)} in the target",
            )
        ]

    def source_expressions(self) -> str:
        """Every check, view, index and default text of the source, one per line: what an enum
        label could be used by (ddl.enum_rebuild). Gathered once per plan, on first use."""
        if self._source_expressions is None:
            source = self.source
            texts = [c.definition for c in source.constraints]
            texts += [v.definition for v in source.views]
            texts += [i.body for i in source.indexes]
            texts += [c.default for t in source.tables for c in t.columns if c.default]
            self._source_expressions = "\n".join(texts)
        return self._source_expressions


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
    online: bool = False,
    lock_timeout: str = "10s",
    statement_timeout: str = "0",
    now: datetime | None = None,
    target_fingerprint: str | None = None,
    lookups: tuple[Lookups | None, Lookups | None] = (None, None),
    conversions: ConversionReader | None = None,
) -> Plan:
    """Diff two snapshots and order the statements that make the target match the source.

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
    generated_at, stamp = timestamps(now)
    planner = Planner(source, target, stamp, privileges, online, lookups, renamed_from, conversions)
    steps, cleanup, warnings = planner.build()
    unsupported = tuple(
        sorted(
            set(source.unsupported) | set(target.unsupported),
            key=lambda u: (u.schema_name, u.object_type, u.identity),
        )
    )
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
        changes=tuple(planner.changes),
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
    "SECTION_OF_KIND",
    "Step",
    "make_plan",
    "object_key",
    "qualified",
    "ident",
]
