"""Schemas, extensions and collations: what other objects live in or use."""

from __future__ import annotations

from functools import partial

from ddp_engine.ddl.base import StepBase
from ddp_engine.diff import Change
from ddp_engine.hazards import BEHAVIOUR, LOCK, REWRITE
from ddp_engine.model import Collation, Extension, Schema
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Generated, alters, creates, drops


class SchemaSteps(StepBase):
    """Schemas, extensions and collations."""

    def _schema_create(self, change: Change) -> Generated:
        s: Schema = self.ctx.src[change.key]
        stmts = [f"CREATE SCHEMA {ident(s.name)}"]
        stmts += self._new_comment(f"SCHEMA {ident(s.name)}", s.comment)
        yield creates(change.key, f"Create missing schema {s.name}", stmts)
        yield from self._new_acl("schema", change.key, f"SCHEMA {ident(s.name)}", s.acl)

    def _schema_drop(self, change: Change, recreate: bool = False) -> Generated:
        s: Schema = self.ctx.tgt[change.key]
        yield self._rename_away(
            change.key,
            f"Rename extra schema {s.name} and everything in it (data preservation)",
            "SCHEMA",
            s.name,
            ident,
            cascade=True,
        )

    def _schema_alter(self, change: Change) -> Generated:
        src: Schema = self.ctx.src[change.key]
        tgt: Schema = self.ctx.tgt[change.key]
        if "comment" in change.fields:
            comment = self._comment(f"SCHEMA {ident(src.name)}", src.comment)
            yield alters(change.key, f"Comment on schema {src.name}", [comment])
        if "acl" in change.fields:
            yield from self._privileges(
                "schema", change.key, f"SCHEMA {ident(src.name)}", src.acl, tgt.acl, tgt.owner
            )

    def _extension_create(self, change: Change) -> Generated:
        e: Extension = self.ctx.src[change.key]
        yield creates(
            change.key,
            f"Create missing extension {e.name}",
            [
                f"CREATE EXTENSION IF NOT EXISTS {ident(e.name)} WITH SCHEMA "
                f"{ident(e.schema_name)} VERSION {literal(e.version)}"
            ],
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
        yield drops(
            change.key,
            f"Drop extra extension {e.name}"
            + (" (renamed columns of its types keep their values as text)" if kept else ""),
            [*stmts, f"DROP EXTENSION {ident(e.name)}"],
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
        yield alters(change.key, f"Change extension {e.name}", stmts, provides=[change.key])

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
        stmts += self._new_comment(f"COLLATION {q}", c.comment)
        yield creates(change.key, self._created(f"collation {c.name}", why), stmts)

    def _collation_drop(self, change: Change, recreate: bool = False) -> Generated:
        c: Collation = self.ctx.tgt[change.key]
        if not recreate and self._kept_users(change.key):
            yield self._rename_away(
                change.key,
                f"Rename extra collation {c.name}: renamed columns still use it",
                "COLLATION",
                c.name,
                partial(qualified, c.schema_name),
            )
            return
        yield drops(
            change.key,
            f"Drop {'changed' if recreate else 'extra'} collation {c.name}",
            [f"DROP COLLATION {qualified(c.schema_name, c.name)}"],
        )

    def _collation_alter(self, change: Change) -> Generated:
        c: Collation = self.ctx.src[change.key]
        comment = self._comment(f"COLLATION {qualified(c.schema_name, c.name)}", c.comment)
        yield alters(change.key, f"Comment on collation {c.name}", [comment])
