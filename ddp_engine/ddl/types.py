"""User types: enums, domains, composites and ranges, and their rebuilds."""

from __future__ import annotations

from functools import partial

from ddp_engine.codes import TypeKind
from ddp_engine.ddl.base import StepBase
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import LOCK, MAY_FAIL, REWRITE, SCAN, HazardCode, hazard
from ddp_engine.kinds import enum_rebuild
from ddp_engine.model import Key, UserType
from ddp_engine.reparse import VARCHAR, reparseable
from ddp_engine.sqltext import ident, literal, qualified, split_ident, unquote
from ddp_engine.stepspec import (
    Generated,
    PlanWarning,
    Section,
    StepSpec,
    alters,
    creates,
    drops,
    step,
)


class TypeSteps(StepBase):
    """User types."""

    def _type_sql(self, t: UserType) -> list[str]:
        q = qualified(t.schema_name, t.name)
        if t.type_kind == TypeKind.ENUM:
            stmts = [f"CREATE TYPE {q} AS ENUM ({', '.join(literal(v) for v in t.labels)})"]
        elif t.type_kind == TypeKind.DOMAIN:
            parts = [f"CREATE DOMAIN {q} AS {t.base_type}"]
            if t.collation:
                parts.append(f"COLLATE {t.collation}")
            if t.default is not None:
                parts.append(f"DEFAULT {t.default}")
            if t.not_null:
                parts.append("NOT NULL")
            parts += [f"CONSTRAINT {domain_check(t, c)}" for c in t.constraints]
            stmts = [" ".join(parts)]
        elif t.type_kind == TypeKind.COMPOSITE:
            stmts = [f"CREATE TYPE {q} AS ({', '.join(t.attributes)})"]
        else:
            stmts = [f"CREATE TYPE {q} AS RANGE ({t.range_options})"]
        if t.comment is not None:
            word = "DOMAIN" if t.type_kind == TypeKind.DOMAIN else "TYPE"
            stmts.append(self._comment(f"{word} {q}", t.comment))
        for constraint, comment in t.constraint_comments:
            stmts.append(self._comment(f"CONSTRAINT {ident(constraint)} ON DOMAIN {q}", comment))
        return stmts

    def _type_create(self, change: Change) -> Generated:
        t: UserType = self.ctx.src[change.key]
        yield creates(change.key, f"Create missing type {t.name}", self._type_sql(t))
        yield from self._new_acl(
            "type", change.key, f"TYPE {qualified(t.schema_name, t.name)}", t.acl
        )

    def _type_drop(self, change: Change, recreate: bool = False) -> Generated:
        t: UserType = self.ctx.tgt[change.key]
        q = qualified(t.schema_name, t.name)
        word = "DOMAIN" if t.type_kind == TypeKind.DOMAIN else "TYPE"
        if self._kept_users(change.key):
            yield self._rename_away(
                change.key,
                f"Rename extra type {t.name}: kept columns still use it",
                word,
                t.name,
                partial(qualified, t.schema_name),
                frees=((t.schema_name, t.name),),
            )
            return
        yield drops(
            change.key,
            f"Drop extra type {t.name}",
            [f"DROP {word} {q}"],
            frees=[(t.schema_name, t.name)],
        )

    def _type_alter(self, change: Change) -> Generated:
        src: UserType = self.ctx.src[change.key]
        tgt: UserType = self.ctx.tgt[change.key]
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        if src.type_kind != tgt.type_kind or enum_rebuild(src, tgt, self.ctx.source_expressions):
            yield from self._rebuild_type(change.key, src, tgt)
            return
        if src.type_kind == TypeKind.ENUM and "labels" in fields:
            stmts = []
            for i, label in enumerate(src.labels):
                if label in tgt.labels:
                    continue
                following = next((v for v in src.labels[i + 1 :] if v in tgt.labels), None)
                where = f" BEFORE {literal(following)}" if following else ""
                stmts.append(f"ALTER TYPE {q} ADD VALUE {literal(label)}{where}")
            yield alters(change.key, f"Add values to enum {src.name}", stmts, provides=[change.key])
        if src.type_kind == TypeKind.DOMAIN:
            stmts = []
            if "default" in fields:
                stmts.append(
                    f"ALTER DOMAIN {q} "
                    + (f"SET DEFAULT {src.default}" if src.default is not None else "DROP DEFAULT")
                )
            if "not_null" in fields:
                stmts.append(f"ALTER DOMAIN {q} {'SET' if src.not_null else 'DROP'} NOT NULL")
            dropped, renamed, added = _domain_constraint_changes(src, tgt)
            stmts += [f"ALTER DOMAIN {q} DROP CONSTRAINT {name}" for name in dropped]
            stmts += [f"ALTER DOMAIN {q} RENAME CONSTRAINT {a} TO {b}" for a, b in renamed]
            stmts += [f"ALTER DOMAIN {q} ADD CONSTRAINT {domain_check(src, c)}" for c in added]
            hazards = [SCAN, MAY_FAIL] if "not_null" in fields or added else []
            if fields & {"base_type", "collation"}:
                yield PlanWarning(
                    f"domain {src.name}: base type or collation change is "
                    "not applied (recreate the domain by hand)"
                )
            if stmts:
                yield alters(
                    change.key,
                    f"Change domain {src.name}",
                    stmts,
                    provides=[change.key],
                    hazards=hazards,
                )
        if src.type_kind == TypeKind.COMPOSITE and "attributes" in fields:
            dropped = [split_ident(a)[0] for a in tgt.attributes if a not in src.attributes]
            stmts = [f"ALTER TYPE {q} DROP ATTRIBUTE {a}" for a in dropped]
            stmts += [
                f"ALTER TYPE {q} ADD ATTRIBUTE {a}"
                for a in src.attributes
                if a not in tgt.attributes
            ]
            # PostgreSQL drops an attribute from the values stored in columns of the type too
            # (a changed attribute is dropped and added): those values are gone for good.
            stored_in = sorted(
                ".".join(key[2:])
                for key in self.ctx.target_dependents(change.key)
                if key[0] == "column"
            )
            hazards = []
            if dropped and stored_in:
                hazards.append(
                    hazard(
                        HazardCode.DATA_NOT_CARRIED,
                        f"the values of {', '.join(dropped)} stored in "
                        f"{', '.join(stored_in)} are dropped with the attribute",
                    )
                )
            yield alters(
                change.key,
                f"Change composite type {src.name}",
                stmts,
                provides=[change.key],
                disturbs=[change.key],  # a type it drops an attribute of may then go
                hazards=hazards,
            )
        if src.type_kind == TypeKind.RANGE and "range_options" in fields:
            yield PlanWarning(f"range type {src.name}: its definition differs; recreate it by hand")
        if "constraint_comments" in fields:
            old_comments, new_comments = (
                dict(tgt.constraint_comments),
                dict(src.constraint_comments),
            )
            live = {unquote(split_ident(c)[0]) for c in src.constraints}
            yield alters(
                change.key,
                f"Comments on the constraints of domain {src.name}",
                [
                    self._comment(f"CONSTRAINT {ident(name)} ON DOMAIN {q}", new_comments.get(name))
                    for name in sorted(old_comments.keys() | new_comments.keys())
                    if old_comments.get(name) != new_comments.get(name) and name in live
                ],
                provides=[change.key],
                seq=3,
            )
        if "comment" in fields:
            word = "DOMAIN" if src.type_kind == TypeKind.DOMAIN else "TYPE"
            yield alters(
                change.key,
                f"Comment on type {src.name}",
                [self._comment(f"{word} {q}", src.comment)],
                seq=2,
            )
        if "acl" in fields:
            yield from self._privileges(
                "type", change.key, f"TYPE {q}", src.acl, tgt.acl, tgt.owner
            )

    def _rebuild_type(self, key: Key, src: UserType, tgt: UserType) -> Generated:
        """Rename the old type away, create the new one, move every column over, drop the old."""
        q = qualified(src.schema_name, src.name)
        old = self.ctx.dropped(src.name)
        word = "DOMAIN" if tgt.type_kind == TypeKind.DOMAIN else "TYPE"
        # a renamed (kept) column still using the old type: the old type goes with that column
        kept = bool(self._kept_users(key))
        yield step(
            Section.TYPE,
            key,
            Action.RENAME,
            f"Rebuild type {src.name}: rename the old one away",
            [f"ALTER {word} {q} RENAME TO {ident(old)}"],
            disturbs=[key],
            frees=[(src.schema_name, src.name)],
        )
        create = creates(
            key,
            f"Rebuild type {src.name}: create it anew",
            self._type_sql(src),
            claims=(src.schema_name, src.name),
            seq=1,
            cleanup=[f"DROP {word} IF EXISTS {qualified(src.schema_name, old)};"] if kept else [],
        )
        yield create
        moves: list[StepSpec] = []
        for dep in self.ctx.target_dependents(key):
            if dep[0] != "column" or dep not in self.ctx.src:
                continue
            _, column = self.ctx.src[dep]
            array = column.data_type.endswith("[]")
            cast = "text[]" if array else "text"
            check: tuple[str, ...] = ()
            uncounted = []
            if src.type_kind == tgt.type_kind == TypeKind.ENUM and self._existing(dep[1], dep[2]):
                # a value whose label the rebuilt enum lacks fails the move
                check = ("labels", dep[1], dep[2], dep[3], "array" if array else "", *src.labels)
            elif self._existing(dep[1], dep[2]):
                uncounted.append(
                    hazard(
                        HazardCode.VALUES_CHANGE,
                        f"the values of {dep[2]}.{dep[3]} move through text to a type of another "
                        "kind: not counted",
                    )
                )
            move = alters(
                dep,
                f"Move {dep[2]}.{dep[3]} to the rebuilt type {src.name}",
                [
                    f"ALTER TABLE {qualified(dep[1], dep[2])} ALTER COLUMN {ident(dep[3])} TYPE "
                    f"{column.data_type} USING {ident(dep[3])}::{cast}::{column.data_type}"
                ],
                provides=[dep],
                disturbs=[dep],
                hazards=[LOCK, REWRITE, MAY_FAIL, *uncounted],
                check=check,
                after=[create],
            )
            yield move
            moves.append(move)
        if kept:
            return
        yield alters(
            key,
            f"Rebuild type {src.name}: drop the old one",
            [f"DROP {word} {qualified(src.schema_name, old)}"],
            disturbs=[key],
            seq=2,
            after=moves,
        )


