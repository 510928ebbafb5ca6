"""Canaries for the trust suite: shadows of catalog functions, operators and views, planted
where an attacker with CREATE on a schema could put them, that record every call.

A shadow records by ``COPY ... TO PROGRAM`` appending its name to a file the test reads
afterwards (the server runs the program, so the file lives on the server's machine; the tests'
servers are local). Each shadow is ``SECURITY DEFINER`` and owned by the test superuser, so it
records whoever calls it, a read-only login included, and then behaves like the original, so a
caller that swallowed errors would still be caught. The test asserts the file stays empty.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Server

#: (shadow name, argument list, result type, body returning the real function's value).
#: The argument types match ddp's own calls as well as or better than pg_catalog's do, so
#: any unqualified call under a search_path that lists the schema would pick the shadow.
FUNCTIONS = (
    ("lower", "text", "text", "pg_catalog.lower($1)"),
    ("lower", "character varying", "text", "pg_catalog.lower($1)"),
    ("upper", "text", "text", "pg_catalog.upper($1)"),
    ("now", "", "timestamp with time zone", "pg_catalog.now()"),
    ("format_type", "oid, integer", "text", "pg_catalog.format_type($1, $2)"),
    ("pg_get_expr", "pg_node_tree, oid", "text", "pg_catalog.pg_get_expr($1, $2)"),
    (
        "pg_get_expr",
        "pg_node_tree, oid, boolean",
        "text",
        "pg_catalog.pg_get_expr($1, $2, $3)",
    ),
    ("pg_get_constraintdef", "oid", "text", "pg_catalog.pg_get_constraintdef($1)"),
    (
        "pg_get_constraintdef",
        "oid, boolean",
        "text",
        "pg_catalog.pg_get_constraintdef($1, $2)",
    ),
    ("pg_get_indexdef", "oid", "text", "pg_catalog.pg_get_indexdef($1)"),
    (
        "pg_get_indexdef",
        "oid, integer, boolean",
        "text",
        "pg_catalog.pg_get_indexdef($1, $2, $3)",
    ),
    ("pg_get_viewdef", "oid", "text", "pg_catalog.pg_get_viewdef($1)"),
    ("pg_get_viewdef", "oid, boolean", "text", "pg_catalog.pg_get_viewdef($1, $2)"),
    ("pg_get_triggerdef", "oid", "text", "pg_catalog.pg_get_triggerdef($1)"),
    ("pg_get_triggerdef", "oid, boolean", "text", "pg_catalog.pg_get_triggerdef($1, $2)"),
    ("pg_get_functiondef", "oid", "text", "pg_catalog.pg_get_functiondef($1)"),
    (
        "pg_get_function_identity_arguments",
        "oid",
        "text",
        "pg_catalog.pg_get_function_identity_arguments($1)",
    ),
    ("pg_get_function_arguments", "oid", "text", "pg_catalog.pg_get_function_arguments($1)"),
    ("pg_get_function_result", "oid", "text", "pg_catalog.pg_get_function_result($1)"),
    ("quote_ident", "text", "text", "pg_catalog.quote_ident($1)"),
    ("quote_literal", "text", "text", "pg_catalog.quote_literal($1)"),
    ("obj_description", "oid, name", "text", "pg_catalog.obj_description($1, $2)"),
    ("col_description", "oid, integer", "text", "pg_catalog.col_description($1, $2)"),
    ("set_config", "text, text, boolean", "text", "pg_catalog.set_config($1, $2, $3)"),
    ("current_setting", "text", "text", "pg_catalog.current_setting($1)"),
    ("nextval", "regclass", "bigint", "pg_catalog.nextval($1)"),
    ("length", "text", "integer", "pg_catalog.length($1)"),
    ("btrim", "text", "text", "pg_catalog.btrim($1)"),
    ("array_to_string", "anyarray, text", "text", "pg_catalog.array_to_string($1, $2)"),
    (
        "pg_input_is_valid",
        "text, text",
        "boolean",
        "pg_catalog.pg_input_is_valid($1, $2)",
    ),
    # the catalog epoch (ddp_engine/epoch.py)
    ("hashtextextended", "text, bigint", "bigint", "pg_catalog.hashtextextended($1, $2)"),
    ("hashtidextended", "tid, bigint", "bigint", "pg_catalog.hashtidextended($1, $2)"),
    ("has_table_privilege", "oid, text", "boolean", "pg_catalog.has_table_privilege($1, $2)"),
    ("current_database", "", "name", "pg_catalog.current_database()"),
    ("pg_try_advisory_lock", "bigint", "boolean", "pg_catalog.pg_try_advisory_lock($1)"),
    ("pg_advisory_unlock", "bigint", "boolean", "pg_catalog.pg_advisory_unlock($1)"),
)

#: (operator, left type, right type, the real operator's function).
OPERATORS = (
    ("=", "text", "text", "pg_catalog.texteq"),
    ("=", "name", "name", "pg_catalog.nameeq"),
    ("=", "oid", "oid", "pg_catalog.oideq"),
    ("=", "integer", "integer", "pg_catalog.int4eq"),
    ("=", "smallint", "smallint", "pg_catalog.int2eq"),
    ("=", "character", "character", "pg_catalog.bpchareq"),
    ("=", '"char"', '"char"', "pg_catalog.chareq"),
    ("<>", "text", "text", "pg_catalog.textne"),
    ("<>", '"char"', '"char"', "pg_catalog.charne"),
    ("~~", "text", "text", "pg_catalog.textlike"),
    ("~", "text", "text", "pg_catalog.textregexeq"),
    ("||", "text", "text", "pg_catalog.textcat"),
)

#: Catalog relations shadowed by views that hide every row.
VIEWS = (
    "pg_class",
    "pg_proc",
    "pg_namespace",
    "pg_attribute",
    "pg_constraint",
    "pg_index",
    "pg_type",
    "pg_depend",
    "pg_trigger",
    "pg_attrdef",
    "pg_description",
    "pg_sequence",
    "pg_roles",
    "pg_settings",
    "pg_locks",
    "pg_stat_activity",
)


@dataclass
class Canary:
    """Shadows planted in databases, and the file every shadow call is written to."""

    server: Server
    record: Path
    planted: list[tuple[str, str]] = field(default_factory=list)

    def plant(self, database: str, schema: str = "public") -> None:
        """Plant every shadow in ``schema`` of ``database`` (created if missing), writable by
        PUBLIC as an attacker's foothold would be."""
        recorder = ident(f"ddp_canary_{uuid.uuid4().hex[:8]}")
        target = ident(schema)
        statements = [
            f"CREATE SCHEMA IF NOT EXISTS {target}",
            f"GRANT USAGE, CREATE ON SCHEMA {target} TO PUBLIC",
            f"""CREATE FUNCTION {target}.{recorder}(what text) RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $f$
                BEGIN
                  EXECUTE pg_catalog.format(
                    'COPY (SELECT %L) TO PROGRAM %L', what,
                    'cat >> ' || pg_catalog.quote_literal({lit(str(self.record))}));
                END $f$""",
        ]
        for name, args, result, body in FUNCTIONS:
            statements.append(
                f"""CREATE FUNCTION {target}.{ident(name)}({args}) RETURNS {result}
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $f$
                BEGIN
                  PERFORM {target}.{recorder}({lit(f"{schema}.{name}({args})")});
                  RETURN {body};
                END $f$"""
            )
        for op, left, right, func in OPERATORS:
            wrapper = ident(f"ddp_canary_op_{uuid.uuid4().hex[:8]}")
            statements.append(
                f"""CREATE FUNCTION {target}.{wrapper}({left}, {right}) RETURNS boolean
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $f$
                BEGIN
                  PERFORM {target}.{recorder}({lit(f"{schema}.{op}({left},{right})")});
                  RETURN {func}($1, $2);
                END $f$"""
            )
            statements.append(
                f"CREATE OPERATOR {target}.{op} (LEFTARG = {left}, RIGHTARG = {right}, "
                f"FUNCTION = {target}.{wrapper})"
            )
        with self.server.connect(database) as conn:
            for statement in statements:
                conn.execute(statement.encode())
            for view in VIEWS:
                # every column but those of a pseudo-type (pg_attribute.attmissingval)
                columns = ", ".join(
                    ident(name)
                    for (name,) in conn.execute(
                        "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = "
                        "pg_catalog.to_regclass(%s) AND attnum > 0 AND NOT attisdropped "
                        "AND atttypid <> 'pg_catalog.anyarray'::pg_catalog.regtype "
                        "ORDER BY attnum",
                        (f"pg_catalog.{view}",),
                    )
                )
                conn.execute(
                    f"CREATE VIEW {target}.{ident(view)} AS SELECT {columns} "
                    f"FROM pg_catalog.{view} "
                    f"WHERE {target}.{recorder}({lit(f'{schema}.{view}')}) IS NULL "
                    "AND false".encode()
                )
        self.planted.append((database, schema))

    def calls(self) -> list[str]:
        """Every shadow call recorded so far, in order."""
        if not self.record.exists():
            return []
        return [line for line in self.record.read_text().splitlines() if line]

    def assert_silent(self) -> None:
        calls = self.calls()
        assert not calls, f"planted objects ran as ddp: {sorted(set(calls))}"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture
def canary(server: Server) -> Iterator[Canary]:
    """A Canary whose record file the server's OS user can append to (pytest's own temporary
    folders are private to the user running the tests)."""
    folder = Path(tempfile.mkdtemp(prefix="ddp_canary_"))
    os.chmod(folder, 0o777)
    record = folder / "calls.txt"
    record.touch()
    os.chmod(record, 0o666)
    yield Canary(server, record)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def planted(canary: Canary) -> Callable[..., Canary]:
    """``planted(db, "public", "shop")``: shadows in each schema of ``db``; returns the canary."""

    def plant(database: str, *schemas: str) -> Canary:
        for schema in schemas or ("public",):
            canary.plant(database, schema)
        return canary

    return plant
