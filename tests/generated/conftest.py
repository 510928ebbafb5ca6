"""A ``make_db`` for generated examples: a pool of databases reset between examples.

Hypothesis runs many examples inside one test, and the ``converge`` fixture asks ``make_db``
for two fresh databases per run. ``DROP DATABASE`` forces a checkpoint (seconds each on a busy
server), so here the databases are kept for the whole test and handed out again once
``recycle()`` has marked them free: each one's ``public`` schema is dropped with everything in
it and created again before it is handed out, so every database a run gets is empty and alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import Server

RESET = "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"


class Pool:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.created: list[str] = []
        self.free: list[str] = []

    def __call__(self, sql: str = "") -> str:
        assert not sql, "the pool hands out empty databases; converge loads them"
        if self.free:
            name = self.free.pop()
        else:
            name = f"ddp_test_gen_{uuid.uuid4().hex[:8]}"
            with self.server.connect() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        with self.server.connect(name) as conn:
            conn.execute(RESET)
        return name

    def recycle(self) -> None:
        """Every database handed out so far may be handed out again."""
        self.free = list(reversed(self.created))


@pytest.fixture
def make_db(server: Server) -> Iterator[Pool]:
    pool = Pool(server)
    yield pool
    with server.connect() as conn:
        for name in pool.created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
