"""Values checked across an apply: rows generated per column type before, every kept value after.

A convergence test that only compares schemas passes a script that wipes a column (an enum
rebuilt ``USING NULL``, a truncating cast): DDP promises to keep every value, so the tests load
a few rows into the target's tables before the apply (``load_rows``), read them back with
``capture`` before and after, and ``lost_values`` names every value that did not survive.
Tables and columns are followed by OID and attribute number, so a tombstoned table or column
(renamed ``*_dropped_<ts>``) is compared under its new name; a table replaced by a new one of
the same name (a partitioning change) is followed by name. A column whose type changed is
compared through the old type (the new value cast back, as text), so ``1`` -> ``1.00`` is kept.

Written without DDP's code; every query runs with ``search_path = ''`` and qualified names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

EQ = "OPERATOR(pg_catalog.=)"

#: Rows generated per table: enough for unique values and a NULL-free row of every column.
ROWS = 3

COLUMNS = f"""
SELECT c.oid::pg_catalog.int8, n.nspname, c.relname, c.relkind, a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
       a.attgenerated, bt.typcategory, bt.typname, a.atttypmod,
       (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid {EQ} bt.oid),
       et.typcategory, et.typname,
       (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid {EQ} et.oid)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid {EQ} c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid {EQ} c.oid
JOIN pg_catalog.pg_type t ON t.oid {EQ} a.atttypid
JOIN pg_catalog.pg_type bt ON bt.oid {EQ} (CASE WHEN t.typtype {EQ} 'd'
                                               THEN t.typbasetype ELSE t.oid END)
LEFT JOIN pg_catalog.pg_type et ON et.oid {EQ} bt.typelem AND bt.typcategory {EQ} 'A'
WHERE c.relkind {EQ} ANY (ARRAY['r', 'p']::pg_catalog."char"[])
  AND n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::pg_catalog.name[])
  AND n.nspname::pg_catalog.text OPERATOR(pg_catalog.!~) '^pg_(toast|temp_)'
  AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid {EQ} c.oid
                  AND d.classid {EQ} 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND d.deptype {EQ} 'e')
