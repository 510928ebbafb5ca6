"""Rename hints: ``--rename [KIND:]OLD=NEW`` says the target's OLD is the source's NEW.

Without a hint a renamed column reads as one column dropped and another added: the data would
stay behind in a ``_dropped_`` tombstone. With one, the plan starts with ``ALTER ... RENAME``
(the data, the column's position and everything standing on it stay), and the target is
compared *as if already renamed*: its snapshot is rewritten here, the object and every name,
key and edge that points at it, so that the diff sees only what else differs.

OLD is the target's qualified name (``public.users.name``), NEW the source's last name part
(``full_name``). A hint whose OLD the target does not hold (already renamed, or a hints file
kept in git beside the schema) does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from ddp_engine.diff import Action, Change
from ddp_engine.errors import BadInput
from ddp_engine.hazards import LOCK
from ddp_engine.model import Key, Kind, Snapshot
from ddp_engine.plan_model import Plan
from ddp_engine.qualifiers import quote_if_needed
from ddp_engine.registry import Section
from ddp_engine.relabel import relabel
from ddp_engine.sqltext import ident, literal, qualified, unquote
from ddp_engine.stepspec import Step

#: Kind → how many dotted parts OLD has.
PARTS = {"schema": 1, "table": 2, "index": 2, "column": 3, "constraint": 3, "enum_value": 3}
#: Kind a hint without a prefix has, by its number of parts.
DEFAULT_KIND = {1: "schema", 2: "table", 3: "column"}


class Hint(NamedTuple):
    """One parsed hint: the kind, OLD's parts, NEW."""

    kind: str
    old: tuple[str, ...]
    new: str

    @property
    def text(self) -> str:
        return f"{self.kind}:{'.'.join(self.old)}={self.new}"


