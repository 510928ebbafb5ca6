"""The snapshot cache (``--cache DIR``): a side's snapshot is reused only while its catalog epoch
stands still, and every kind of DDL either moves the epoch or leaves the cached answer right.

Each test reads a real server: the answer with the cache is compared with a fresh read without
it, after every statement; a counting subclass of the cache says whether the file was used.
"""

from __future__ import annotations

import json
import marshal
import os
import stat
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ddp_engine.cache import SnapshotCache
from ddp_engine.epoch import read_epoch
from ddp_engine.introspect import read_snapshot
from ddp_engine.model import Snapshot, UserType
from ddp_engine.settings import ConnectionSettings
from tests.conftest import Server, ensure_roles
from tests.corpus_cases import FOLDERS, SHARED_CASES, case_sql, shared_sql
from tests.helpers import ddp, side_args


class CountingCache(SnapshotCache):
    """The real cache, counting the reads it answered from its file."""

    hits = 0

    def load(self, identity: tuple[str, str], epoch: str) -> Snapshot | None:
        found = super().load(identity, epoch)
        self.hits += found is not None
        return found


def cache_for(server: Server, db: str, folder: Path, all_schemas: bool = False) -> CountingCache:
    settings = ConnectionSettings(host=server.host, port=server.port, user=server.user, database=db)
    return CountingCache(folder, settings, all_schemas)


class Reader:
    """Reads one database with and without the cache, through one connection."""

    def __init__(self, server: Server, db: str, folder: Path, all_schemas: bool = False) -> None:
        self.conn = psycopg.connect(host=server.host, port=server.port, user=server.user, dbname=db)
        self.cache = cache_for(server, db, folder, all_schemas)
        self.all_schemas = all_schemas

    def both(self) -> tuple[Snapshot, Snapshot]:
        """(with the cache, without it)."""
        cached = read_snapshot(self.conn, "public", self.all_schemas, self.cache)
        return cached, read_snapshot(self.conn, "public", self.all_schemas)

    def epoch(self) -> str:
        with self.conn.cursor() as cur:
            epoch = read_epoch(cur)
        self.conn.rollback()
        return epoch


#: A table whose name has a quote and a newline, a view on it that calls a function of another
#: schema, an enum, a sequence; amounts a careless conversion would round.
SCHEMA = """
CREATE SCHEMA other;
CREATE FUNCTION other.f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE SEQUENCE counter;
CREATE TABLE "we""ird
t" (id int PRIMARY KEY, amount numeric(12,2) DEFAULT 1.10, m mood, note text);
CREATE VIEW v AS SELECT id, other.f(id) AS g, amount, note FROM "we""ird
t";
INSERT INTO "we""ird
t" VALUES (1, 2.55, 'ok', 'x');
"""

#: Every kind of DDL, one step at a time (renames of what the view stands on among them).
#: All but the VACUUMs and the new body of a function of another schema change the snapshot.
STEPS = (
    'ALTER TABLE "we""ird\nt" RENAME COLUMN note TO remark',
    'ALTER TABLE "we""ird\nt" RENAME TO t2',
    "ALTER FUNCTION other.f(int) RENAME TO f2",
    "ALTER SCHEMA other RENAME TO other2",
    "CREATE OR REPLACE FUNCTION other2.f2(int) RETURNS int LANGUAGE sql IMMUTABLE"
    " AS 'SELECT $1 + 2'",
    "COMMENT ON COLUMN t2.amount IS 'money'",
    "COMMENT ON VIEW v IS 'a view'",
    "GRANT SELECT ON t2 TO pg_monitor",
    "GRANT UPDATE (amount) ON t2 TO pg_monitor",
    "ALTER TABLE t2 ALTER COLUMN amount SET STATISTICS 500",
    "ALTER SEQUENCE counter INCREMENT BY 5",
    "ALTER TYPE mood ADD VALUE 'glad'",
    "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
    "CREATE INDEX t2_amount ON t2 (amount)",
    "ALTER INDEX t2_amount SET (fillfactor = 70)",
    "ALTER TABLE t2 ADD CONSTRAINT positive CHECK (amount > 0)",
    "ALTER TABLE t2 ALTER COLUMN amount SET DEFAULT 2.20",
    "ALTER TABLE t2 ALTER COLUMN m TYPE text",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
    "CREATE TRIGGER t2_touch BEFORE UPDATE ON t2 FOR EACH ROW EXECUTE FUNCTION touch()",
    "ALTER TABLE t2 DISABLE TRIGGER t2_touch",
    "ALTER TABLE t2 ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY mine ON t2 USING (id > 0)",
    "ALTER TABLE t2 ALTER COLUMN amount SET STATISTICS 100",
    "VACUUM FREEZE pg_catalog.pg_attribute",
    "ALTER TABLE t2 ALTER COLUMN amount SET STATISTICS 500",
    "VACUUM FREEZE",
    "ALTER TABLE t2 ALTER COLUMN amount SET STATISTICS 100",
    "VACUUM FULL pg_catalog.pg_attribute",
    "DROP VIEW v",
)