def domain_check(domain: UserType, constraint: str) -> str:
    """A domain's constraint (``name CHECK (...)``) as written to parse back alike (reparse)."""
    varchar = (domain.base_type or "").startswith(VARCHAR)
    return reparseable(constraint, frozenset({"VALUE"})) if varchar else constraint


def _domain_constraint_changes(
    src: UserType, tgt: UserType
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The target domain's constraints to drop, rename (old, new) and the source's to add.

    A constraint whose text is the same under another name is renamed, not dropped and added:
    adding one checks every value the domain holds, and PostgreSQL refuses that outright
    while a composite-typed column stores the domain.
    """
    gone = [split_ident(c) for c in sorted(set(tgt.constraints) - set(src.constraints))]
    new = [split_ident(c) for c in sorted(set(src.constraints) - set(tgt.constraints))]
    kept_names = {split_ident(c)[0] for c in tgt.constraints} - {name for name, _ in gone}
    by_text: dict[str, str] = {}
    for name, text in gone:
        by_text.setdefault(text, name)
    renamed = []
    for name, text in new:
        old = by_text.get(text)
        # a new name that a constraint keeps, or that one still to be dropped or renamed
        # holds: drop and add instead, which is right in any order
        if old is not None and name not in kept_names and name not in by_text.values():
            renamed.append((old, name))
            del by_text[text]
    renamed_old = {old for old, _ in renamed}
    renamed_new = {name for _, name in renamed}
    dropped = [name for name, _ in gone if name not in renamed_old]
    added = [f"{name} {text}" for name, text in new if name not in renamed_new]
    return dropped, renamed, added