def split_name(text: str) -> tuple[str, ...]:
    """``public."odd.name".c`` → ("public", "odd.name", "c"): dots split, quotes keep."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            if quoted and text.startswith('""', i):
                current.append('"')
                i += 2
                continue
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return tuple(parts)


def parse_hint(text: str) -> Hint:
    """``[KIND:]OLD=NEW`` as a Hint, or one line saying what to give."""
    kind, sep, rest = text.partition(":")
    kind = kind.strip().replace(" ", "_")
    if kind == "value":
        kind = "enum_value"
    if not sep or kind not in PARTS:
        kind, rest = "", text
    old, eq, new = rest.rpartition("=")
    parts = split_name(old.strip()) if eq else ()
    kind = kind or DEFAULT_KIND.get(len(parts), "")
    if not eq or not new or not kind or len(parts) != PARTS[kind] or not all(parts):
        raise BadInput(
            f"rename hint {text!r}: give [KIND:]OLD=NEW, OLD the target's qualified name "
            "(column:public.users.name=full_name); kinds: " + ", ".join(PARTS)
        )
    return Hint(kind, parts, unquote(new.strip()))


#: The order hints apply in: what is inside a table before the table, tables before schemas,
#: so that every OLD names the object as the target has it now.
ORDER = ("enum_value", "column", "constraint", "index", "table", "schema")


def parse_hints(texts: Iterable[str]) -> tuple[Hint, ...]:
    return tuple(sorted((parse_hint(t) for t in texts), key=lambda h: ORDER.index(h.kind)))


def rewrite_words(text: str | None, old: str, new: str) -> str | None:
    """``text`` with the identifier ``old`` (as the server prints it) spelt ``new``, outside
    string literals and never as part of a longer name."""
    if text is None:
        return None
    word = re.compile(r'(?<![\w$"])' + re.escape(quote_if_needed(old)) + r'(?![\w$"])')
    pieces = re.split(r"('(?:[^']|'')*')", text)
    return "".join(
        p if i % 2 else word.sub(lambda _: quote_if_needed(new), p) for i, p in enumerate(pieces)
    )


def rename_keys(
    edges: Iterable[tuple[Key, Key]], change: Callable[[Key], Key]
) -> tuple[tuple[Key, Key], ...]:
    return tuple((change(a), change(b)) for a, b in edges)


class Renamer:
    """Applies hints to the target's snapshot, one at a time, and writes their steps."""

    def __init__(self, target: Snapshot) -> None:
        self.target = target
        self.steps: list[Step] = []
        self.changes: list[Change] = []
        #: New name -> the target's own, for the data checks (they run before the renames).
        self.old_schema: dict[str, str] = {}
        self.old_table: dict[tuple[str, str], str] = {}
        self.old_column: dict[tuple[str, str, str], str] = {}

    def apply(self, hint: Hint) -> None:
        getattr(self, f"_{hint.kind}")(hint)

    def _update(self, **values: Any) -> None:
        self.target = self.target.model_copy(update=values)

    def _step(self, section: Section, key: Key, note: str, statement: str) -> None:
        self.steps.append(
            Step(
                section=section,
                key=key,
                action=Action.RENAME,
                note=note + " (rename hint: data kept in place)",
                statements=(statement,),
                hazards=(LOCK,),
            )
        )
        self.changes.append(Change(action=Action.RENAME, kind=Kind(key[0]), key=key))

    def _schema(self, hint: Hint) -> None:
        (old,) = hint.old
        names = {s.name for s in self.target.schemas}
        if old not in names or hint.new in names:
            return
        self.target = relabel(self.target, old, hint.new)
        self.old_schema[hint.new] = old
        self._step(
            Section.SCHEMA,
            (Kind.SCHEMA, "", hint.new, ""),
            f"Rename schema {old} to {hint.new}",
            f"ALTER SCHEMA {ident(old)} RENAME TO {ident(hint.new)}",
        )

    def _table(self, hint: Hint) -> None:
        schema, old = hint.old
        new = hint.new
        t = self.target
        if not any(x.schema_name == schema and x.name == old for x in t.tables):
            return
        before, after = qualified_text(schema, old), qualified_text(schema, new)

        def on(x: Any) -> Any:
            if x.schema_name != schema or x.table != old:
                return x
            return x.model_copy(update={"table": new})

        def table(x: Any) -> Any:
            update: dict[str, Any] = {}
            if x.schema_name == schema and x.name == old:
                update["name"] = new
            if x.partition_of == before:
                update["partition_of"] = after
            if before in x.inherits:
                update["inherits"] = tuple(after if i == before else i for i in x.inherits)
            return x.model_copy(update=update) if update else x

        def constraint(x: Any) -> Any:
            x = on(x)
            if x.ref_table != (schema, old):
                return x
            text = x.definition.replace(f"REFERENCES {before}(", f"REFERENCES {after}(")
            return x.model_copy(update={"ref_table": (schema, new), "definition": text})

        def trigger(x: Any) -> Any:
            x = on(x)
            return x.model_copy(update={"definition": x.definition.replace(before, after)})

        def key(k: Key) -> Key:
            if k[0] != "index" and k[1] == schema and k[2] == old and k[0] != "schema":
                return (k[0], k[1], new, k[3])
            return k

        self.old_table[(schema, new)] = old
        self._update(
            tables=tuple(table(x) for x in t.tables),
            constraints=tuple(constraint(x) for x in t.constraints),
            indexes=tuple(on(x) for x in t.indexes),
            triggers=tuple(trigger(x) for x in t.triggers),
            policies=tuple(on(x) for x in t.policies),
            sequences=tuple(owned(x, (schema, old), (schema, new)) for x in t.sequences),
            dependencies=rename_keys(t.dependencies, key),
        )
        self._step(
            Section.TABLE,
            (Kind.TABLE, schema, new, ""),
            f"Rename table {schema}.{old} to {new}",
            f"ALTER TABLE {qualified(schema, old)} RENAME TO {ident(new)}",
        )

    def _column(self, hint: Hint) -> None:
        schema, table_name, old = hint.old
        new = hint.new
        t = self.target
        table = next((x for x in t.tables if (x.schema_name, x.name) == (schema, table_name)), None)
        if table is None or table.column(old) is None or table.column(new) is not None:
            return

        def word(text: str | None) -> str | None:
            return rewrite_words(text, old, new)

        def swap(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if n == old else n for n in names)

        def column(c: Any) -> Any:
            name = new if c.name == old else c.name
            return c._replace(name=name, default=word(c.default), generated=word(c.generated))

        def table_of(x: Any) -> Any:
            if x is not table:
                return x
            return x.model_copy(
                update={
                    "columns": tuple(column(c) for c in x.columns),
                    "not_null_names": tuple((swap((c,))[0], n) for c, n in x.not_null_names),
                    "not_null_inherited": swap(x.not_null_inherited),
                }
            )

        mine = (schema, table_name)

        def constraint(x: Any) -> Any:
            update: dict[str, Any] = {}
            if (x.schema_name, x.table) == mine:
                update["columns"] = swap(x.columns)
            if x.ref_table == mine:
                update["ref_columns"] = swap(x.ref_columns)
            if update:
                update["definition"] = word(x.definition)
            return x.model_copy(update=update) if update else x

        def on_mine(x: Any, *texts: str) -> Any:
            if (x.schema_name, x.table) != mine:
                return x
            update: dict[str, Any] = {f: word(getattr(x, f)) for f in texts}
            if hasattr(x, "key_columns"):
                update["key_columns"] = swap(x.key_columns)
            return x.model_copy(update=update)

        def key(k: Key) -> Key:
            if k[0] in ("column", "default") and k[1:4] == (schema, table_name, old):
                return (k[0], schema, table_name, new)
            return k

        self.old_column[(schema, table_name, new)] = old
        self._update(
            tables=tuple(table_of(x) for x in t.tables),
            constraints=tuple(constraint(x) for x in t.constraints),
            indexes=tuple(on_mine(x, "body", "predicate") for x in t.indexes),
            triggers=tuple(on_mine(x, "definition") for x in t.triggers),
            policies=tuple(on_mine(x, "using", "check") for x in t.policies),
            sequences=tuple(owned(x, mine, mine, (old, new)) for x in t.sequences),
            dependencies=rename_keys(t.dependencies, key),
        )
        self._step(
            Section.COLUMN,
            (Kind.COLUMN, schema, table_name, new),
            f"Rename column {schema}.{table_name}.{old} to {new}",
            f"ALTER TABLE {qualified(schema, table_name)} RENAME COLUMN {ident(old)} "
            f"TO {ident(new)}",
        )

    def _index(self, hint: Hint) -> None:
        schema, old = hint.old
        index = next((x for x in self.target.indexes if (x.schema_name, x.name) == hint.old), None)
        if index is None:
            return
        self._rename_index_and_constraint(schema, index.table, old, hint.new)
        self._step(
            Section.INDEX,
            (Kind.INDEX, schema, hint.new, ""),
            f"Rename index {schema}.{old} to {hint.new}",
            f"ALTER INDEX {qualified(schema, old)} RENAME TO {ident(hint.new)}",
        )

    def _constraint(self, hint: Hint) -> None:
        schema, table, old = hint.old
        found = any((x.schema_name, x.table, x.name) == hint.old for x in self.target.constraints)
        if not found:
            return
        self._rename_index_and_constraint(schema, table, old, hint.new)
        self._step(
            Section.CONSTRAINT,
            (Kind.CONSTRAINT, schema, table, hint.new),
            f"Rename constraint {old} of {schema}.{table} to {hint.new}",
            f"ALTER TABLE {qualified(schema, table)} RENAME CONSTRAINT {ident(old)} "
            f"TO {ident(hint.new)}",
        )

    def _rename_index_and_constraint(self, schema: str, table: str, old: str, new: str) -> None:
        """An index and the constraint it backs share their name: the server renames both."""
        t = self.target

        def named(x: Any) -> Any:
            if (x.schema_name, x.table, x.name) != (schema, table, old):
                return x
            return x.model_copy(update={"name": new})

        def key(k: Key) -> Key:
            if k[0] == "index" and k[1:3] == (schema, old):
                return (k[0], schema, new, "")
            if k[0] == "constraint" and k[1:4] == (schema, table, old):
                return (k[0], schema, table, new)
            return k

        self._update(
            constraints=tuple(named(x) for x in t.constraints),
            indexes=tuple(named(x) for x in t.indexes),
            dependencies=rename_keys(t.dependencies, key),
        )

    def _enum_value(self, hint: Hint) -> None:
        schema, name, old = hint.old
        t = self.target
        enum = next((x for x in t.types if (x.schema_name, x.name) == (schema, name)), None)
        if enum is None or old not in enum.labels or hint.new in enum.labels:
            return
        labels = tuple(hint.new if v == old else v for v in enum.labels)
        self._update(
            types=tuple(
                x.model_copy(update={"labels": labels}) if x is enum else x for x in t.types
            )
        )
        self._step(
            Section.TYPE,
            (Kind.TYPE, schema, name, ""),
            f"Rename value {old} of enum {schema}.{name} to {hint.new}",
            f"ALTER TYPE {qualified(schema, name)} RENAME VALUE {literal(old)} "
            f"TO {literal(hint.new)}",
        )


