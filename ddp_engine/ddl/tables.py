"""Tables: create, rename away, replace and alter."""

from __future__ import annotations

from ddp_engine.codes import INDEX_BACKED, ConstraintType, ReplicaIdentity
from ddp_engine.ddl.base import _key, column_sql
from ddp_engine.ddl.replace import ReplaceSteps
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import KEPT, LOCK, MAY_FAIL, REWRITE, SCAN, HazardCode, hazard
from ddp_engine.kinds import needs_replacement
from ddp_engine.model import Constraint, Index, Key, Policy, Table, Trigger
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, PlanWarning, Section, alters, step


class TableSteps(ReplaceSteps):
    """Tables: the kind that holds rows."""

    def _create_table_sql(self, t: Table) -> list[str]:
        q = qualified(t.schema_name, t.name)
        if t.partition_of:
            sql = f"CREATE TABLE {q} PARTITION OF {t.partition_of} {t.partition_bound}"
        else:
            cols = ",\n  ".join(column_sql(c, t.schema_name) for c in t.columns)
            unlogged = "UNLOGGED " if t.unlogged else ""
            sql = (
                f"CREATE {unlogged}TABLE {q} (\n  {cols}\n)"
                if cols
                else f"CREATE {unlogged}TABLE {q} ()"
            )
            if t.inherits:
                sql += f" INHERITS ({', '.join(t.inherits)})"
        if t.partition_key:
            sql += f" PARTITION BY {t.partition_key}"
        if t.options:
            sql += f" WITH ({', '.join(t.options)})"
        stmts = [sql]
        stmts += self._table_extras(t, None)
        return stmts

    def _table_extras(self, t: Table, old: Table | None) -> list[str]:
        """Statements for table attributes not expressible in CREATE TABLE."""
        q = qualified(t.schema_name, t.name)
        stmts = []
        if t.rls and (old is None or not old.rls):
            stmts.append(f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY")
        if old is not None and old.rls and not t.rls:
            stmts.append(f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY")
        if t.force_rls != (old.force_rls if old else False):
            stmts.append(f"ALTER TABLE {q} {'' if t.force_rls else 'NO '}FORCE ROW LEVEL SECURITY")
        if (
            t.replica_identity != (old.replica_identity if old else ReplicaIdentity.DEFAULT)
            and t.replica_identity != ReplicaIdentity.INDEX
        ):
            word = ReplicaIdentity(t.replica_identity).name
            stmts.append(f"ALTER TABLE {q} REPLICA IDENTITY {word}")
        if t.comment != (old.comment if old else None):
            stmts.append(self._comment(f"TABLE {q}", t.comment))
        if old is None:
            for c in t.columns:
                stmts += self._column_extras(t, c, None)
        return stmts

    def _not_null_renames(self, src: Table, tgt: Table) -> list[str]:
        """PostgreSQL 18 names NOT NULL constraints: a detached partition keeps its parent's.
        (An inherited one of a partition that stays attached: ``_held_not_null_renames``.)"""
        q = qualified(src.schema_name, src.name)
        # attached to a parent before and after the change (an inherited NOT NULL cannot be
        # renamed; one whose parents all leave can, between NO INHERIT and INHERIT)
        attached = bool(
            set(src.inherits) & set(tgt.inherits)
            or (src.partition_of and src.partition_of == tgt.partition_of)
        )
        have = dict(tgt.not_null_names)
        out = []
        for column, name in src.not_null_names:
            old = have.get(column)
            if old is None or old == name:
                continue
            if attached and column in tgt.not_null_inherited:
                continue  # an inherited constraint cannot be renamed while attached
            out.append(f"ALTER TABLE {q} RENAME CONSTRAINT {ident(old)} TO {ident(name)}")
        return out

    def _table_create(self, change: Change) -> Generated:
        t: Table = self.ctx.src[change.key]
        provides: list[Key] = [change.key]
        for c in t.columns:
            provides.append(("column", t.schema_name, t.name, c.name))
            if c.default is not None or c.generated is not None:  # pg_attrdef holds both
                provides.append(("default", t.schema_name, t.name, c.name))
        requires: list[Key] = []
        if t.partition_of or t.inherits:
            requires += [k for k in self.ctx.source_requirements(change.key) if k[0] == "table"]
        yield step(
            Section.TABLE,
            change.key,
            Action.CREATE,
            f"Create missing table {t.name}",
            self._create_table_sql(t),
            provides=provides,
            requires=requires,
            claims=(t.schema_name, t.name),
        )
        q = qualified(t.schema_name, t.name)
        yield from self._new_acl("table", change.key, f"TABLE {q}", t.acl)
        for c in t.columns:
            if c.acl:
                yield from self._privileges(
                    "table",
                    ("column", t.schema_name, t.name, c.name),
                    f"TABLE {q}",
                    c.acl,
                    (),
                    None,
                    columns=f" ({ident(c.name)})",
                )
        if (t.schema_name, t.name) in self.replaced_tables:  # created with its subobjects
            yield from self._subobjects_create(t)
        if t.partition_of or t.inherits:
            yield from self._inherited_own_steps(t, new=True)

    def _subobjects_create(self, t: Table) -> Generated:
        subobjects: list[Constraint | Index | Trigger | Policy] = self.ctx.src.on_table(
            t.schema_name, t.name
        )
        for obj in subobjects:
            key = _key(obj)
            yield from self.creator[key[0]](Change.create(key))

    def _table_drop(self, change: Change, recreate: bool = False) -> Generated:
        """Keep the data: detach, free the names, drop what blocks live tables, rename."""
        t: Table = self.ctx.tgt[change.key]
        q = qualified(t.schema_name, t.name)
        new = self.ctx.dropped(t.name)
        stmts: list[str] = []
        disturbs: list[Key] = [change.key]
        frees = [(t.schema_name, t.name)]
        if t.partition_of:
            stmts.append(f"ALTER TABLE {t.partition_of} DETACH PARTITION {q}")
        for parent in t.inherits:
            stmts.append(f"ALTER TABLE {q} NO INHERIT {parent}")
        parts = self.ctx.tgt.on_table(t.schema_name, t.name)
        for trig in parts:
            if isinstance(trig, Trigger):
                stmts.append(f"DROP TRIGGER {ident(trig.name)} ON {q}")
                disturbs.append(_key(trig))
        for con in parts:
            if not isinstance(con, Constraint):
                continue
            if con.constraint_type == ConstraintType.FOREIGN_KEY:
                stmts.append(f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}")
                disturbs.append(_key(con))
            elif con.constraint_type in INDEX_BACKED:
                stmts.append(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(con.name)} TO "
                    f"{ident(self.ctx.dropped(con.name))}"
                )
                frees.append((t.schema_name, con.name))
        for idx in parts:
            if isinstance(idx, Index):
                stmts.append(
                    f"ALTER INDEX {qualified(idx.schema_name, idx.name)} RENAME TO "
                    f"{ident(self.ctx.dropped(idx.name))}"
                )
                frees.append((t.schema_name, idx.name))
        for _column, constraint in t.not_null_names:
            # after the DETACH / NO INHERIT above every NOT NULL is the table's own; its name
            # is freed (PostgreSQL 18 picks a NOT NULL's name unused in the whole schema)
            stmts.append(
                f"ALTER TABLE {q} RENAME CONSTRAINT {ident(constraint)} TO "
                f"{ident(self.ctx.dropped(constraint))}"
            )
        for column in t.columns:
            if column.identity and column.identity_sequence:
                stmts.append(
                    f"ALTER SEQUENCE {qualified(t.schema_name, column.identity_sequence)} "
                    f"RENAME TO {ident(self.ctx.dropped(column.identity_sequence))}"
                )
                frees.append((t.schema_name, column.identity_sequence))
        stmts.append(f"ALTER TABLE {q} RENAME TO {ident(new)}")
        why = "its partitioning changes" if recreate else "extra table"
        hazards = [KEPT, LOCK]
        if recreate and not self._copies_rows(t.schema_name, t.name):
            hazards.append(
                hazard(
                    HazardCode.DATA_NOT_CARRIED,
                    f"the new {t.name} starts empty: its rows stay in {new} (copy them over)",
                )
            )
        yield step(
            Section.TABLE,
            change.key,
            Action.RENAME,
            f"Rename {why} {t.name} before drop (data preservation)",
            stmts,
            disturbs=disturbs,
            frees=frees,
            hazards=hazards,
            after_disturbed=self._keys_blocking_detach(t),
            cleanup=[f"DROP TABLE IF EXISTS {qualified(t.schema_name, new)};"],
        )

    def _table_alter(self, change: Change) -> Generated:
        src: Table = self.ctx.src[change.key]
        tgt: Table = self.ctx.tgt[change.key]
        if needs_replacement(change):
            yield from self._table_drop(Change.drop(change.key), recreate=True)
            yield from self._table_create(Change.create(change.key))
            if self._copies_rows(src.schema_name, src.name):
                yield from self._copy_rows(src)
                return
            yield PlanWarning(
                f"table {src.name}: partitioning changed, so the old table was renamed and a new "
                "one created; copy the rows over after verifying"
            )
            return
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts, hazards = [], []
        if "partition_of" in fields or "partition_bound" in fields:
            if tgt.partition_of:
                yield step(
                    Section.TABLE,
                    change.key,
                    Action.DETACH,
                    f"Detach partition {src.name} (and drop its copies of the parent's indexes "
                    "and constraints, which detaching would leave behind as its own)",
                    [
                        f"ALTER TABLE {tgt.partition_of} DETACH PARTITION {q}",
                        *(
                            f"ALTER TABLE {q} DROP CONSTRAINT IF EXISTS {ident(name)}"
                            for name in tgt.cloned_constraints
                        ),
                        *(
                            f"DROP INDEX IF EXISTS {qualified(src.schema_name, name)}"
                            for name in tgt.cloned_indexes
                        ),
                    ],
                    disturbs=[change.key],
                    hazards=[LOCK],
                    frees=[
                        (src.schema_name, n) for n in (*tgt.cloned_constraints, *tgt.cloned_indexes)
                    ],
                )
            if src.partition_of:
                yield alters(
                    change.key,
                    f"Attach partition {src.name}",
                    [f"ALTER TABLE {src.partition_of} ATTACH PARTITION {q} {src.partition_bound}"],
                    provides=[change.key],
                    hazards=[SCAN, MAY_FAIL],
                    seq=5,
                    requires=[
                        k for k in self.ctx.source_requirements(change.key) if k[0] == "table"
                    ],
                )
        if "not_null_names" in fields:  # before INHERIT: an inherited one cannot be renamed
            stmts += self._not_null_renames(src, tgt)
            yield from self._held_not_null_renames(src, tgt)
        if "inherits" in fields:
            leaving = [p for p in tgt.inherits if p not in src.inherits]
            if leaving:
                # a step of its own that disturbs the child: the old parent's rename or drop
                # waits for it (pg_depend's child -> parent edge), while it still has its name
                yield step(
                    Section.TABLE,
                    change.key,
                    Action.DETACH,
                    f"Stop {src.name} inheriting from {', '.join(leaving)}",
                    [f"ALTER TABLE {q} NO INHERIT {parent}" for parent in leaving],
                    disturbs=[change.key],
                )
            for parent in src.inherits:
                if parent not in tgt.inherits:
                    stmts.append(f"ALTER TABLE {q} INHERIT {parent}")
        if "unlogged" in fields:
            stmts.append(f"ALTER TABLE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
            hazards += [LOCK, REWRITE]
        if "options" in fields:
            gone = [
                o.split("=", 1)[0]
                for o in tgt.options
                if o.split("=", 1)[0] not in {s.split("=", 1)[0] for s in src.options}
            ]
            if gone:
                stmts.append(f"ALTER TABLE {q} RESET ({', '.join(gone)})")
            if src.options:
                stmts.append(f"ALTER TABLE {q} SET ({', '.join(src.options)})")
        stmts += self._table_extras(src, tgt)
        if stmts:
            yield alters(
                change.key,
                f"Change table {src.name}",
                stmts,
                provides=[change.key],
                hazards=hazards,
                seq=1,
            )
        if "acl" in fields:
            yield from self._privileges(
                "table", change.key, f"TABLE {q}", src.acl, tgt.acl, tgt.owner
            )