ORDER BY n.nspname, c.relname, a.attnum
"""


#: Single-column foreign keys: (table OID, column) -> (referenced table, referenced column).
FOREIGN_KEYS = f"""
SELECT co.conrelid::pg_catalog.int8, a.attname, rn.nspname, rc.relname, ra.attname
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_attribute a ON a.attrelid {EQ} co.conrelid AND a.attnum {EQ} co.conkey[1]
JOIN pg_catalog.pg_class rc ON rc.oid {EQ} co.confrelid
JOIN pg_catalog.pg_namespace rn ON rn.oid {EQ} rc.relnamespace
JOIN pg_catalog.pg_attribute ra ON ra.attrelid {EQ} co.confrelid AND ra.attnum {EQ} co.confkey[1]
WHERE co.contype {EQ} 'f' AND pg_catalog.cardinality(co.conkey) {EQ} 1
"""


#: Every partition's bound and the key columns of the parent it is bound to, a row per level
#: from the leaf up (a sub-partition's row must fit its parent's bound too).
PARTITION_BOUNDS = f"""
SELECT leaf.oid::pg_catalog.int8, pg_catalog.pg_get_expr(c.relpartbound, c.oid),
       (SELECT pg_catalog.array_agg(pa.attname ORDER BY k.ord)
          FROM pg_catalog.unnest(pt.partattrs::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_catalog.pg_attribute pa
            ON pa.attrelid {EQ} pt.partrelid AND pa.attnum {EQ} k.attnum),
       0 {EQ} ANY (pt.partattrs::pg_catalog.int2[])
FROM pg_catalog.pg_class leaf
CROSS JOIN LATERAL pg_catalog.pg_partition_ancestors(leaf.oid) AS anc(relid)
JOIN pg_catalog.pg_class c ON c.oid {EQ} anc.relid AND c.relispartition
JOIN pg_catalog.pg_inherits i ON i.inhrelid {EQ} c.oid
JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid {EQ} i.inhparent
WHERE leaf.relispartition
"""

#: String literals of the CHECK constraints on one column (its table's and its domain's): the
#: values such a check admits are most often among them (``status IN ('DF', 'PB')``).
CHECK_LITERALS = f"""
SELECT a.attrelid::pg_catalog.int8, a.attname, pg_catalog.pg_get_constraintdef(co.oid)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_constraint co
  ON co.contype {EQ} 'c'
 AND ((co.conrelid {EQ} a.attrelid AND co.conkey {EQ} ARRAY[a.attnum]::pg_catalog.int2[])
      OR co.contypid {EQ} a.atttypid)
WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
"""


@contextmanager
def _own_path(conn: psycopg.Connection) -> Iterator[None]:
    """A transaction whose search_path is empty (the caller's session keeps its own), and
    whose deferred constraints and constraint triggers fire at once, in the savepoint of the
    row that set them off (not at the commit, where one bad row would undo all)."""
    with conn.transaction():
        conn.execute("SELECT pg_catalog.set_config('search_path', '', true)")
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield


@dataclass
class Column:
    attnum: int
    name: str
    type: str  # format_type, qualified under the empty search_path
    not_null: bool = False
    skip: bool = False  # identity ALWAYS or generated: the server fills it
    generated: bool = False  # computed from the row, not a value anyone stored
    category: str = ""
    typname: str = ""
    typmod: int = -1
    labels: list[str] | None = None
    element: tuple[str, str, list[str] | None] | None = None  # an array's element
    #: Values to try where the generic one is refused: a partition's bound, a check's literals.
    hints: list[str] = field(default_factory=list)
    #: A value the row must hold (a partition key: only the bound's value fits).
    fixed: str | None = None


@dataclass
class Table:
    oid: int
    schema: str
    name: str
    kind: str
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[str | None, ...]] = field(default_factory=list)

    @property
    def ref(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.name)


def _tables(conn: psycopg.Connection) -> list[Table]:
    tables: dict[int, Table] = {}
    for row in conn.execute(COLUMNS.encode()).fetchall():
        oid, schema, name, kind, attnum, attname, typ, not_null, identity, generated = row[:10]
        category, typname, typmod, labels, ecat, ename, elabels = row[10:]
        table = tables.setdefault(oid, Table(oid, schema, name, kind))
        table.columns.append(
            Column(
                attnum,
                attname,
                typ,
                not_null,
                identity == "a" or generated != "",
                generated != "",
                category,
                typname,
                typmod,
                labels,
                (ecat, ename, elabels) if ecat else None,
            )
        )
    _add_hints(conn, tables)
    return list(tables.values())


def _add_hints(conn: psycopg.Connection, tables: dict[int, Table]) -> None:
    """Fix each partition's key columns to a value its bound (and its ancestors') admits, and
    give every column the literals of its checks to try."""
    by_name = {oid: {c.name: c for c in t.columns} for oid, t in tables.items()}
    for oid, bound, keys, expression_key in conn.execute(PARTITION_BOUNDS.encode()).fetchall():
        columns = by_name.get(oid)
        if columns is None or expression_key or not keys:
            continue
        for name, value in zip(keys, _bound_values(bound), strict=False):
            if name in columns and value is not None:
                columns[name].fixed = value
    for oid, name, definition in conn.execute(CHECK_LITERALS.encode()).fetchall():
        column = by_name.get(oid, {}).get(name)
        if column is not None:
            column.hints += [v for v in _literals(definition) if v not in column.hints]


def _literals(text: str) -> list[str]:
    """The string literals of a deparsed expression, unquoted."""
    return [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", text)]


def _bound_values(bound: str) -> list[str | None]:
    """A value per key column that a partition bound admits: a range's lower bound, a list's
    first value; None where none is known (MINVALUE, a hash or default partition)."""
    found = re.match(r"FOR VALUES (?:FROM \((.*)\) TO \(.*\)|IN \((.*)\))$", bound)
    if found is None:
        return []
    if found.group(2) is not None:
        items = _split_items(found.group(2))[:1]  # a list partition keys on one column
    else:
        items = _split_items(found.group(1))
    values: list[str | None] = []
    for item in items:
        item = re.sub(r"::[\w .\"]+(\[\])?$", "", item.strip())
        if item in ("MINVALUE", "MAXVALUE", "NULL"):
            values.append(None)
        elif item.startswith("'"):
            values.append(_literals(item)[0])
        else:
            values.append(item)
    return values


def _split_items(text: str) -> list[str]:
    """Comma-separated items, commas inside quotes left alone."""
    return [m.group(0) for m in re.finditer(r"(?:'(?:[^']|'')*'|[^,'])+", text)]


def _scalar(category: str, typname: str, labels: list[str] | None, i: int) -> str | None:
    """Text of a value of the type for row ``i``, or None where no generic value fits."""
    n = i + 1
    if category == "E" and labels:
        return labels[i % len(labels)]
    if category == "N":
        return str(n) if typname in ("int2", "int4", "int8", "oid") else f"{n}.5"
    if category == "S":
        return f"v{n}"
    if category == "B":
        return "true" if i % 2 else "false"
    if category == "D":
        return {
            "date": f"2024-01-0{n}",
            "time": f"10:30:0{n}.25",
            "timetz": f"10:30:0{n}.25+02",
            "timestamp": f"2024-01-0{n} 10:30:00.25",
            "timestamptz": f"2024-01-0{n} 10:30:00.25+00",
        }.get(typname)
    if category == "T":
        return f"{n} days 02:00:00"
    if category == "R":
        value = _range(typname.removesuffix("multirange").removesuffix("range"), n)
        return "{" + value + "}" if typname.endswith("multirange") else value
    if category == "I":
        return f"10.0.0.{n}"
    if category == "V":
        return "1" * n
    if typname == "uuid":
        return f"00000000-0000-0000-0000-00000000000{n}"
    if typname in ("json", "jsonb"):
        return f'{{"k": {n}}}'
    if typname == "bytea":
        return f"\\x0{n}"
    return None


def _range(subtype: str, n: int) -> str:
    """A range over ``[n, n + 1)``: rows' ranges do not overlap (exclusion constraints)."""
    bounds = {
        "int4": (f"{n}", f"{n + 1}"),
        "int8": (f"{n}", f"{n + 1}"),
        "num": (f"{n}.5", f"{n + 1}.5"),
        "date": (f"2024-01-0{n}", f"2024-01-0{n + 1}"),
        "ts": (f"2024-01-0{n} 10:00", f"2024-01-0{n + 1} 10:00"),
        "tstz": (f"2024-01-0{n} 10:00+00", f"2024-01-0{n + 1} 10:00+00"),
    }.get(subtype, (f"{n}", f"{n + 1}"))
    return f"[{bounds[0]},{bounds[1]})"


def _candidates(column: Column, i: int) -> list[str | None]:
    """The values to try in row ``i``: the generic one, then the column's hints (rotated, so
    that rows differ), then digits (a postal code as text, a number a check wants larger)."""
    if column.fixed is not None:
        return [column.fixed]
    first = _sample(column, i)
    turn = i % len(column.hints) if column.hints else 0
    hints = column.hints[turn:] + column.hints[:turn]
    digits = {"S": f"{10000 + i + 1}", "N": f"{100 + i + 1}"}.get(column.category)
    more = hints + [digits] if digits and not column.element else hints
    return [first] + [h for h in more if h != first]


def _sample(column: Column, i: int) -> str | None:
    if column.element:
        ecat, ename, elabels = column.element
        value = _scalar(ecat, ename, elabels, i)
        return None if value is None else '{"' + value.replace('"', '\\"') + '"}'
    value = _scalar(column.category, column.typname, column.labels, i)
    if value is not None and column.category == "S" and column.typmod > 4:
        value = value[: column.typmod - 4]  # char(n)/varchar(n): typmod is n + 4
    return value


class _Refused(Exception):
    """The source's twin of a row holds other values than the target's."""


def _insert(
    conn: psycopg.Connection, table: Table, values: dict[str, str | None]
) -> dict[str, str | None]:
    """Insert one row; return every stored value (defaults too) as text, by column name."""
    names = list(values)
    types = {c.name: c.type for c in table.columns}
    stored = [c.name for c in table.columns if not c.generated]
    returning = sql.SQL(", ").join(
        sql.SQL("CAST({} AS pg_catalog.text)").format(sql.Identifier(n)) for n in stored
    )
    if names:
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
            table.ref,
            sql.SQL(", ").join(sql.Identifier(n) for n in names),
            sql.SQL(", ").join(
                sql.SQL("CAST({} AS {})").format(sql.Literal(values[n]), sql.SQL(types[n]))
                for n in names
            ),
            returning,
        )
    else:
        query = sql.SQL("INSERT INTO {} DEFAULT VALUES RETURNING {}").format(
            table.ref, returning if stored else sql.SQL("1")
        )
    row = conn.execute(query).fetchone()
    return dict(zip(stored, row or (), strict=False))