def qualified_text(schema: str, name: str) -> str:
    """``schema.name`` as the server prints a qualified name."""
    return f"{quote_if_needed(schema)}.{quote_if_needed(name)}"


def owned(
    sequence: Any,
    table: tuple[str, str],
    new_table: tuple[str, str],
    column: tuple[str, str] | None = None,
) -> Any:
    """A sequence whose OWNED BY follows a renamed table or column."""
    if sequence.owned_by is None or sequence.owned_by[:2] != table:
        return sequence
    col = sequence.owned_by[2]
    if column is not None and col == column[0]:
        col = column[1]
    return sequence.model_copy(update={"owned_by": (*new_table, col)})


class Renamed(BaseModel):
    """What the hints did, kept apart from the renamer so that the diff stage's result can
    carry it to the planner as data (Dagster stores that result between the two stages)."""

    model_config = ConfigDict(frozen=True)

    steps: tuple[Step, ...] = ()
    changes: tuple[Change, ...] = ()
    #: New name -> the target's own, for the data checks (they run before the renames):
    #: (new schema, old), (schema, new table, old), (schema, table, new column, old).
    schemas: tuple[tuple[str, str], ...] = ()
    tables: tuple[tuple[str, str, str], ...] = ()
    columns: tuple[tuple[str, str, str, str], ...] = ()

    def original(self, check: tuple[str, ...]) -> tuple[str, ...]:
        """A data check in the target's names as they are before the renames run."""
        if len(check) < 3:
            return check
        schema = dict(self.schemas).get(check[1], check[1])
        table = {(s, n): o for s, n, o in self.tables}.get((schema, check[2]), check[2])
        rest = check[3:]
        if check[0] in ("rows", "convert", "not_null", "labels") and rest:
            columns = {(s, t, n): o for s, t, n, o in self.columns}
            rest = (columns.get((schema, table, rest[0]), rest[0]), *rest[1:])
        return (check[0], schema, table, *rest)


def apply_hints(target: Snapshot, hints: Iterable[str]) -> tuple[Snapshot, Renamed]:
    """The target as if renamed by every hint, and what the renames take (their steps and
    changes, and the way back to the target's names)."""
    renamer = Renamer(target)
    for hint in parse_hints(hints):
        renamer.apply(hint)
    renamed = Renamed(
        steps=tuple(renamer.steps),
        changes=tuple(renamer.changes),
        schemas=tuple(renamer.old_schema.items()),
        tables=tuple((s, n, o) for (s, n), o in renamer.old_table.items()),
        columns=tuple((s, t, n, o) for (s, t, n), o in renamer.old_column.items()),
    )
    return renamer.target, renamed


def with_renames(plan: Plan, renamed: Renamed) -> Plan:
    """``plan`` after the rename steps, its data checks in the names they count under."""
    if not renamed.steps:
        return plan
    steps = [
        s.model_copy(update={"check": renamed.original(s.check)}) if s.check else s
        for s in plan.steps
    ]
    return plan.model_copy(
        update={
            "steps": (*renamed.steps, *steps),
            "changes": (*renamed.changes, *plan.changes),
        }
    )
