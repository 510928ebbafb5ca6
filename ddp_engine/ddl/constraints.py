"""Constraints and indexes: what a table enforces, checked against its rows."""

from __future__ import annotations

from ddp_engine.codes import INDEX_BACKED, ConstraintType
from ddp_engine.ddl.base import StepBase
from ddp_engine.ddl.replace import rows_key
from ddp_engine.diff import Change
from ddp_engine.hazards import BLOCKS_WRITES, LOCK, MAY_FAIL, SCAN
from ddp_engine.model import Constraint, Index, Key
from ddp_engine.reparse import reparseable, varchar_columns
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, alters, creates, drop_note, drops


class ConstraintSteps(StepBase):
    """Constraints and indexes."""

    def _constraint_check(self, con: Constraint) -> tuple[str, ...]:
        if not self._existing(con.schema_name, con.table):
            return ()
        if con.constraint_type in (ConstraintType.PRIMARY_KEY, ConstraintType.UNIQUE):
            return ("unique", con.schema_name, con.table, "", *con.columns)
        if con.constraint_type == ConstraintType.CHECK:
            expression = con.definition.removeprefix("CHECK ").removesuffix(" NOT VALID")
            return ("check", con.schema_name, con.table, expression)
        if (
            con.constraint_type == ConstraintType.FOREIGN_KEY
            and con.ref_table
            and "NOT VALID" not in con.definition
        ):
            return (
                "fk",
                con.schema_name,
                con.table,
                *con.ref_table,
                ",".join(con.columns),
                ",".join(con.ref_columns),
            )
        return ()

    def _constraint_create(self, change: Change, why: str | None = None) -> Generated:
        con: Constraint = self.ctx.src[change.key]
        q = qualified(con.schema_name, con.table)
        check = self._constraint_check(con)
        online = (
            self.ctx.online
            and con.constraint_type in (ConstraintType.CHECK, ConstraintType.FOREIGN_KEY)
            and bool(check)
            and "NOT VALID" not in con.definition
        )
        definition = con.definition
        table = self.ctx.source_table(con.schema_name, con.table)
        if con.constraint_type == ConstraintType.CHECK and table is not None:
            varchar = varchar_columns(table, self.ctx.source.types)
            definition = reparseable(definition, varchar)
        definition = f"{definition} NOT VALID" if online else definition
        stmts = [f"ALTER TABLE {q} ADD CONSTRAINT {ident(con.name)} {definition}"]
        stmts += self._new_comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment)
        stmts += self._index_extras(con, con.index_comment)
        hazards = [LOCK] if online else [LOCK, SCAN, MAY_FAIL]
        claims = (con.schema_name, con.name) if con.constraint_type in INDEX_BACKED else None
        # a key into a re-created table waits for its rows (ddl/replace.py)
        rows = [rows_key(*con.ref_table)] if con.ref_table in self.replaced_tables else []
        yield creates(
            change.key,
            self._because(
                f"Add missing constraint {con.name} on {con.table}"
                + (" (NOT VALID: validated in the online part)" if online else ""),
                why,
            ),
            stmts,
            hazards=hazards,
            claims=claims,
            requires=rows,
            check=() if online else check,
        )
        if online:
            yield alters(
                change.key,
                self._because(f"Validate constraint {con.name} on {con.table}", why),
                [f"ALTER TABLE {q} VALIDATE CONSTRAINT {ident(con.name)}"],
                hazards=[SCAN, MAY_FAIL],
                check=check,
                online=True,
                seq=9,
            )

    def _adopted(self, schema: str, table: str, name: str, index: bool) -> bool:
        """Whether a partition's own key or index is the source's copy of its parent's: the
        parent's ADD CONSTRAINT or CREATE INDEX, or ATTACH PARTITION, adopts a matching one
        (keeping its name) instead of building another, and it cannot be dropped after."""
        src = self.ctx.source_table(schema, table)
        if src is None or not src.partition_of:
            return False
        return name in (src.cloned_indexes if index else src.cloned_constraints)

    def _constraint_drop(self, change: Change, recreate: bool = False) -> Generated:
        con: Constraint = self.ctx.tgt[change.key]
        if not recreate and self._adopted(con.schema_name, con.table, con.name, index=False):
            return
        q = qualified(con.schema_name, con.table)
        yield drops(
            change.key,
            drop_note(f"constraint {con.name} on {con.table}", recreate),
            [f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}"],
            frees=[(con.schema_name, con.name)],
        )

    def _constraint_alter(self, change: Change) -> Generated:
        con: Constraint = self.ctx.src[change.key]
        old: Constraint = self.ctx.tgt[change.key]
        q = qualified(con.schema_name, con.table)
        stmts = []
        if "comment" in change.fields:
            stmts.append(self._comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment))
        comment = con.index_comment if "index_comment" in change.fields else None
        stmts += self._index_extras(con, comment, old, "index_comment" in change.fields)
        if not stmts:
            return  # a mark another index of the table takes over
        note = f"Change the comments or marks of constraint {con.name}"
        yield alters(change.key, note, stmts, provides=[change.key])

    def _index_extras(
        self,
        obj: Constraint | Index,
        comment: str | None,
        old: Constraint | Index | None = None,
        set_comment: bool = False,
    ) -> list[str]:
        """The comment (when set, or ``set_comment``) and the marks of an index (its own or a
        constraint's, which has the constraint's name): ``CLUSTER ON`` and ``REPLICA IDENTITY
        USING INDEX`` where ``obj`` has them and ``old`` (the target's) did not. A mark only
        the target has is cleared by ``SET WITHOUT CLUSTER`` unless another index of the table
        takes it (its ``CLUSTER ON`` clears this one; which of the two runs first is not
        known); the table's own replica identity step replaces a lost ``USING INDEX``."""
        q = qualified(obj.schema_name, obj.table)
        stmts = []
        if comment is not None or set_comment:
            stmts.append(self._comment(f"INDEX {qualified(obj.schema_name, obj.name)}", comment))
        if obj.clustered and not (old is not None and old.clustered):
            stmts.append(f"ALTER TABLE {q} CLUSTER ON {ident(obj.name)}")
        if old is not None and old.clustered and not obj.clustered:
            others = self.ctx.src.on_table(obj.schema_name, obj.table)
            if not any(getattr(o, "clustered", False) for o in others):
                stmts.append(f"ALTER TABLE {q} SET WITHOUT CLUSTER")
        if obj.replica_identity and not (old is not None and old.replica_identity):
            stmts.append(f"ALTER TABLE {q} REPLICA IDENTITY USING INDEX {ident(obj.name)}")
        return stmts

    def _index_check(self, idx: Index) -> tuple[str, ...]:
        if not idx.unique or not self._existing(idx.schema_name, idx.table):
            return ()
        if not idx.key_columns or "" in idx.key_columns:
            return ()  # an expression index: not counted
        return ("unique", idx.schema_name, idx.table, idx.predicate or "", *idx.key_columns)

    def _index_online(self, idx: Index) -> bool:
        """Non-unique indexes of tables that already hold rows are built CONCURRENTLY online."""
        return (
            self.ctx.online
            and not idx.unique
            and not idx.on_partitioned
            and self._existing(idx.schema_name, idx.table)
        )

    def _index_create(self, change: Change, why: str | None = None) -> Generated:
        idx: Index = self.ctx.src[change.key]
        q = qualified(idx.schema_name, idx.table)
        unique = "UNIQUE " if idx.unique else ""
        online = self._index_online(idx)
        if online and change.key in self.ctx.tgt and not self._moves_with_its_table(change.key):
            yield from self._index_swap(idx, why)
            return
        concurrently = "CONCURRENTLY " if online else ""
        stmts = [f"CREATE {unique}INDEX {concurrently}{ident(idx.name)} ON {q} {idx.body}"]
        stmts += self._index_extras(idx, idx.comment)
        table_key: Key = ("table", idx.schema_name, idx.table, "")
        view_key: Key = ("view", idx.schema_name, idx.table, "")
        yield creates(
            change.key,
            self._created(f"index {idx.name} on {idx.table}", why),
            stmts,
            hazards=[] if online else [BLOCKS_WRITES],
            claims=(idx.schema_name, idx.name),
            requires=[table_key, view_key],
            check=self._index_check(idx),
            online=online,
        )

    def _index_swap(self, idx: Index, why: str | None) -> Generated:
        """A changed index, online: build the new one under a temporary name, then swap."""
        q = qualified(idx.schema_name, idx.table)
        temporary = self.ctx.dropped(idx.name).replace("_dropped_", "_ddp_new_")
        yield creates(
            ("index", idx.schema_name, idx.name, ""),
            self._because(
                f"Rebuild changed index {idx.name} online under a new name, then swap", why
            ),
            [
                f"CREATE INDEX CONCURRENTLY {ident(temporary)} ON {q} {idx.body}",
                f"DROP INDEX CONCURRENTLY {qualified(idx.schema_name, idx.name)}",
                f"ALTER INDEX {qualified(idx.schema_name, temporary)} RENAME TO {ident(idx.name)}",
                *self._index_extras(idx, idx.comment),
            ],
            online=True,
        )

    def _index_broken_online(self, key: Key) -> bool:
        """With ``--online``, an index a failed build left in the target (not valid, or not
        ready) is dropped and built again, both CONCURRENTLY, in the online part
        (``_index_replace_online``). The broken index serves no query, so nothing is lost in
        between, and no statement takes a lock that blocks writes."""
        idx: Index = self.ctx.src[key]
        old = self.ctx.tgt.get(key)
        if not (self.ctx.online and isinstance(old, Index) and not old.valid):
            return False
        return not (idx.on_partitioned or old.on_partitioned)  # none on a partitioned table

    def _index_replace_online(self, key: Key) -> Generated:
        """Drop and build again, online, an index the target holds broken."""
        idx: Index = self.ctx.src[key]
        old: Index = self.ctx.tgt[key]
        q = qualified(idx.schema_name, idx.table)
        unique = "UNIQUE " if idx.unique else ""
        stmts = [
            f"DROP INDEX CONCURRENTLY {qualified(old.schema_name, old.name)}",
            f"CREATE {unique}INDEX CONCURRENTLY {ident(idx.name)} ON {q} {idx.body}",
            *self._index_extras(idx, idx.comment),
        ]
        yield creates(
            key,
            f"Rebuild index {idx.name} on {idx.table} online (the target's is not valid: "
            "a failed concurrent build)",
            stmts,
            hazards=[MAY_FAIL] if idx.unique else [],
            check=self._index_check(idx),
            online=True,
        )

    def _index_drop(self, change: Change, recreate: bool = False) -> Generated:
        idx: Index = self.ctx.tgt[change.key]
        if not recreate and self._adopted(idx.schema_name, idx.table, idx.name, index=True):
            return
        yield drops(
            change.key,
            drop_note(f"index {idx.name}", recreate),
            [f"DROP INDEX {qualified(idx.schema_name, idx.name)}"],
            frees=[(idx.schema_name, idx.name)],
            hazards=[LOCK],
        )

    def _index_alter(self, change: Change) -> Generated:
        idx: Index = self.ctx.src[change.key]
        set_comment = "comment" in change.fields
        comment = idx.comment if set_comment else None
        stmts = self._index_extras(idx, comment, self.ctx.tgt[change.key], set_comment)
        if stmts:  # else a mark another index of the table takes over
            note = f"Change the comment or marks of index {idx.name}"
            yield alters(change.key, note, stmts, provides=[change.key])