def _try(
    conn: psycopg.Connection,
    table: Table,
    values: dict[str, str | None],
    source: psycopg.Connection | None,
    twin: Table | None,
) -> bool:
    """Insert the row into the target, and into the source's table of the same name where
    there is one; keep it only where both take it and store the same values (in the columns
    given: a column left to its default takes each side's own, which may be volatile)."""
    try:
        with conn.transaction():
            ours = _insert(conn, table, values)
            if source is not None and twin is not None:
                columns = {c.name for c in twin.columns if not c.skip}
                shared = {n: v for n, v in values.items() if n in columns}
                with source.transaction():
                    theirs = _insert(source, twin, shared)
                    if not _alike(conn, table, ours, theirs, list(shared)):
                        raise _Refused
    except (psycopg.Error, _Refused):
        return False
    return True


def _alike(
    conn: psycopg.Connection,
    table: Table,
    ours: dict[str, str | None],
    theirs: dict[str, str | None],
    names: list[str],
) -> bool:
    """Whether the source stored the same values as the target, read in the target's types
    (``char(20)`` pads what ``text`` does not; the text of a wider type is read back)."""
    differ = [n for n in names if ours[n] != theirs[n]]
    if not differ:
        return True
    if any(ours[n] is None or theirs[n] is None for n in differ):
        return False
    types = {c.name: c.type for c in table.columns}
    query = sql.SQL("SELECT {}").format(
        sql.SQL(", ").join(
            sql.SQL("CAST(CAST({} AS {}) AS pg_catalog.text)").format(
                sql.Literal(theirs[n]), sql.SQL(types[n])
            )
            for n in differ
        )
    )
    row = conn.execute(query).fetchone() or ()
    return all(ours[n] == value for n, value in zip(differ, row, strict=True))


