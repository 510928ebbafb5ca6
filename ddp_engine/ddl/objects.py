"""Constraints, indexes, functions, triggers, views and policies."""

from __future__ import annotations

from ddp_engine.ddl.base import FUNCTION_WORD, TRIGGER_STATE, StepBase
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import BEHAVIOUR, BLOCKS_WRITES, LOCK, MAY_FAIL, SCAN
from ddp_engine.kinds import COSMETIC
from ddp_engine.model import (
    INDEX_BACKED,
    Constraint,
    ConstraintType,
    Function,
    FunctionKind,
    Index,
    Key,
    Policy,
    Trigger,
    TriggerState,
    View,
)
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, PlanWarning, Section, step


class ObjectSteps(StepBase):
    """Constraints, indexes, functions, triggers, views and policies."""

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
        definition = f"{con.definition} NOT VALID" if online else con.definition
        stmts = [f"ALTER TABLE {q} ADD CONSTRAINT {ident(con.name)} {definition}"]
        if con.comment is not None:
            stmts.append(self._comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment))
        hazards = [LOCK] if online else [LOCK, SCAN, MAY_FAIL]
        claims = (con.schema_name, con.name) if con.constraint_type in INDEX_BACKED else None
        yield step(
            Section.CONSTRAINT,
            change.key,
            Action.CREATE,
            self._because(
                f"Add missing constraint {con.name} on {con.table}"
                + (" (NOT VALID: validated in the online part)" if online else ""),
                why,
            ),
            stmts,
            provides=[change.key],
            hazards=hazards,
            claims=claims,
            check=() if online else check,
        )
        if online:
            yield step(
                Section.CONSTRAINT,
                change.key,
                Action.ALTER,
                self._because(f"Validate constraint {con.name} on {con.table}", why),
                [f"ALTER TABLE {q} VALIDATE CONSTRAINT {ident(con.name)}"],
                hazards=[SCAN, MAY_FAIL],
                check=check,
                online=True,
                seq=9,
            )

    def _constraint_drop(self, change: Change, recreate: bool = False) -> Generated:
        con: Constraint = self.ctx.tgt[change.key]
        q = qualified(con.schema_name, con.table)
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        yield step(
            Section.CONSTRAINT,
            change.key,
            Action.DROP,
            f"Drop {why}constraint {con.name} on {con.table}{after}",
            [f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}"],
            disturbs=[change.key],
            frees=[(con.schema_name, con.name)],
        )

    def _constraint_alter(self, change: Change) -> Generated:
        con: Constraint = self.ctx.src[change.key]
        q = qualified(con.schema_name, con.table)
        yield step(
            Section.CONSTRAINT,
            change.key,
            Action.ALTER,
            f"Comment on constraint {con.name}",
            [self._comment(f"CONSTRAINT {ident(con.name)} ON {q}", con.comment)],
        )

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
        if idx.comment is not None:
            stmts.append(
                self._comment(f"INDEX {qualified(idx.schema_name, idx.name)}", idx.comment)
            )
        table_key: Key = ("table", idx.schema_name, idx.table, "")
        view_key: Key = ("view", idx.schema_name, idx.table, "")
        yield step(
            Section.INDEX,
            change.key,
            Action.CREATE,
            self._created(f"index {idx.name} on {idx.table}", why),
            stmts,
            provides=[change.key],
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
        yield step(
            Section.INDEX,
            ("index", idx.schema_name, idx.name, ""),
            Action.CREATE,
            self._because(
                f"Rebuild changed index {idx.name} online under a new name, then swap", why
            ),
            [
                f"CREATE INDEX CONCURRENTLY {ident(temporary)} ON {q} {idx.body}",
                f"DROP INDEX CONCURRENTLY {qualified(idx.schema_name, idx.name)}",
                f"ALTER INDEX {qualified(idx.schema_name, temporary)} RENAME TO {ident(idx.name)}",
            ],
            provides=[("index", idx.schema_name, idx.name, "")],
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
        ]
        if idx.comment is not None:
            stmts.append(
                self._comment(f"INDEX {qualified(idx.schema_name, idx.name)}", idx.comment)
            )
        yield step(
            Section.INDEX,
            key,
            Action.CREATE,
            f"Rebuild index {idx.name} on {idx.table} online (the target's is not valid: "
            "a failed concurrent build)",
            stmts,
            provides=[key],
            hazards=[MAY_FAIL] if idx.unique else [],
            check=self._index_check(idx),
            online=True,
        )

    def _index_drop(self, change: Change, recreate: bool = False) -> Generated:
        idx: Index = self.ctx.tgt[change.key]
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        yield step(
            Section.INDEX,
            change.key,
            Action.DROP,
            f"Drop {why}index {idx.name}{after}",
            [f"DROP INDEX {qualified(idx.schema_name, idx.name)}"],
            disturbs=[change.key],
            frees=[(idx.schema_name, idx.name)],
            hazards=[LOCK],
        )

    def _index_alter(self, change: Change) -> Generated:
        idx: Index = self.ctx.src[change.key]
        yield step(
            Section.INDEX,
            change.key,
            Action.ALTER,
            f"Comment on index {idx.name}",
            [self._comment(f"INDEX {qualified(idx.schema_name, idx.name)}", idx.comment)],
        )

    def _function_sql(self, f: Function) -> str:
        q = qualified(f.schema_name, f.name)
        if f.kind == FunctionKind.AGGREGATE:
            return f"CREATE AGGREGATE {q}({f.identity_args or '*'}) ({f.body})"
        word = "PROCEDURE" if f.kind == FunctionKind.PROCEDURE else "FUNCTION"
        return f"CREATE OR REPLACE {word} {q}{f.body}"

    def _function_ref(self, f: Function, name: str | None = None) -> str:
        """``FUNCTION "schema"."name"(identity args)`` (or PROCEDURE, AGGREGATE)."""
        return f"{FUNCTION_WORD.get(f.kind, 'FUNCTION')} {self._function_signature(f, name)}"

    @staticmethod
    def _function_signature(f: Function, name: str | None = None) -> str:
        """``"schema"."name"(identity args)``: tells overloads apart."""
        args = f.identity_args if f.kind != FunctionKind.AGGREGATE or f.identity_args else "*"
        return f"{qualified(f.schema_name, name or f.name)}({args})"

    def _function_create(self, change: Change, why: str | None = None) -> Generated:
        f: Function = self.ctx.src[change.key]
        stmts = [self._function_sql(f)]
        if f.comment is not None:
            stmts.append(self._comment(self._function_ref(f), f.comment))
        yield step(
            Section.FUNCTION,
            change.key,
            Action.CREATE,
            self._created(f"{FUNCTION_WORD.get(f.kind, 'function').lower()} {f.signature}", why),
            stmts,
            provides=[change.key],
            hazards=self.ctx.body_hazards(f),
        )
        yield from self._new_acl("function", change.key, self._function_ref(f), f.acl, why)

    def _function_drop(self, change: Change, recreate: bool = False) -> Generated:
        f: Function = self.ctx.tgt[change.key]
        if not recreate and change.key in self.reached:
            # A renamed function whose SQL body stands on a column that changes type would
            # block the change: drop it, and keep its text in the script for the record.
            yield step(
                Section.FUNCTION,
                change.key,
                Action.DROP,
                f"Drop extra {f.signature}: its body stands on a column that changes "
                "(its definition is in the warnings above)",
                [f"DROP {self._function_ref(f)}"],
                disturbs=[change.key],
                hazards=[BEHAVIOUR],
            )
            yield PlanWarning(
                f"dropped {f.signature}, which stood on a changed column; it was:\n"
                f"{self._function_sql(f)}"
            )
            return
        if recreate:
            yield step(
                Section.FUNCTION,
                change.key,
                Action.DROP,
                f"Drop {f.signature} to recreate it (its signature or result changes)",
                [f"DROP {self._function_ref(f)}"],
                disturbs=[change.key],
            )
            return
        word = FUNCTION_WORD.get(f.kind, "FUNCTION")
        new = self.ctx.dropped(f.name)
        yield self._rename_away(
            Section.FUNCTION,
            change.key,
            f"Rename extra {word.lower()} {f.signature} before drop (data preservation)",
            word,
            self._function_signature(f),
            new,
            self._function_signature(f, new),
        )

    def _function_alter(self, change: Change) -> Generated:
        f: Function = self.ctx.src[change.key]
        tgt: Function = self.ctx.tgt[change.key]
        fields = set(change.fields)
        stmts = []
        if fields - COSMETIC:
            if f.kind == FunctionKind.AGGREGATE:  # aggregates have no CREATE OR REPLACE
                key = change.key
                yield from self._function_drop(Change.drop(key), True)
                yield from self._function_create(Change.create(key))
                return
            stmts.append(self._function_sql(f))
        if "comment" in fields:
            stmts.append(self._comment(self._function_ref(f), f.comment))
        if stmts:
            yield step(
                Section.FUNCTION,
                change.key,
                Action.ALTER,
                f"Replace changed {f.signature}",
                stmts,
                provides=[change.key],
                hazards=self.ctx.body_hazards(f) if fields - COSMETIC else [],
            )
        if "acl" in fields:
            yield from self._privileges(
                "function", change.key, self._function_ref(f), f.acl, tgt.acl, tgt.owner
            )

    def _trigger_create(self, change: Change, why: str | None = None) -> Generated:
        trig: Trigger = self.ctx.src[change.key]
        q = qualified(trig.schema_name, trig.table)
        stmts = [trig.definition]
        if trig.enabled != TriggerState.ORIGIN:
            stmts.append(f"ALTER TABLE {q} {TRIGGER_STATE[trig.enabled]} {ident(trig.name)}")
        if trig.comment is not None:
            stmts.append(self._comment(f"TRIGGER {ident(trig.name)} ON {q}", trig.comment))
        yield step(
            Section.TRIGGER,
            change.key,
            Action.CREATE,
            self._created(f"trigger {trig.name} on {trig.table}", why),
            stmts,
            provides=[change.key],
            requires=[
                ("table", trig.schema_name, trig.table, ""),
                ("view", trig.schema_name, trig.table, ""),
            ],
        )

    def _trigger_drop(self, change: Change, recreate: bool = False) -> Generated:
        trig: Trigger = self.ctx.tgt[change.key]
        q = qualified(trig.schema_name, trig.table)
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        yield step(
            Section.TRIGGER,
            change.key,
            Action.DROP,
            f"Drop {why}trigger {trig.name} on {trig.table}{after}",
            [f"DROP TRIGGER {ident(trig.name)} ON {q}"],
            disturbs=[change.key],
            hazards=[] if recreate else [BEHAVIOUR],
        )

    def _trigger_alter(self, change: Change) -> Generated:
        trig: Trigger = self.ctx.src[change.key]
        q = qualified(trig.schema_name, trig.table)
        stmts = []
        if "enabled" in change.fields:
            stmts.append(f"ALTER TABLE {q} {TRIGGER_STATE[trig.enabled]} {ident(trig.name)}")
        if "comment" in change.fields:
            stmts.append(self._comment(f"TRIGGER {ident(trig.name)} ON {q}", trig.comment))
        yield step(Section.TRIGGER, change.key, Action.ALTER, f"Change trigger {trig.name}", stmts)

    def _view_create(self, change: Change, why: str | None = None) -> Generated:
        v: View = self.ctx.src[change.key]
        q = qualified(v.schema_name, v.name)
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        options = f" WITH ({', '.join(v.options)})" if v.options else ""
        body = v.definition.strip().rstrip(";")
        stmts = [f"CREATE {word} {q}{options} AS\n{body}"]
        if v.comment is not None:
            stmts.append(self._comment(f"{word} {q}", v.comment))
        for column, comment in v.column_comments:
            stmts.append(self._comment(f"COLUMN {q}.{ident(column)}", comment))
        yield step(
            Section.VIEW,
            change.key,
            Action.CREATE,
            self._created(f"{word.lower()} {v.name}", why),
            stmts,
            provides=[change.key],
        )
        yield from self._new_acl("view", change.key, f"TABLE {q}", v.acl, why)
        for column, acl in v.column_acls:
            yield from self._privileges(
                "view",
                ("column", v.schema_name, v.name, column),
                f"TABLE {q}",
                acl,
                (),
                None,
                columns=f" ({ident(column)})",
                why=why,
            )

    def _view_drop(self, change: Change, recreate: bool = False) -> Generated:
        v: View = self.ctx.tgt[change.key]
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        why, after = ("", " to recreate it") if recreate else ("extra ", "")
        yield step(
            Section.VIEW,
            change.key,
            Action.DROP,
            f"Drop {why}{word.lower()} {v.name}{after}",
            [f"DROP {word} {qualified(v.schema_name, v.name)}"],
            disturbs=[change.key],
            frees=[(v.schema_name, v.name)],
        )

    def _view_alter(self, change: Change) -> Generated:
        v: View = self.ctx.src[change.key]
        tgt: View = self.ctx.tgt[change.key]
        q = qualified(v.schema_name, v.name)
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        stmts = []
        if "comment" in change.fields:
            stmts.append(self._comment(f"{word} {q}", v.comment))
        if "column_comments" in change.fields:
            old = dict(tgt.column_comments)
            new = dict(v.column_comments)
            for column in sorted(old.keys() | new.keys()):
                if old.get(column) != new.get(column):
                    stmts.append(self._comment(f"COLUMN {q}.{ident(column)}", new.get(column)))
        if stmts:
            yield step(Section.VIEW, change.key, Action.ALTER, f"Comments on {v.name}", stmts)
        if "acl" in change.fields:
            yield from self._privileges("view", change.key, f"TABLE {q}", v.acl, tgt.acl, tgt.owner)
        if "column_acls" in change.fields:
            old_acls, new_acls = dict(tgt.column_acls), dict(v.column_acls)
            for column in sorted(old_acls.keys() | new_acls.keys()):
                yield from self._privileges(
                    "view",
                    ("column", v.schema_name, v.name, column),
                    f"TABLE {q}",
                    new_acls.get(column, ()),
                    old_acls.get(column, ()),
                    tgt.owner,
                    columns=f" ({ident(column)})",
                )

    def _policy_create(self, change: Change, why: str | None = None) -> Generated:
        pol: Policy = self.ctx.src[change.key]
        q = qualified(pol.schema_name, pol.table)
        command = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}[
            pol.command
        ]
        roles = ", ".join(r if r == "public" else r for r in pol.roles) or "public"
        sql = (
            f"CREATE POLICY {ident(pol.name)} ON {q} AS "
            f"{'PERMISSIVE' if pol.permissive else 'RESTRICTIVE'} FOR {command} TO {roles}"
        )
        if pol.using is not None:
            sql += f" USING ({pol.using})"
        if pol.check is not None:
            sql += f" WITH CHECK ({pol.check})"
        stmts = [sql]
        if pol.comment is not None:
            stmts.append(self._comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment))
        yield step(
            Section.POLICY,
            change.key,
            Action.CREATE,
            self._created(f"policy {pol.name} on {pol.table}", why),
            stmts,
            provides=[change.key],
            requires=[("table", pol.schema_name, pol.table, "")],
        )

    def _policy_drop(self, change: Change, recreate: bool = False) -> Generated:
        pol: Policy = self.ctx.tgt[change.key]
        q = qualified(pol.schema_name, pol.table)
        yield step(
            Section.POLICY,
            change.key,
            Action.DROP,
            f"Drop {'changed' if recreate else 'extra'} policy {pol.name} on {pol.table}",
            [f"DROP POLICY {ident(pol.name)} ON {q}"],
            disturbs=[change.key],
            hazards=[] if recreate else [BEHAVIOUR],
        )

    def _policy_alter(self, change: Change) -> Generated:
        pol: Policy = self.ctx.src[change.key]
        q = qualified(pol.schema_name, pol.table)
        yield step(
            Section.POLICY,
            change.key,
            Action.ALTER,
            f"Comment on policy {pol.name}",
            [self._comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment)],
        )
