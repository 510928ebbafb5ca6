"""Tables made anew (their partitioning changes) and the keys that point at them.

A partitioned table whose key or strategy changes cannot be altered: the old one is renamed to
its tombstone (its rows stay there) and a new one created. Foreign keys of other tables that
point at it are dropped first (a partition cannot be detached while rows point into it) and
added again once the new table holds the rows they point at: the rows are copied over from the
tombstone, which keeps its own.
"""

from __future__ import annotations

from ddp_engine.codes import ConstraintType
from ddp_engine.ddl.inherit import InheritSteps
from ddp_engine.diff import Action
from ddp_engine.hazards import LOCK, MAY_FAIL, SCAN, HazardCode, hazard
from ddp_engine.model import Key, Kind, Table
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Generated, Section, step


def rows_key(schema: str, table: str) -> Key:
    """What a step that copies a re-created table's rows provides (foreign keys wait for it)."""
    return (Kind.TABLE, schema, table, "rows")


class ReplaceSteps(InheritSteps):
    """Re-created tables: the foreign keys into them, and their rows."""

    def _keys_pointing_at(self, schema: str, table: str) -> list[Key]:
        """The target's foreign keys that point at ``schema.table``."""
        return [
            (Kind.CONSTRAINT, c.schema_name, c.table, c.name)
            for c in self.ctx.target.constraints
            if c.constraint_type == ConstraintType.FOREIGN_KEY and c.ref_table == (schema, table)
        ]

    def _keys_blocking_detach(self, t: Table) -> list[Key]:
        """Foreign keys whose drops must come before ``t`` leaves its partitioned table: they
        point at it or at that table (a partition's rows cannot go while rows point at them)."""
        if not t.partition_of:
            return []
        parent = self._split_regclass(t.partition_of, t.schema_name)
        return [
            *self._keys_pointing_at(t.schema_name, t.name),
            *self._keys_pointing_at(*parent),
        ]

    def _copies_rows(self, schema: str, table: str) -> bool:
        """Whether a re-created table gets its rows back: a foreign key of a table that keeps
        its rows points at it in the source (it could not be added again to an empty table)."""
        if (schema, table) not in self.replaced_tables:
            return False
        return any(
            c.constraint_type == ConstraintType.FOREIGN_KEY
            and c.ref_table == (schema, table)
            and (c.schema_name, c.table) not in self.moved_tables
            and self.ctx.target_table(c.schema_name, c.table) is not None
            for c in self.ctx.source.constraints
        )

    def _tombstoned_partitions(self, t: Table, depth: int = 0) -> list[Table]:
        """The target's partitions of ``t`` (at any depth) that the plan renames away."""
        found = []
        for child in self._children(t.schema_name, t.name):
            if child.partition_of and (child.schema_name, child.name) in self.moved_tables:
                found.append(child)
                if depth < 32:
                    found += self._tombstoned_partitions(child, depth + 1)
        return found

    def _copy_rows(self, t: Table) -> Generated:
        """Copy the rows of a re-created table from its tombstone (which keeps them too), once
        its partitions exist: the columns both versions hold with the same type."""
        old = self.ctx.target_table(t.schema_name, t.name)
        assert old is not None
        names = [
            c.name
            for c in t.columns
            if c.generated is None
            and (o := old.column(c.name)) is not None
            and o.data_type == c.data_type
        ]
        if not names:
            return
        columns = ", ".join(ident(n) for n in names)
        overriding = " OVERRIDING SYSTEM VALUE" if any(c.identity for c in t.columns) else ""
        # the rows are in the tombstone and in the tombstones of its partitions (detached)
        kept = [old, *self._tombstoned_partitions(old)]
        selects = " UNION ALL ".join(
            f"SELECT {columns} FROM ONLY {qualified(k.schema_name, self.ctx.dropped(k.name))}"
            for k in kept
        )
        partitions: list[Key] = [
            (Kind.TABLE, p.schema_name, p.name, "")
            for p in self.ctx.source.tables
            if p.partition_of
            and self._split_regclass(p.partition_of, p.schema_name) == (t.schema_name, t.name)
        ]
        counters = [
            _carry_counter(t, self.ctx.dropped(old.name), n)
            for n in names
            if (c := t.column(n)) is not None and c.identity and (o := old.column(n)) and o.identity
        ]
        yield step(
            Section.TABLE,
            rows_key(t.schema_name, t.name),
            Action.ALTER,
            f"Copy the rows of {t.name} from its tombstone (foreign keys point at them)",
            [
                f"INSERT INTO {qualified(t.schema_name, t.name)} ({columns}){overriding} {selects}",
                *counters,
            ],
            provides=[rows_key(t.schema_name, t.name)],
            requires=[(Kind.TABLE, t.schema_name, t.name, ""), *partitions],
            after_disturbed=[(Kind.TABLE, k.schema_name, k.name, "") for k in kept],
            hazards=[
                MAY_FAIL,
                hazard(
                    HazardCode.DATA_NOT_CARRIED,
                    f"only {', '.join(names)} are copied; the rows stay in the tombstone too",
                ),
            ]
            if len(names) < len(old.columns)
            else [MAY_FAIL],
            seq=9,
        )

    def _held_not_null_renames(self, src: Table, tgt: Table) -> Generated:
        """A partition attached on both sides whose NOT NULL inherited from its parent is
        named otherwise in the source (PostgreSQL 18: the name depends on how the partition was
        made): an inherited constraint cannot be renamed, so the partition is detached,
        renamed and attached again (its NOT NULL merges with the parent's, keeping its name)."""
        if not (src.partition_of and src.partition_of == tgt.partition_of):
            return
        if src.partition_bound != tgt.partition_bound:
            return
        want = dict(src.not_null_names)
        renames = [
            (old, want[column])
            for column, old in tgt.not_null_names
            if column in tgt.not_null_inherited and want.get(column, old) != old
        ]
        if not renames:
            return
        q = qualified(src.schema_name, src.name)
        yield step(
            Section.TABLE,
            (Kind.TABLE, src.schema_name, src.name, ""),
            Action.ALTER,
            f"Name {src.name}'s inherited NOT NULL as the source does (detached, renamed and "
            "attached again: an inherited constraint cannot be renamed)",
            [
                f"ALTER TABLE {src.partition_of} DETACH PARTITION {q}",
                *(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(old)} TO {ident(new)}"
                    for old, new in renames
                ),
                f"ALTER TABLE {src.partition_of} ATTACH PARTITION {q} {src.partition_bound}",
            ],
            hazards=[LOCK, SCAN, MAY_FAIL],
            seq=2,
        )


def _carry_counter(new: Table, tombstone: str, column: str) -> str:
    """Set the new table's identity counter where the tombstone's stood: the copied rows
    hold its values, and a counter started afresh would hand them out again. Nothing happens
    when the old counter was never used (``pg_sequence_last_value`` is NULL)."""

    def sequence(table: str) -> str:
        name = literal(qualified(new.schema_name, table))
        return f"pg_catalog.pg_get_serial_sequence({name}, {literal(column)})::pg_catalog.regclass"

    return (
        f"SELECT pg_catalog.setval({sequence(new.name)}, counter.value) FROM (SELECT "
        f"pg_catalog.pg_sequence_last_value({sequence(tombstone)}) AS value) AS counter "
        "WHERE counter.value IS NOT NULL"
    )