def load_rows(
    conn: psycopg.Connection, rows: int = ROWS, source: psycopg.Connection | None = None
) -> int:
    """Insert up to ``rows`` generated rows into every user table; returns how many went in.

    A row that breaks a constraint is left out, tried again with NULL in its nullable columns,
    and in a second round (after the tables it references got theirs). With ``source``, a row
    goes in only where the source's table of the same name (if any) takes it too and stores
    the same values: these are the rows a sync must carry over unchanged. A row the source's
    schema refuses or would store otherwise (a new NOT NULL, a removed enum label, a narrower
    type) is what the data checks and hazards are for, not a convergence test.
    """
    with _own_path(conn):
        if source is None:
            return _load(conn, _tables(conn), rows, None, {})
        with _own_path(source):
            twins = {(t.schema, t.name): t for t in _tables(source)}
            return _load(conn, _tables(conn), rows, source, twins)


def _load(
    conn: psycopg.Connection,
    tables: list[Table],
    rows: int,
    source: psycopg.Connection | None,
    twins: dict[tuple[str, str], Table],
) -> int:
    added: Counter[int] = Counter()
    references = {
        (oid, column): (schema, table, ref)
        for oid, column, schema, table, ref in conn.execute(FOREIGN_KEYS.encode()).fetchall()
    }
    for _round in range(2):
        for table in tables:
            twin = twins.get((table.schema, table.name))
            for i in range(added[table.oid], rows):
                if any(
                    _try(conn, table, values, source, twin)
                    for values in _rows_to_try(conn, table, references, i)
                ):
                    added[table.oid] += 1
                else:
                    break
    return sum(added.values())


#: How many of a column's candidate values a row tries at the most.
VARIANTS = 4


def _rows_to_try(
    conn: psycopg.Connection,
    table: Table,
    references: dict[tuple[int, str], tuple[str, str, str]],
    i: int,
) -> Iterator[dict[str, str | None]]:
    """Row ``i`` in the ways worth trying: the k-th candidate of every column (its last where it
    has fewer), each in full and lean (NULL where a column may hold it, the server's default
    where it may not)."""
    candidates = {
        c.name: _castable_first(conn, c, _candidates(c, i)) for c in table.columns if not c.skip
    }
    for name in candidates:
        if (table.oid, name) in references:
            candidates[name] = [_referenced(conn, references[(table.oid, name)], i)]
    depth = min(VARIANTS, max((len(v) for v in candidates.values()), default=1))
    for k in range(depth):
        full = {n: v[min(k, len(v) - 1)] for n, v in candidates.items()}
        yield full
        yield {
            n: v if _not_null(table, n) else None
            for n, v in full.items()
            if v is not None or not _not_null(table, n)
        }


def _castable_first(
    conn: psycopg.Connection, column: Column, values: list[str | None]
) -> list[str | None]:
    """The ``values`` the column's type takes (the first where it takes none): a domain checks
    its constraints on the cast, so a postal code's digits stay and the regular expression
    they were guessed from goes."""
    if len(values) < 2:
        return values

    def takes(value: str | None) -> bool:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("SELECT CAST({} AS {})").format(
                        sql.Literal(value), sql.SQL(column.type)
                    )
                )
        except psycopg.Error:
            return False
        return True

    taken = [v for v in values if takes(v)]
    return taken or values[:1]


