"""Targeted tests of apply, datacheck and sync: one database per test module, two fresh
schemas per test.

A schema is made and dropped in milliseconds where a database costs seconds (its drop waits for
a checkpoint): these tests are cheap enough to judge every mutant of those modules
(scripts/mutation.py). Both sides live in one database, so every sync here is a cross-schema
sync (the source relabelled to the target's schema, as ``--source-schema`` does).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests.conftest import Server

NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(server: Server) -> Iterator[str]:
    name = f"ddp_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Pair:
    """A source schema and a target schema of one database, and the calls tests make on them."""

    server: Server
    database: str
    source_schema: str
    target_schema: str

    def load(self, source_sql: str, target_sql: str) -> None:
        """Run each side's SQL with ``{s}`` standing for that side's (quoted) schema."""
        with self.connect() as conn:
            conn.execute(source_sql.format(s=f'"{self.source_schema}"').encode())
            conn.execute(target_sql.format(s=f'"{self.target_schema}"').encode())

    def connect(self) -> psycopg.Connection:
        return self.server.connect(self.database)

    @property
    def source(self) -> ConnectionSettings:
        return self.server.settings(self.database, self.source_schema)

    @property
    def target(self) -> ConnectionSettings:
        return self.server.settings(self.database, self.target_schema)

    def compare(self, **options: Any) -> SyncResult:
        return compare(self.source, self.target, SyncOptions(**options), now=NOW)

    def target_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` with ``{s}`` standing for the target schema (quoted), ``{n}`` for
        its name as a string."""
        text = sql.format(s=f'"{self.target_schema}"', n=f"'{self.target_schema}'")
        with self.connect() as conn:
            return conn.execute(text.encode()).fetchall()

    def on_target(self, sql: str) -> None:
        """Run ``sql`` (no rows expected) with ``{s}`` standing for the target schema."""
        with self.connect() as conn:
            conn.execute(sql.format(s=f'"{self.target_schema}"').encode())

    def target_has(self, table: str) -> bool:
        """Whether the target schema holds a table of that name."""
        found = self.target_rows(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = {n} AND tablename = "
            + f"'{table}'"
        )
        return found == [(1,)]


@pytest.fixture
def pair(server: Server, database: str) -> Iterator[Pair]:
    tag = uuid.uuid4().hex[:8]
    made = Pair(server, database, f"src_{tag}", f"tgt_{tag}")
    with made.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{made.source_schema}"; CREATE SCHEMA "{made.target_schema}"')
    yield made
    with made.connect() as conn:
        conn.execute(
            f'DROP SCHEMA "{made.source_schema}" CASCADE; DROP SCHEMA "{made.target_schema}" CASCADE'
        )
