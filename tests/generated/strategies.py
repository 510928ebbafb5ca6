"""Hypothesis strategies for random schema pairs: a schema A and an edit of it, B (issue 14.3).

A schema is a small model (enums, sequences, tables with typed columns, defaults, NOT NULL,
identity and serial columns, primary/unique/check/foreign keys, indexes incl. partial and
expression ones, views and views of views, a partitioned table with partitions, a plpgsql
trigger function and its trigger) that renders itself as SQL text. An edit is a list of
changes applied to a copy (add/drop/rename-away tables and columns, type changes, defaults,
NOT NULL, identity, constraints, indexes, enum labels, sequences, views, partitions, the
function and its trigger). Whatever an edit leaves dangling (a view of a dropped column, a
check that no longer fits the column's new type, a default naming a dropped sequence) is left
out when rendering, so both sides are always valid schemas.

Names are quoted always and sometimes odd (capitals, a space, a double or single quote), and
unique across the relation namespace (a per-example counter), so no edit collides by chance.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

from hypothesis import strategies as st

# ---------------------------------------------------------------------------------------------
# SQL text helpers


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: type key -> (SQL type, category). Arrays are "<key>[]" of int, text and the enums.
SCALARS: dict[str, tuple[str, str]] = {
    "int": ("integer", "int"),
    "bigint": ("bigint", "int"),
    "numeric": ("numeric(12,2)", "num"),
    "numeric_wide": ("numeric(16,4)", "num"),
    "text": ("text", "text"),
    "varchar": ("varchar(20)", "text"),
    "varchar_wide": ("varchar(60)", "text"),
    "bool": ("boolean", "bool"),
    "date": ("date", "date"),
    "timestamptz": ("timestamptz", "ts"),
    "jsonb": ("jsonb", "json"),
    "uuid": ("uuid", "uuid"),
}

#: type changes an edit may make (old key -> new keys); "enum:" keys become text.
TYPE_CHANGES: dict[str, list[str]] = {
    "int": ["bigint", "numeric", "text"],
    "bigint": ["numeric_wide", "text"],
    "numeric": ["numeric_wide", "text"],
    "varchar": ["varchar_wide", "text"],
    "varchar_wide": ["text"],
    "text": ["varchar_wide"],
    "bool": ["text"],
    "date": ["timestamptz", "text"],
    "timestamptz": ["date", "text"],
    "int[]": ["bigint[]", "text[]"],
    "text[]": ["varchar[]"],
    "jsonb": ["text"],
    "uuid": ["text"],
}


@dataclass
class Enum:
    name: str
    labels: list[str]


@dataclass
class Sequence:
    name: str
    start: int = 1
    increment: int = 1


@dataclass
class Column:
    name: str
    type: str  # a SCALARS key, "enum:<name>", "<key>[]" or "enum:<name>[]"
    default: int | None = None  # a variant rendered for the current type, or None
    sequence: str | None = None  # default nextval(sequence) (int columns)
    not_null: bool = False
    identity: str | None = None  # "ALWAYS" | "BY DEFAULT"
    serial: bool = False


@dataclass
class Index:
    name: str
    columns: list[str]
    unique: bool = False
    where: bool = False  # partial: WHERE <first column> IS NOT NULL
    expression: bool = False  # on an expression of the first column


@dataclass
class Check:
    name: str
    column: str


@dataclass
class ForeignKey:
    name: str
    column: str
    table: str
    ref: str
    on_delete: str = ""


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: tuple[str, list[str]] | None = None
    uniques: list[tuple[str, list[str]]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class View:
    name: str
    base: str  # a table or a view
    columns: list[str]
    where: bool = False


@dataclass
class Partitioned:
    name: str
    partitions: list[int]  # years
    extra: bool = False  # an extra column "note"
    index: str | None = None


@dataclass
class Trigger:
    function: str
    name: str
    table: str
    column: str  # the function sets NEW.<column> where it is NULL
    events: str = "INSERT"
    body_variant: int = 0


@dataclass
class Schema:
    enums: list[Enum] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    partitioned: Partitioned | None = None
    trigger: Trigger | None = None

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def enum(self, name: str) -> Enum | None:
        return next((e for e in self.enums if e.name == name), None)


# ---------------------------------------------------------------------------------------------
# Types, defaults, checks, rendered for the column's current type


def _base(schema: Schema, key: str) -> tuple[str, str, Enum | None] | None:
    """(SQL type, category, enum) of a non-array type key, None if its enum is gone."""
    if key.startswith("enum:"):
        enum = schema.enum(key[5:])
        return (q(enum.name), "enum", enum) if enum else None
    sql_type, category = SCALARS[key]
    return sql_type, category, None


def type_sql(schema: Schema, column: Column) -> str | None:
    array = column.type.endswith("[]")
    base = _base(schema, column.type.removesuffix("[]"))
    if base is None:
        return None
    if column.serial and not array and base[1] == "int":
        return "bigserial" if column.type == "bigint" else "serial"
    return base[0] + ("[]" if array else "")


def category(schema: Schema, column: Column) -> str | None:
    if column.type.endswith("[]"):
        return "array"
    base = _base(schema, column.type)
    return base[1] if base else None


DEFAULTS: dict[str, list[str]] = {
    "int": ["0", "42"],
    "num": ["0", "1.5"],
    "text": ["'x'", "'it''s'"],
    "bool": ["true", "false"],
    "date": ["CURRENT_DATE", "'2024-01-01'"],
    "ts": ["now()", "'2024-01-01 00:00:00+00'"],
    "json": ["'{}'::jsonb", "'[1]'::jsonb"],
    "uuid": ["gen_random_uuid()", "'00000000-0000-0000-0000-0000000000aa'"],
    "array": ["'{}'", "'{}'"],
}


def default_sql(schema: Schema, column: Column) -> str | None:
    if column.identity or column.serial:
        return None
    if column.sequence is not None:
        if category(schema, column) != "int" or not any(
            s.name == column.sequence for s in schema.sequences
        ):
            return None
        return f"nextval({lit(q(column.sequence))}::regclass)"
    if column.default is None:
        return None
    cat = category(schema, column)
    if cat == "enum":
        base = _base(schema, column.type)
        assert base is not None and base[2] is not None
        labels = base[2].labels
        return lit(labels[column.default % len(labels)])
    if cat is None or cat not in DEFAULTS:
        return None
    return DEFAULTS[cat][column.default % 2]


CHECKS: dict[str, str] = {
    "int": "{c} > -1000",
    "num": "{c} >= 0",
    "text": "{c} <> ''",
    "date": "{c} >= '2000-01-01'",
    "ts": "{c} >= '2000-01-01 00:00:00+00'",
    "bool": "{c} IS NOT NULL OR {c} IS NULL",
}


def check_sql(schema: Schema, table: Table, check: Check) -> str | None:
    column = table.column(check.column)
    cat = category(schema, column) if column else None
    if cat not in CHECKS:
        return None
    return CHECKS[cat].format(c=q(check.column))


INDEXABLE = {"int", "num", "text", "bool", "date", "ts", "uuid", "enum"}


def index_ok(schema: Schema, table: Table, index: Index) -> bool:
    columns = [table.column(c) for c in index.columns]
    if any(c is None for c in columns) or len(set(index.columns)) != len(index.columns):
        return False
    cats = [category(schema, c) for c in columns if c is not None]
    if any(cat not in INDEXABLE for cat in cats):
        return False
    return not (index.expression and cats[0] != "text")


# ---------------------------------------------------------------------------------------------
# Rendering: what is valid is written, what dangles is left out


def _keys_ok(schema: Schema, table: Table, columns: list[str]) -> bool:
    found = [table.column(c) for c in columns]
    return (
        bool(columns)
        and len(set(columns)) == len(columns)
        and all(c is not None and category(schema, c) in INDEXABLE for c in found)
    )


def render(schema: Schema) -> str:
    out: list[str] = []
    for enum in schema.enums:
        labels = ", ".join(lit(label) for label in enum.labels)
        out.append(f"CREATE TYPE {q(enum.name)} AS ENUM ({labels});")
    for seq in schema.sequences:
        out.append(f"CREATE SEQUENCE {q(seq.name)} START {seq.start} INCREMENT {seq.increment};")
    unique_keys: dict[str, list[list[str]]] = {}  # table -> single-column keys rendered
    rendered_tables: dict[str, Table] = {}
    for table in schema.tables:
        lines = []
        for column in table.columns:
            typ = type_sql(schema, column)
            if typ is None:
                continue
            line = f"    {q(column.name)} {typ}"
            default = default_sql(schema, column)
            if default is not None:
                line += f" DEFAULT {default}"
            identity = column.identity and category(schema, column) == "int"
            if identity and not column.serial:
                line += f" GENERATED {column.identity} AS IDENTITY"
            if column.not_null or identity:
                line += " NOT NULL"
            lines.append(line)
        live = Table(table.name, [c for c in table.columns if type_sql(schema, c) is not None])
        keys: list[list[str]] = []
        if table.primary_key and _keys_ok(schema, live, table.primary_key[1]):
            name, cols = table.primary_key
            lines.append(f"    CONSTRAINT {q(name)} PRIMARY KEY ({', '.join(q(c) for c in cols)})")
            keys.append(cols)
        for name, cols in table.uniques:
            if _keys_ok(schema, live, cols):
                lines.append(f"    CONSTRAINT {q(name)} UNIQUE ({', '.join(q(c) for c in cols)})")
                keys.append(cols)
        for check in table.checks:
            expr = check_sql(schema, live, check)
            if expr is not None:
                lines.append(f"    CONSTRAINT {q(check.name)} CHECK ({expr})")
        out.append(f"CREATE TABLE {q(table.name)} (\n" + ",\n".join(lines) + "\n);")
        unique_keys[table.name] = [k for k in keys if len(k) == 1]
        rendered_tables[table.name] = live
    for table in schema.tables:
        live = rendered_tables[table.name]
        for fk in table.foreign_keys:
            parent = rendered_tables.get(fk.table)
            child_col = live.column(fk.column)
            if parent is None or child_col is None or [fk.ref] not in unique_keys[fk.table]:
                continue
            ref_col = parent.column(fk.ref)
            assert ref_col is not None
            if category(schema, child_col) != "int" or category(schema, ref_col) != "int":
                continue
            out.append(
                f"ALTER TABLE {q(table.name)} ADD CONSTRAINT {q(fk.name)} FOREIGN KEY "
                f"({q(fk.column)}) REFERENCES {q(fk.table)} ({q(fk.ref)}){fk.on_delete};"
            )
        for index in table.indexes:
            if not index_ok(schema, live, index):
                continue
            first = q(index.columns[0])
            if index.expression:
                keys_sql = f"(lower({first}))"
            else:
                keys_sql = ", ".join(q(c) for c in index.columns)
            where = f" WHERE {first} IS NOT NULL" if index.where else ""
            unique = "UNIQUE " if index.unique else ""
            out.append(
                f"CREATE {unique}INDEX {q(index.name)} ON {q(table.name)} ({keys_sql}){where};"
            )
    if schema.partitioned:
        p = schema.partitioned
        note = ",\n    note text DEFAULT 'n'" if p.extra else ""
        out.append(
            f"CREATE TABLE {q(p.name)} (\n    id integer NOT NULL,\n    created date NOT NULL"
            f"{note},\n    PRIMARY KEY (id, created)\n) PARTITION BY RANGE (created);"
        )
        for year in p.partitions:
            out.append(
                f"CREATE TABLE {q(f'{p.name}_{year}')} PARTITION OF {q(p.name)} "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01');"
            )
        if p.index:
            out.append(f"CREATE INDEX {q(p.index)} ON {q(p.name)} (created);")
    view_columns = {n: [c.name for c in t.columns] for n, t in rendered_tables.items()}
    for view in schema.views:
        available = view_columns.get(view.base)
        if available is None or not view.columns or any(c not in available for c in view.columns):
            continue
        cols = ", ".join(q(c) for c in view.columns)
        where = f" WHERE {q(view.columns[0])} IS NOT NULL" if view.where else ""
        out.append(f"CREATE VIEW {q(view.name)} AS SELECT {cols} FROM {q(view.base)}{where};")
        view_columns[view.name] = list(view.columns)
    trig = schema.trigger
    if trig is not None:
        table = rendered_tables.get(trig.table)
        column = table.column(trig.column) if table else None
        if table is not None and column is not None and category(schema, column) == "text":
            value = ["'from trigger'", "'set by ' || TG_OP"][trig.body_variant % 2]
            out.append(
                f"CREATE FUNCTION {q(trig.function)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n    IF NEW.{q(trig.column)} IS NULL THEN\n"
                f"        NEW.{q(trig.column)} := {value};\n    END IF;\n    RETURN NEW;\nEND\n$$;"
            )
            out.append(
                f"CREATE TRIGGER {q(trig.name)} BEFORE {trig.events} ON {q(trig.table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {q(trig.function)}();"
            )
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Strategies


class Names:
    """Unique names per example; some of them odd (capitals, a space, a quote)."""

    def __init__(self) -> None:
        self.counter = itertools.count()

    def draw(self, draw: st.DrawFn, kind: str) -> str:
        n = next(self.counter)
        style = draw(st.sampled_from(["plain", "plain", "plain", "Caps", "space", "dq", "sq"]))
        return {
            "plain": f"{kind}{n}",
            "Caps": f"{kind.capitalize()}{n}",
            "space": f"{kind} {n}",
            "dq": f'{kind}"{n}',
            "sq": f"{kind}'{n}",
        }[style]


COLUMN_TYPES = [*SCALARS, "int[]", "text[]"]


@st.composite
def columns(draw: st.DrawFn, names: Names, enums: list[Enum]) -> Column:
    keys = COLUMN_TYPES + [f"enum:{e.name}" for e in enums] + [f"enum:{e.name}[]" for e in enums]
    key = draw(st.sampled_from(keys))
    column = Column(draw_name(draw, names, "col"), key)
    column.default = draw(st.sampled_from([None, None, 0, 1]))
    column.not_null = draw(st.booleans()) and column.default is not None
    return column


def draw_name(draw: st.DrawFn, names: Names, kind: str) -> str:
    return names.draw(draw, kind)


@st.composite
def tables(draw: st.DrawFn, names: Names, schema: Schema) -> Table:
    name = draw_name(draw, names, "tab")
    key_kind = draw(st.sampled_from(["identity", "serial", "plain", "none"]))
    cols: list[Column] = []
    table = Table(name, cols)
    if key_kind != "none":
        key = Column("id", draw(st.sampled_from(["int", "bigint"])), not_null=True)
        if key_kind == "identity":
            key.identity = draw(st.sampled_from(["ALWAYS", "BY DEFAULT"]))
        elif key_kind == "serial":
            key.serial = True
        elif schema.sequences and draw(st.booleans()):
            key.sequence = draw(st.sampled_from(schema.sequences)).name
        cols.append(key)
        table.primary_key = (draw_name(draw, names, "pk"), ["id"])
    cols.extend(draw(st.lists(columns(names, schema.enums), min_size=1, max_size=4)))
    plain = [c.name for c in cols if category(schema, c) in INDEXABLE]
    if plain and draw(st.booleans()):
        table.uniques.append((draw_name(draw, names, "uq"), [draw(st.sampled_from(plain))]))
    if draw(st.booleans()):
        table.checks.append(Check(draw_name(draw, names, "ck"), draw(st.sampled_from(cols)).name))
    for _ in range(draw(st.integers(0, 2))):
        if plain:
            table.indexes.append(draw(indexes(names, plain)))
    return table


@st.composite
def indexes(draw: st.DrawFn, names: Names, candidates: list[str]) -> Index:
    cols = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
    return Index(
        draw_name(draw, names, "ix"),
        cols,
        unique=draw(st.booleans()),
        where=draw(st.booleans()),
        expression=draw(st.booleans()),
    )


@st.composite
def schemas(draw: st.DrawFn, names: Names) -> Schema:
    schema = Schema()
    for _ in range(draw(st.integers(0, 2))):
        n = draw(st.integers(1, 3))
        enum = Enum(draw_name(draw, names, "enum"), [])
        enum.labels = [draw_name(draw, names, "l") for _ in range(n)]
        schema.enums.append(enum)
    for _ in range(draw(st.integers(0, 1))):
        schema.sequences.append(
            Sequence(
                draw_name(draw, names, "seq"), draw(st.integers(1, 100)), draw(st.integers(1, 5))
            )
        )
    for _ in range(draw(st.integers(1, 3))):
        schema.tables.append(draw(tables(names, schema)))
    for table in schema.tables:
        if draw(st.booleans()):
            draw_foreign_key(draw, names, schema, table)
    for _ in range(draw(st.integers(0, 2))):
        draw_view(draw, names, schema)
    if draw(st.booleans()):
        schema.partitioned = Partitioned(
            draw_name(draw, names, "part"),
            sorted(draw(st.sets(st.sampled_from([2023, 2024, 2025]), min_size=1))),
            extra=draw(st.booleans()),
            index=draw_name(draw, names, "pix") if draw(st.booleans()) else None,
        )
    if draw(st.booleans()):
        draw_trigger(draw, names, schema)
    return schema


def draw_foreign_key(draw: st.DrawFn, names: Names, schema: Schema, table: Table) -> None:
    parents = [t for t in schema.tables if t.primary_key]
    if not parents:
        return
    parent = draw(st.sampled_from(parents))
    assert parent.primary_key is not None
    ref = parent.primary_key[1][0]
    ref_col = parent.column(ref)
    assert ref_col is not None
    column = Column(draw_name(draw, names, "ref"), "bigint" if ref_col.type == "bigint" else "int")
    table.columns.append(column)
    on_delete = draw(st.sampled_from(["", " ON DELETE CASCADE", " ON DELETE SET NULL"]))
    table.foreign_keys.append(
        ForeignKey(draw_name(draw, names, "fk"), column.name, parent.name, ref, on_delete)
    )


def draw_view(draw: st.DrawFn, names: Names, schema: Schema) -> None:
    bases: list[tuple[str, list[str]]] = [
        (t.name, [c.name for c in t.columns]) for t in schema.tables
    ]
    bases += [(v.name, v.columns) for v in schema.views]
    base, cols = draw(st.sampled_from(bases))
    chosen = draw(st.lists(st.sampled_from(cols), min_size=1, max_size=3, unique=True))
    schema.views.append(View(draw_name(draw, names, "view"), base, chosen, draw(st.booleans())))


def draw_trigger(draw: st.DrawFn, names: Names, schema: Schema) -> None:
    options = [
        (t, c) for t in schema.tables for c in t.columns if c.type in ("text", "varchar_wide")
    ]
    if not options:
        return
    table, column = draw(st.sampled_from(options))
    schema.trigger = Trigger(
        draw_name(draw, names, "fn"),
        draw_name(draw, names, "trg"),
        table.name,
        column.name,
        draw(st.sampled_from(["INSERT", "INSERT OR UPDATE"])),
        draw(st.integers(0, 1)),
    )


# ---------------------------------------------------------------------------------------------
# Edits: each takes the schema being edited and changes it in place (B is a second valid schema)

EDITS = [
    "add_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "rename_column",
    "alter_type",
    "change_default",
    "toggle_not_null",
    "toggle_identity",
    "add_constraint",
    "drop_constraint",
    "add_index",
    "drop_index",
    "change_index",
    "add_enum_value",
    "drop_enum_value",
    "add_enum",
    "change_sequence",
    "drop_sequence",
    "add_view",
    "drop_view",
    "change_view",
    "partition_edit",
    "trigger_edit",
]


def _pick_table(draw: st.DrawFn, schema: Schema) -> Table | None:
    return draw(st.sampled_from(schema.tables)) if schema.tables else None


def _pick_column(draw: st.DrawFn, schema: Schema) -> tuple[Table, Column] | None:
    pairs = [(t, c) for t in schema.tables for c in t.columns]
    return draw(st.sampled_from(pairs)) if pairs else None


def apply_edit(draw: st.DrawFn, names: Names, schema: Schema, edit: str) -> None:
    if edit == "add_table":
        schema.tables.append(draw(tables(names, schema)))
    elif edit == "drop_table" and len(schema.tables) > 1:
        table = _pick_table(draw, schema)
        schema.tables.remove(table)  # type: ignore[arg-type]
    elif edit == "rename_table" and schema.tables:
        table = _pick_table(draw, schema)
        assert table is not None
        table.name = draw_name(draw, names, "tab")
    elif edit == "add_column" and schema.tables:
        table = _pick_table(draw, schema)
        assert table is not None
        table.columns.append(draw(columns(names, schema.enums)))
    elif edit in ("drop_column", "rename_column"):
        pick = _pick_column(draw, schema)
        if pick and len(pick[0].columns) > 1:
            table, column = pick
            if edit == "drop_column":
                table.columns.remove(column)
            else:
                column.name = draw_name(draw, names, "col")
    elif edit == "alter_type":
        pairs = [(t, c) for t in schema.tables for c in t.columns if c.type in TYPE_CHANGES]
        pairs += [(t, c) for t in schema.tables for c in t.columns if c.type.startswith("enum:")]
        if pairs:
            table, column = draw(st.sampled_from(pairs))
            if column.type.startswith("enum:"):
                column.type = "text[]" if column.type.endswith("[]") else "text"
            elif column.identity or column.serial or column.sequence:
                # a counter's column stays an integer (numeric -> identity would round the
                # values tests/values.py cannot compare: the source fills the column itself)
                column.type = "bigint"
            else:
                column.type = draw(st.sampled_from(TYPE_CHANGES[column.type]))
                if column.type.endswith("[]") and column.type.startswith("varchar"):
                    column.type = "text[]"
    elif edit == "change_default":
        pick = _pick_column(draw, schema)
        if pick:
            column = pick[1]
            column.default = draw(st.sampled_from([None, 0, 1]))
            column.sequence = None
            if column.default is None:
                column.not_null = column.not_null and (column.identity is not None or column.serial)
    elif edit == "toggle_not_null":
        pick = _pick_column(draw, schema)
        if pick and not pick[1].identity and not pick[1].serial:
            column = pick[1]
            column.not_null = not column.not_null and column.default is not None
    elif edit == "toggle_identity":
        pick = _pick_column(draw, schema)
        if pick and pick[1].type in ("int", "bigint") and pick[1].not_null and not pick[1].serial:
            column = pick[1]
            column.identity = draw(st.sampled_from([None, "ALWAYS", "BY DEFAULT"]))
            column.sequence = None
            if column.identity:
                column.default = None
    elif edit == "add_constraint" and schema.tables:
        table = _pick_table(draw, schema)
        assert table is not None
        what = draw(st.sampled_from(["unique", "check", "fk", "pk"]))
        plain = [c.name for c in table.columns if category(schema, c) in INDEXABLE]
        if what == "unique" and plain:
            table.uniques.append((draw_name(draw, names, "uq"), [draw(st.sampled_from(plain))]))
        elif what == "check":
            table.checks.append(
                Check(draw_name(draw, names, "ck"), draw(st.sampled_from(table.columns)).name)
            )
        elif what == "fk":
            draw_foreign_key(draw, names, schema, table)
        elif what == "pk" and table.primary_key is None and plain:
            # a key on a column that may hold NULL: NOT NULL comes with it
            name = draw(st.sampled_from(plain))
            column = table.column(name)
            assert column is not None
            column.not_null = True
            if column.default is None and not column.identity and not column.serial:
                column.default = 0
            table.primary_key = (draw_name(draw, names, "pk"), [name])
    elif edit == "drop_constraint" and schema.tables:
        table = _pick_table(draw, schema)
        assert table is not None
        what = draw(st.sampled_from(["unique", "check", "fk", "pk"]))
        if what == "unique" and table.uniques:
            table.uniques.pop(draw(st.integers(0, len(table.uniques) - 1)))
        elif what == "check" and table.checks:
            table.checks.pop(draw(st.integers(0, len(table.checks) - 1)))
        elif what == "fk" and table.foreign_keys:
            table.foreign_keys.pop(draw(st.integers(0, len(table.foreign_keys) - 1)))
        elif what == "pk":
            table.primary_key = None
    elif edit == "add_index" and schema.tables:
        table = _pick_table(draw, schema)
        assert table is not None
        plain = [c.name for c in table.columns if category(schema, c) in INDEXABLE]
        if plain:
            table.indexes.append(draw(indexes(names, plain)))
    elif edit in ("drop_index", "change_index"):
        pairs = [(t, i) for t in schema.tables for i in t.indexes]
        if pairs:
            table, index = draw(st.sampled_from(pairs))
            if edit == "drop_index":
                table.indexes.remove(index)
            else:
                change = draw(st.sampled_from(["unique", "where", "expression"]))
                setattr(index, change, not getattr(index, change))
    elif edit == "add_enum_value" and schema.enums:
        enum = draw(st.sampled_from(schema.enums))
        at = draw(st.integers(0, len(enum.labels)))
        enum.labels.insert(at, draw_name(draw, names, "l"))
    elif edit == "drop_enum_value" and schema.enums:
        enum = draw(st.sampled_from(schema.enums))
        if len(enum.labels) > 1:
            enum.labels.pop(draw(st.integers(0, len(enum.labels) - 1)))
    elif edit == "add_enum":
        enum = Enum(draw_name(draw, names, "enum"), [draw_name(draw, names, "l")])
        schema.enums.append(enum)
        if schema.tables:
            table = _pick_table(draw, schema)
            assert table is not None
            table.columns.append(Column(draw_name(draw, names, "col"), f"enum:{enum.name}"))
    elif edit == "change_sequence" and schema.sequences:
        seq = draw(st.sampled_from(schema.sequences))
        seq.increment = draw(st.integers(1, 10))
        seq.start = draw(st.integers(1, 100))
    elif edit == "drop_sequence" and schema.sequences:
        schema.sequences.pop()
    elif edit == "add_view" and schema.tables:
        draw_view(draw, names, schema)
    elif edit == "drop_view" and schema.views:
        schema.views.pop(draw(st.integers(0, len(schema.views) - 1)))
    elif edit == "change_view" and schema.views:
        view = draw(st.sampled_from(schema.views))
        view.where = not view.where
    elif edit == "partition_edit":
        p = schema.partitioned
        if p is None:
            schema.partitioned = Partitioned(draw_name(draw, names, "part"), [2024])
        else:
            change = draw(st.sampled_from(["add", "drop", "extra", "index"]))
            if change == "add":
                p.partitions = sorted(
                    {*p.partitions, draw(st.sampled_from([2022, 2023, 2024, 2025, 2026]))}
                )
            elif change == "drop" and len(p.partitions) > 1:
                p.partitions.pop(draw(st.integers(0, len(p.partitions) - 1)))
            elif change == "extra":
                p.extra = not p.extra
            elif change == "index":
                p.index = None if p.index else draw_name(draw, names, "pix")
    elif edit == "trigger_edit":
        trig = schema.trigger
        if trig is None:
            draw_trigger(draw, names, schema)
        else:
            change = draw(st.sampled_from(["body", "events", "drop"]))
            if change == "body":
                trig.body_variant += 1
            elif change == "events":
                trig.events = "INSERT" if trig.events != "INSERT" else "INSERT OR UPDATE"
            else:
                schema.trigger = None


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    edits: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Pair(edits={self.edits})\n-- a.sql\n{self.a}-- b.sql\n{self.b}"


@st.composite
def schema_pairs(draw: st.DrawFn) -> Pair:
    """A random schema A and B, an edit of it (1 to 4 changes), as SQL text."""
    names = Names()
    a = draw(schemas(names))
    b = copy.deepcopy(a)
    edits = draw(st.lists(st.sampled_from(EDITS), min_size=1, max_size=4))
    for edit in edits:
        apply_edit(draw, names, b, edit)
    return Pair(render(a), render(b), tuple(edits))