def _referenced(conn: psycopg.Connection, where: tuple[str, str, str], i: int) -> str | None:
    """The i-th value (in order) the referenced column holds, so that a foreign key finds it."""
    schema, table, column = where
    query = sql.SQL(
        "SELECT CAST({c} AS pg_catalog.text) FROM ONLY {t} WHERE {c} IS NOT NULL "
        "ORDER BY 1 OFFSET %s LIMIT 1"
    ).format(c=sql.Identifier(column), t=sql.Identifier(schema, table))
    row = conn.execute(query, (i,)).fetchone()
    return row[0] if row else None


def _not_null(table: Table, name: str) -> bool:
    return next(c.not_null for c in table.columns if c.name == name)


def capture(conn: psycopg.Connection) -> dict[int, Table]:
    """Every user table with its rows (each value as text), keyed by the table's OID.

    Rows are read from the tables that store them (``ONLY``, not through a partitioned parent
    or an inheritance parent), so each row is counted once."""
    with _own_path(conn):
        return _capture(conn)


def _capture(conn: psycopg.Connection) -> dict[int, Table]:
    tables = {t.oid: t for t in _tables(conn) if t.kind == "r"}
    for table in tables.values():
        table.columns = [c for c in table.columns if not c.generated]
        query = sql.SQL("SELECT {} FROM ONLY {}").format(
            sql.SQL(", ").join(
                sql.SQL("CAST({} AS pg_catalog.text)").format(sql.Identifier(c.name))
                for c in table.columns
            ),
            table.ref,
        )
        table.rows = [tuple(r) for r in conn.execute(query).fetchall()] if table.columns else []
    return tables


def lost_values(before: dict[int, Table], conn: psycopg.Connection) -> list[str]:
    """What ``before`` held that the database behind ``conn`` no longer holds, one line each."""
    with _own_path(conn):
        return _lost(before, _capture(conn), conn)


def _read_as_before(
    conn: psycopg.Connection, table: Table, old: list[Column], now: list[Column | None]
) -> list[tuple[str | None, ...]] | None:
    """The table's rows as text, each column read as its old type where the type changed:
    cast straight to it, else through text, else as the new type prints it."""
    for through_text, keep_new_type in ((False, False), (True, False), (False, True)):
        expressions: list[sql.Composable] = []
        for before, column in zip(old, now, strict=True):
            if column is None:
                expressions.append(sql.SQL("NULL"))
                continue
            value: sql.Composable = sql.Identifier(column.name)
            if column.type != before.type and not keep_new_type:
                if through_text:
                    value = sql.SQL("CAST({} AS pg_catalog.text)").format(value)
                value = sql.SQL("CAST({} AS {})").format(value, sql.SQL(before.type))
            expressions.append(sql.SQL("CAST({} AS pg_catalog.text)").format(value))
        query = sql.SQL("SELECT {} FROM ONLY {}").format(sql.SQL(", ").join(expressions), table.ref)
        try:
            with conn.transaction():
                return [tuple(r) for r in conn.execute(query).fetchall()]
        except psycopg.Error:
            continue
    return None


def _lost(before: dict[int, Table], after: dict[int, Table], conn: psycopg.Connection) -> list[str]:
    by_name = {(t.schema, t.name): t for t in after.values()}
    problems: list[str] = []
    for old in before.values():
        if not old.rows:
            continue
        new = after.get(old.oid) or by_name.get((old.schema, old.name))
        if new is None:
            problems.append(f"table {old.schema}.{old.name}: gone with {len(old.rows)} rows")
            continue
        same_table = new.oid == old.oid
        now: list[Column | None] = []
        for column in old.columns:
            match = next(
                (
                    c
                    for c in new.columns
                    if (c.attnum == column.attnum if same_table else c.name == column.name)
                ),
                None,
            )
            if match is None:
                problems.append(f"column {old.schema}.{old.name}.{column.name}: gone")
            now.append(match)
        rows = _read_as_before(conn, new, old.columns, now)
        if rows is None:
            problems.append(f"table {new.schema}.{new.name}: values unreadable as before")
            continue
        missing = Counter(old.rows) - Counter(rows)
        for row in sorted(missing, key=repr)[:5]:
            problems.append(
                f"table {old.schema}.{old.name} (now {new.name}): row {row} lost or changed"
            )
    return problems
