"""``ddp demo``: the whole sync on two example databases, with nothing installed but the wheel.

A newcomer has no two databases at hand. The demo starts the embedded PostgreSQL in a temporary
directory, creates ``dev`` and ``prod`` from the shop schemas shipped in ``ddp_engine/demo/``
(prod with data; dev with a column added and one gone, wider types, a new index, function and
trigger, a table dropped), and runs the same engine calls as ``ddp sync --apply``: compare, print
the summary and the script, apply in one transaction, compare again.

Then it proves the promise that matters most, that no data was lost: it fingerprints every
column of every prod table before the sync (row count, non-NULL count and a digest of the values
as text) and finds each again afterwards, under its old name or its ``*_dropped_*`` name. The
digest compares text, so a widened type (varchar(100) → varchar(255), numeric(8,2) →
numeric(12,2)) keeps the same values. The server is stopped and the directory removed on every
route out, Ctrl-C included (see :func:`ddp_engine.embedded.embedded_server`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import psycopg
from psycopg import sql

from ddp_engine.connect import connect
from ddp_engine.embedded import EmbeddedServer, create_database, embedded_server, load_sql
from ddp_engine.present import drifted_objects, summary
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, apply_and_verify, compare

__all__ = ["DEMO_DIR", "run"]

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SCHEMA = "public"

Echo = Callable[[str], None]


@dataclass(frozen=True)
class ColumnPrint:
    """What a column holds, independent of its name and of a widened type."""

    non_null: int
    digest: str


@dataclass(frozen=True)
class TablePrint:
    """A table's rows and the fingerprint of each of its columns, by column name."""

    rows: int
    columns: dict[str, ColumnPrint]


_TABLES = """
SELECT c.relname, pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
JOIN pg_catalog.pg_attribute a
  ON a.attrelid OPERATOR(pg_catalog.=) c.oid
 AND a.attnum OPERATOR(pg_catalog.>) 0
 AND NOT a.attisdropped
WHERE n.nspname OPERATOR(pg_catalog.=) %s
  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog."char"[])
GROUP BY c.relname
ORDER BY c.relname
"""


def fingerprint(conn: psycopg.Connection, schema: str = SCHEMA) -> dict[str, TablePrint]:
    """Row count per table and, per column, the non-NULL count and an md5 of the sorted values.

    One query per table, every column in it: cheap on the demo's handful of rows, and the
    values are compared as text so that a type change that keeps them (a widening) compares
    equal while a lost or altered value does not.
    """
    prints: dict[str, TablePrint] = {}
    for table, columns in conn.execute(_TABLES, (schema,)).fetchall():
        parts: list[sql.Composable] = [sql.SQL("pg_catalog.count(*)")]
        for column in columns:
            ident = sql.Identifier(column)
            parts.append(sql.SQL("pg_catalog.count({})").format(ident))
            parts.append(
                sql.SQL(
                    "pg_catalog.md5(coalesce(pg_catalog.string_agg({c}::pg_catalog.text, "
                    "E'\\x1f' ORDER BY {c}::pg_catalog.text), ''))"
                ).format(c=ident)
            )
        query = sql.SQL("SELECT {} FROM {}.{}").format(
            sql.SQL(", ").join(parts), sql.Identifier(schema), sql.Identifier(table)
        )
        row = conn.execute(query).fetchone()
        assert row is not None
        prints[table] = TablePrint(
            rows=int(row[0]),
            columns={
                column: ColumnPrint(int(row[1 + 2 * i]), str(row[2 + 2 * i]))
                for i, column in enumerate(columns)
            },
        )
    return prints


def _find(name: str, names: list[str]) -> str | None:
    """``name`` itself, else the object it was renamed to (``<name>_dropped_<timestamp>``)."""
    if name in names:
        return name
    renamed = sorted(n for n in names if n.startswith(f"{name}_dropped_"))
    return renamed[-1] if renamed else None


