"""Functions, triggers, views and policies: behaviour, no data."""

from __future__ import annotations

from functools import partial

from ddp_engine.codes import FunctionKind, TriggerState
from ddp_engine.ddl.base import FUNCTION_WORD, TRIGGER_STATE, StepBase
from ddp_engine.ddl.replace import rows_key
from ddp_engine.diff import Change
from ddp_engine.hazards import BEHAVIOUR
from ddp_engine.model import Function, Policy, Trigger, View
from ddp_engine.registry import COSMETIC
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, PlanWarning, alters, creates, drop_note, drops


class ObjectSteps(StepBase):
    """Functions, triggers, views and policies."""

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
        stmts += self._new_comment(self._function_ref(f), f.comment)
        what = f"{FUNCTION_WORD.get(f.kind, 'function').lower()} {f.signature}"
        yield creates(change.key, self._created(what, why), stmts, hazards=self.ctx.body_hazards(f))
        yield from self._new_acl("function", change.key, self._function_ref(f), f.acl, why)

    def _function_drop(self, change: Change, recreate: bool = False) -> Generated:
        f: Function = self.ctx.tgt[change.key]
        if not recreate and change.key in self.reached:
            # A renamed function whose SQL body stands on a column that changes type would
            # block the change: drop it, and keep its text in the script for the record.
            yield drops(
                change.key,
                f"Drop extra {f.signature}: its body stands on a column that changes "
                "(its definition is in the warnings above)",
                [f"DROP {self._function_ref(f)}"],
                hazards=[BEHAVIOUR],
            )
            yield PlanWarning(
                f"dropped {f.signature}, which stood on a changed column; it was:\n"
                f"{self._function_sql(f)}"
            )
            return
        if recreate:
            note = f"Drop {f.signature} to recreate it (its signature or result changes)"
            yield drops(change.key, note, [f"DROP {self._function_ref(f)}"])
            return
        word = FUNCTION_WORD.get(f.kind, "FUNCTION")
        yield self._rename_away(
            change.key,
            f"Rename extra {word.lower()} {f.signature} before drop (data preservation)",
            word,
            f.name,
            partial(self._function_signature, f),
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
            yield alters(
                change.key,
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
        stmts += self._new_comment(f"TRIGGER {ident(trig.name)} ON {q}", trig.comment)
        yield creates(
            change.key,
            self._created(f"trigger {trig.name} on {trig.table}", why),
            stmts,
            requires=[
                ("table", trig.schema_name, trig.table, ""),
                ("view", trig.schema_name, trig.table, ""),
                rows_key(trig.schema_name, trig.table),  # none fires on copied rows
            ],
        )

    def _trigger_drop(self, change: Change, recreate: bool = False) -> Generated:
        trig: Trigger = self.ctx.tgt[change.key]
        q = qualified(trig.schema_name, trig.table)
        yield drops(
            change.key,
            drop_note(f"trigger {trig.name} on {trig.table}", recreate),
            [f"DROP TRIGGER {ident(trig.name)} ON {q}"],
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
        yield alters(change.key, f"Change trigger {trig.name}", stmts)

    def _view_create(self, change: Change, why: str | None = None) -> Generated:
        v: View = self.ctx.src[change.key]
        q = qualified(v.schema_name, v.name)
        word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        options = f" WITH ({', '.join(v.options)})" if v.options else ""
        body = v.definition.strip().rstrip(";")
        stmts = [f"CREATE {word} {q}{options} AS\n{body}"]
        stmts += self._new_comment(f"{word} {q}", v.comment)
        for column, comment in v.column_comments:
            stmts.append(self._comment(f"COLUMN {q}.{ident(column)}", comment))
        yield creates(change.key, self._created(f"{word.lower()} {v.name}", why), stmts)
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
        yield drops(
            change.key,
            drop_note(f"{word.lower()} {v.name}", recreate),
            [f"DROP {word} {qualified(v.schema_name, v.name)}"],
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
            yield alters(change.key, f"Comments on {v.name}", stmts)
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
        stmts += self._new_comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment)
        yield creates(
            change.key,
            self._created(f"policy {pol.name} on {pol.table}", why),
            stmts,
            requires=[("table", pol.schema_name, pol.table, "")],
        )

    def _policy_drop(self, change: Change, recreate: bool = False) -> Generated:
        pol: Policy = self.ctx.tgt[change.key]
        q = qualified(pol.schema_name, pol.table)
        yield drops(
            change.key,
            f"Drop {'changed' if recreate else 'extra'} policy {pol.name} on {pol.table}",
            [f"DROP POLICY {ident(pol.name)} ON {q}"],
            hazards=[] if recreate else [BEHAVIOUR],
        )

    def _policy_alter(self, change: Change) -> Generated:
        pol: Policy = self.ctx.src[change.key]
        q = qualified(pol.schema_name, pol.table)
        comment = self._comment(f"POLICY {ident(pol.name)} ON {q}", pol.comment)
        yield alters(change.key, f"Comment on policy {pol.name}", [comment])