def test_every_kind_of_ddl_moves_the_epoch_or_leaves_the_answer_right(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    db = make_db(SCHEMA)
    reader = Reader(server, db, tmp_path)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as ddl:
        cached, fresh = reader.both()
        assert cached == fresh and reader.cache.hits == 0
        for statement in STEPS:
            before = fresh
            ddl.execute(statement)
            cached, fresh = reader.both()
            assert cached == fresh, statement
            if not statement.startswith(("VACUUM", "CREATE OR REPLACE")):
                assert fresh != before, f"{statement} changed nothing a snapshot shows"
        hits = reader.cache.hits
        cached, fresh = reader.both()
        assert cached == fresh and reader.cache.hits == hits + 1  # nothing moved: reused
    reader.conn.close()


def test_freezing_does_not_hide_a_change(server: Server, make_db: Any, tmp_path: Path) -> None:
    """A row changed and then frozen (VACUUM FREEZE) still moves the epoch from the one the
    cache holds: PostgreSQL reports a frozen row's own xmin, and its new place (ctid)."""
    db = make_db(SCHEMA)
    reader = Reader(server, db, tmp_path)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as ddl:
        ddl.execute('ALTER TABLE "we""ird\nt" ALTER COLUMN amount SET STATISTICS 100')
        first = reader.epoch()
        ddl.execute("VACUUM FREEZE pg_catalog.pg_attribute")
        assert reader.epoch() == first  # freezing alone changes nothing
        ddl.execute('ALTER TABLE "we""ird\nt" ALTER COLUMN amount SET STATISTICS 200')
        ddl.execute("VACUUM FREEZE pg_catalog.pg_attribute")
        assert reader.epoch() != first
    reader.conn.close()


def test_what_leaves_the_schema_alone_leaves_the_epoch(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """Rows written, sequences advanced, statistics gathered, another database created: the
    cached snapshot is used (the point of the cache), and it is right."""
    db = make_db(SCHEMA)
    reader = Reader(server, db, tmp_path)
    cached, fresh = reader.both()
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as ddl:
        ddl.execute("INSERT INTO \"we\"\"ird\nt\" VALUES (2, 3.30, 'sad', 'y')")
        ddl.execute("SELECT nextval('counter')")
        ddl.execute('ANALYZE "we""ird\nt"')
        ddl.execute("VACUUM")
    other = make_db("")
    assert other
    cached, fresh = reader.both()
    assert cached == fresh and reader.cache.hits == 1
    reader.conn.close()


def test_a_role_renamed_moves_the_epoch(server: Server, make_db: Any, tmp_path: Path) -> None:
    """An owner's new name changes what is printed without any row of the database changing."""
    db = make_db(SCHEMA)
    role, renamed = f"ddp_cache_{uuid.uuid4().hex[:8]}", f"ddp_cache_{uuid.uuid4().hex[:8]}"
    reader = Reader(server, db, tmp_path)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as ddl:
        ddl.execute(f"CREATE ROLE {role}")
        try:
            ddl.execute(f'ALTER TABLE "we""ird\nt" OWNER TO {role}')
            cached, fresh = reader.both()
            ddl.execute(f"ALTER ROLE {role} RENAME TO {renamed}")
            role = renamed
            cached, fresh = reader.both()
            assert cached == fresh and reader.cache.hits == 0
            assert renamed in {t.owner for t in fresh.tables}
        finally:
            ddl.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            ddl.execute(f"DROP OWNED BY {role}")
            ddl.execute(f"DROP ROLE {role}")
    reader.conn.close()


def test_a_role_no_object_here_names_leaves_the_epoch(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """Roles are server-wide: one created, renamed or dropped that nothing in this database
    names (another team's, another test's) does not throw the cached snapshot away."""
    db = make_db(SCHEMA)
    role, renamed = f"ddp_cache_{uuid.uuid4().hex[:8]}", f"ddp_cache_{uuid.uuid4().hex[:8]}"
    reader = Reader(server, db, tmp_path)
    reader.both()
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=db, autocommit=True
    ) as ddl:
        ddl.execute(f"CREATE ROLE {role}")
        ddl.execute(f"ALTER ROLE {role} RENAME TO {renamed}")
        ddl.execute(f"DROP ROLE {renamed}")
    cached, fresh = reader.both()
    assert cached == fresh and reader.cache.hits == 1
    reader.conn.close()


def test_a_cache_file_is_private_atomic_and_only_ours(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """0600, no password in it, another scope or a file others may write is never used."""
    db = make_db(SCHEMA)
    folder = tmp_path / "cache"
    reader = Reader(server, db, folder)
    reader.both()
    files = list(folder.iterdir())
    assert [f.name for f in files] == [reader.cache.path.name]  # no temporary file left
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    header = files[0].read_bytes().split(b"\n", 1)[0]
    assert b"password" not in header and db.encode() in header
    os.chmod(files[0], 0o644)  # readable by others: not trusted, read again and rewritten
    cached, fresh = reader.both()
    assert cached == fresh and reader.cache.hits == 0
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    every = cache_for(server, db, folder, all_schemas=True)
    assert every.path != reader.cache.path
    reader.conn.close()


def records(*parts: object) -> bytes:
    """Parts as the cache writes them: each a length, then the part marshalled."""
    out = b""
    for part in parts:
        data = marshal.dumps(part, 4)
        out += len(data).to_bytes(8, "little") + data
    return out


@pytest.mark.parametrize(
    "body",
    [
        b"not a snapshot",
        b"[]",
        records(("server_version", 150000), ("all_schemas", False)),  # parts missing
        records(("server_version", 150000), ("tables", ((1,),))),  # a table of one field
        records(("columns", ()), ("tables", (("x",) * 3,)))[:-5],  # cut short
        records(("types", (("?",) * len(UserType.model_fields),))),  # no such kind letter
    ],
)
def test_a_malformed_cache_file_is_read_again(
    body: bytes, server: Server, make_db: Any, tmp_path: Path
) -> None:
    """A file with the right header and a body that is not a snapshot: the side is read
    again (and the file rewritten), never an error or a wrong answer."""
    db = make_db(SCHEMA)
    reader = Reader(server, db, tmp_path / "cache")
    reader.both()
    path = reader.cache.path
    header = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(header + b"\n" + body)
    cached, fresh = reader.both()
    assert cached == fresh and reader.cache.hits == 0
    cached, _ = reader.both()
    assert cached == fresh and reader.cache.hits == 1
    reader.conn.close()


def test_equal_columns_are_one_object_read_or_cached(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """Two tables with an equal column hold one Column, fresh or from the file; a column that
    differs in anything (here its default) is its own."""
    db = make_db(
        "CREATE TABLE a (id bigint NOT NULL, at timestamptz DEFAULT now());"
        "CREATE TABLE b (id bigint NOT NULL, at timestamptz DEFAULT clock_timestamp());"
    )
    reader = Reader(server, db, tmp_path / "cache")
    reader.both()
    for snapshot in reader.both():
        a, b = sorted(snapshot.tables, key=lambda t: t.name)
        assert a.columns[0] is b.columns[0]
        assert a.columns[1] != b.columns[1]
    assert reader.cache.hits == 1
    reader.conn.close()


def test_a_file_read_meanwhile_is_used_only_at_its_epoch(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """The file is read while the server computes the epoch (``prefetch``); a file of another
    epoch is given up and never answers, the same file at its epoch does."""
    db = make_db(SCHEMA)
    reader = Reader(server, db, tmp_path)
    cached, fresh = reader.both()  # the file written
    header = json.loads(reader.cache.path.read_bytes().split(b"\n", 1)[0])
    identity = (header["system_identifier"], header["database_oid"])
    reader.cache.prefetch()
    assert reader.cache.load(identity, "another epoch") is None
    reader.cache.prefetch()
    assert reader.cache.load(identity, header["epoch"]) == fresh
    assert reader.cache.load(identity, header["epoch"]) == fresh  # read at once, no prefetch
    reader.conn.close()


def test_an_unwritable_cache_folder_is_one_line(server: Server, make_db: Any, tmp_path: Path):
    from ddp_engine.errors import DdpError

    db = make_db("")
    blocker = tmp_path / "file"
    blocker.write_text("")
    reader = Reader(server, db, blocker / "cache")
    with pytest.raises(DdpError, match="cannot write the cache folder"):
        reader.both()
    reader.conn.close()


def test_the_cli_reuses_the_cache_and_sees_a_change(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """``ddp sync --dry-run --exit-code --cache DIR`` (and DDP_CACHE_DIR): the same answer from
    the files, a changed target noticed, and no password in any file."""
    source, target = make_db(SCHEMA + "CREATE TABLE extra (id int);"), make_db(SCHEMA)
    folder = tmp_path / "cache"
    args = [*side_args(server, "source", source), *side_args(server, "target", target)]
    run = [*args, "--dry-run", "--exit-code", "--output", str(tmp_path / "a.sql")]
    first = ddp("sync", *run, "--cache", str(folder), cwd=tmp_path)
    again = ddp("sync", *run, cwd=tmp_path, env={"DDP_CACHE_DIR": str(folder)})
    assert (first.returncode, again.returncode) == (2, 2), first.stderr + again.stderr
    assert 'CREATE TABLE "public"."extra"' in first.stdout
    strip = lambda text: [line for line in text.splitlines() if "Generated" not in line]  # noqa: E731
    assert strip(first.stdout) == strip(again.stdout)
    assert len(list(folder.iterdir())) == 2
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname=target, autocommit=True
    ) as conn:
        conn.execute("CREATE TABLE extra (id int)")
    same = ddp("sync", *run, "--cache", str(folder), cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr
    plan = ddp(
        "plan", *args, "--output", str(tmp_path / "p.json"), "--cache", str(folder), cwd=tmp_path
    )
    assert plan.returncode == 0, plan.stderr


def test_a_side_loaded_from_sql_files_is_not_cached(
    server: Server, make_db: Any, tmp_path: Path
) -> None:
    """A --source-sql side is a new throwaway database each run: only the live side is kept."""
    target = make_db(SCHEMA)
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    folder = tmp_path / "cache"
    out = ddp(
        "sync",
        "--source-sql",
        str(schema),
        *side_args(server, "target", target),
        "--output",
        str(tmp_path / "a.sql"),
        "--cache",
        str(folder),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    files = list(folder.iterdir())
    assert len(files) == 1 and target.encode() in files[0].read_bytes().split(b"\n", 1)[0]


def value_types(snapshot: Snapshot) -> list[tuple[str, ...]]:
    """The type of every field value of every object (equality alone would not tell a
    StrEnum from its letter)."""
    return [
        tuple(type(value).__name__ for value in obj.__dict__.values())
        for attr in Snapshot.model_fields
        if attr not in ("server_version", "all_schemas", "dependencies")
        for obj in getattr(snapshot, attr)
    ]


CORPUS = [f"shared/{c}" for c in SHARED_CASES] + [f"extra/{c}" for c in FOLDERS]


@pytest.mark.parametrize("case", CORPUS)
def test_every_corpus_case_reads_the_same_cached(
    case: str, server: Server, make_db: Any, tmp_path: Path
) -> None:
    """Both schemas of each case: the first cached read (written), the second (from the file)
    and an uncached read are equal, with every schema in scope as the corpus tests sync."""
    where, name = case.split("/", 1)
    folder, a, b = shared_sql(name) if where == "shared" else case_sql(name)
    ensure_roles(server, folder)
    for sql in (a, b):
        try:
            db = make_db(sql)
        except psycopg.Error as exc:
            pytest.skip(f"fixture does not load on this server: {exc}")
        reader = Reader(server, db, tmp_path / db, all_schemas=True)
        first, fresh = reader.both()
        second, _ = reader.both()
        assert first == fresh == second
        assert value_types(second) == value_types(fresh)  # catalog letters as their enums
        assert reader.cache.hits == 1
        reader.conn.close()
