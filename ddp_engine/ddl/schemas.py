"""Schemas, extensions and collations: what other objects live in or use."""

from __future__ import annotations

from ddp_engine.ddl.base import StepBase
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import BEHAVIOUR, LOCK, REWRITE
from ddp_engine.model import Collation, Extension, Schema
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Generated, Section, step


class SchemaSteps(StepBase):
    """Schemas, extensions and collations."""

    def _schema_create(self, change: Change) -> Generated:
        s: Schema = self.ctx.src[change.key]
        stmts = [f"CREATE SCHEMA {ident(s.name)}"]
        if s.comment is not None:
            stmts.append(self._comment(f"SCHEMA {ident(s.name)}", s.comment))
        yield step(
            Section.SCHEMA,
            change.key,
            Action.CREATE,
            f"Create missing schema {s.name}",
            stmts,
            provides=[change.key],
        )
        yield from self._new_acl("schema", change.key, f"SCHEMA {ident(s.name)}", s.acl)

    def _schema_drop(self, change: Change, recreate: bool = False) -> Generated:
        s: Schema = self.ctx.tgt[change.key]
        new = self.ctx.dropped(s.name)
        yield self._rename_away(
            Section.SCHEMA,
            change.key,
            f"Rename extra schema {s.name} and everything in it (data preservation)",
            Section.SCHEMA,
            ident(s.name),
            new,
            ident(new),
            cascade=True,
        )

    def _schema_alter(self, change: Change) -> Generated:
        src: Schema = self.ctx.src[change.key]
        tgt: Schema = self.ctx.tgt[change.key]
        if "comment" in change.fields:
            yield step(
                Section.SCHEMA,
                change.key,
                Action.ALTER,
                f"Comment on schema {src.name}",
                [self._comment(f"SCHEMA {ident(src.name)}", src.comment)],
            )
        if "acl" in change.fields:
            yield from self._privileges(
                "schema", change.key, f"SCHEMA {ident(src.name)}", src.acl, tgt.acl, tgt.owner
            )

    def _extension_create(self, change: Change) -> Generated:
        e: Extension = self.ctx.src[change.key]
        yield step(
            Section.EXTENSION,
            change.key,
            Action.CREATE,
            f"Create missing extension {e.name}",
            [
                f"CREATE EXTENSION IF NOT EXISTS {ident(e.name)} WITH SCHEMA "
                f"{ident(e.schema_name)} VERSION {literal(e.version)}"
            ],
            provides=[change.key],
            requires=[("schema", "", e.schema_name, "")],
        )

    def _extension_drop(self, change: Change, recreate: bool = False) -> Generated:
        e: Extension = self.ctx.tgt[change.key]
        kept = self._kept_users(change.key)
        stmts = [
            f"ALTER TABLE {qualified(schema, table)} ALTER COLUMN {ident(column)} TYPE text "
            f"USING {ident(column)}::text"
            for schema, table, column in kept
        ]
        yield step(
            Section.EXTENSION,
            change.key,
            Action.DROP,
            f"Drop extra extension {e.name}"
            + (" (renamed columns of its types keep their values as text)" if kept else ""),
            [*stmts, f"DROP EXTENSION {ident(e.name)}"],
            disturbs=[change.key],
            hazards=[BEHAVIOUR, *([LOCK, REWRITE] if kept else [])],
            after_disturbed=[
                *(k for k in self.ctx.target_dependents(change.key) if k[0] != "extension"),
                *(("table", k[1], k[2], "") for k in self.ctx.target_dependents(change.key)),
            ],
        )

    def _extension_alter(self, change: Change) -> Generated:
        e: Extension = self.ctx.src[change.key]
        stmts = []
        if "schema_name" in change.fields:
            stmts.append(f"ALTER EXTENSION {ident(e.name)} SET SCHEMA {ident(e.schema_name)}")
        if "version" in change.fields:
            stmts.append(f"ALTER EXTENSION {ident(e.name)} UPDATE TO {literal(e.version)}")
        yield step(
            Section.EXTENSION,
            change.key,
            Action.ALTER,
            f"Change extension {e.name}",
            stmts,
            provides=[change.key],
        )

    def _collation_create(self, change: Change, why: str | None = None) -> Generated:
        c: Collation = self.ctx.src[change.key]
        opts = [f"provider = {'icu' if c.provider == 'i' else 'libc'}"]
        if c.provider == "i":
            opts.append(f"locale = {literal(c.icu_locale or '')}")
        else:
            opts += [
                f"lc_collate = {literal(c.lc_collate or '')}",
                f"lc_ctype = {literal(c.lc_ctype or '')}",
            ]
        if not c.deterministic:
            opts.append("deterministic = false")
        q = qualified(c.schema_name, c.name)
        stmts = [f"CREATE COLLATION {q} ({', '.join(opts)})"]
        if c.comment is not None:
            stmts.append(self._comment(f"COLLATION {q}", c.comment))
        yield step(
            Section.TYPE,
            change.key,
            Action.CREATE,
            self._created(f"collation {c.name}", why),
            stmts,
            provides=[change.key],
        )

    def _collation_drop(self, change: Change, recreate: bool = False) -> Generated:
        c: Collation = self.ctx.tgt[change.key]
        if not recreate and self._kept_users(change.key):
            new = self.ctx.dropped(c.name)
            yield self._rename_away(
                Section.TYPE,
                change.key,
                f"Rename extra collation {c.name}: renamed columns still use it",
                "COLLATION",
                qualified(c.schema_name, c.name),
                new,
                qualified(c.schema_name, new),
            )
            return
        yield step(
            Section.TYPE,
            change.key,
            Action.DROP,
            f"Drop {'changed' if recreate else 'extra'} collation {c.name}",
            [f"DROP COLLATION {qualified(c.schema_name, c.name)}"],
            disturbs=[change.key],
        )

    def _collation_alter(self, change: Change) -> Generated:
        c: Collation = self.ctx.src[change.key]
        yield step(
            Section.TYPE,
            change.key,
            Action.ALTER,
            f"Comment on collation {c.name}",
            [self._comment(f"COLLATION {qualified(c.schema_name, c.name)}", c.comment)],
        )