def compare_prints(before: dict[str, TablePrint], after: dict[str, TablePrint], echo: Echo) -> bool:
    """Print where each table's rows and each renamed column's values are now; True if all kept."""
    ok = True
    width = max((len(t) for t in before), default=10) + 2
    for table, old in before.items():
        found = _find(table, list(after))
        if found is None:
            echo(f"  {table:<{width}} {old.rows:>4} rows -> MISSING")
            ok = False
            continue
        new = after[found]
        where = "" if found == table else f'  (now table "{found}")'
        mark = "" if new.rows == old.rows else "  <- ROWS LOST"
        ok = ok and new.rows == old.rows
        echo(f"  {table:<{width}} {old.rows:>4} rows -> {new.rows:>4}{where}{mark}")
        for column, col_old in old.columns.items():
            col_found = _find(column, list(new.columns))
            col_new = new.columns.get(col_found) if col_found else None
            if col_new != col_old:
                kept = "gone" if col_new is None else f"{col_new.non_null} values, changed"
                echo(f"    column {column}: {col_old.non_null} values -> {kept}  <- DATA LOST")
                ok = False
            elif col_found != column:
                echo(
                    f"    column {column}: {col_old.non_null} values -> {col_new.non_null}"
                    f'  (now column "{col_found}")'
                )
    return ok


def _settings(server: EmbeddedServer, database: str) -> ConnectionSettings:
    return ConnectionSettings(
        host=server.host, port=server.port, user=server.user, database=database, schema_name=SCHEMA
    )


def run(echo: Echo = click.echo) -> int:
    """Run the demo end to end; return the exit code (0: prod matches dev and kept every row).

    Errors surface as DdpError (one line for people) and Ctrl-C as KeyboardInterrupt, both
    after the server is stopped and its directory removed.
    """
    options = SyncOptions()
    with embedded_server() as server:
        base_dir = server.base_dir
        with connect(_settings(server, "postgres"), "demo") as conn:
            row = conn.execute("SHOW server_version").fetchone()
        version = row[0] if row else "?"
        echo(
            f"Started PostgreSQL {version} (embedded) on {server.host}:{server.port} in {base_dir}"
        )
        for name in ("dev", "prod"):
            path = DEMO_DIR / f"{name}.sql"
            create_database(server, name)
            load_sql(server, name, path)
            echo(f"Created database {name!r} from {path}")
        dev, prod = _settings(server, "dev"), _settings(server, "prod")
        with connect(prod, "demo") as conn:
            before = fingerprint(conn)
        total = sum(t.rows for t in before.values())
        echo(f"prod holds {total} rows in {len(before)} tables.")

        echo("")
        echo("== The sync: what ddp sync --source dev --target prod finds ==")
        result = compare(dev, prod, options)
        echo(summary(result.plan))
        echo("")
        echo("== The script ==")
        echo(result.script.rstrip("\n"))
        echo("")

        echo("== Applying the script to prod (one transaction), then comparing again ==")
        after_plan = apply_and_verify(result.plan, dev, prod, options).after
        if not after_plan.is_empty:
            echo(f"prod does NOT match dev: {len(after_plan.changes)} difference(s) remain:")
            for line in drifted_objects(after_plan):
                echo(f"  {line}")
            return 1
        echo("prod now matches dev: a second comparison finds nothing to do.")

        echo("")
        echo("== Every row of prod is still there (rows before -> after) ==")
        with connect(prod, "demo") as conn:
            after = fingerprint(conn)
        kept = compare_prints(before, after, echo)
        if not kept:
            echo("Data was lost: this is a bug in ddp, please report it with the script above.")
            return 1
        echo(
            "All rows and values are kept; renamed objects hold theirs until you run the "
            "script's CLEANUP part."
        )
    gone = "removed" if not base_dir.exists() else "could NOT remove"
    echo("")
    echo(f"Stopped the server and {gone} {base_dir}.")
    return 0 if not base_dir.exists() else 1
