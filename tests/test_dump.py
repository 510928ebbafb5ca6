"""``ddp dump``: a folder per schema, a file per object, a load order that works; loading the
dump gives back the schema it was written from (the corpus round trip)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ddp_engine.dump import dump_files, file_name, write_dump
from ddp_engine.embedded.loader import load_sql
from ddp_engine.introspect import introspect
from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server, ensure_roles, load
from tests.corpus_cases import (
    CORPUS_EXTRA,
    DUMP_KNOWN_FAILURES,
    FOLDERS,
    SHARED,
    SHARED_CASES,
    param,
)
from tests.helpers import ODD, ODD_SQL, TRAP, ddp, side_args

#: A schema with what a careless dump gets wrong: two tables that reference each other, a
#: trigger on a function, a view, odd names, grants, a comment; a shadow function and operator.
SCHEMA = (
    TRAP
    + f"""
CREATE SCHEMA {ODD_SQL};
CREATE TYPE {ODD_SQL}.mood AS ENUM ('ok', 'o''k');
CREATE TABLE {ODD_SQL}.a (id int PRIMARY KEY, b_id int, m {ODD_SQL}.mood DEFAULT 'o''k');
CREATE TABLE {ODD_SQL}.b (id serial PRIMARY KEY, a_id int REFERENCES {ODD_SQL}.a);
ALTER TABLE {ODD_SQL}.a ADD FOREIGN KEY (b_id) REFERENCES {ODD_SQL}.b;
CREATE FUNCTION {ODD_SQL}.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t BEFORE INSERT ON {ODD_SQL}.a FOR EACH ROW EXECUTE FUNCTION {ODD_SQL}.touch();
CREATE VIEW public.v AS SELECT a.id, b.a_id FROM {ODD_SQL}.a JOIN {ODD_SQL}.b ON b.id = a.b_id;
COMMENT ON TABLE {ODD_SQL}.a IS 'it''s a';
GRANT SELECT ON public.v TO PUBLIC;
CREATE TABLE public.keep (a int);
CREATE RULE no_delete AS ON DELETE TO public.keep DO INSTEAD NOTHING;
"""
)


def test_file_names_are_safe() -> None:
    assert file_name("orders") == "orders"
    odd = file_name('au"dit\nlog/../x')
    assert "/" not in odd and "\n" not in odd and not odd.startswith(".")
    assert file_name("a/b") != file_name("a_b")


def test_dump_then_sync_from_the_dump_is_in_sync(server: Server, make_db, tmp_path: Path) -> None:
    database = make_db(SCHEMA)
    live = side_args(server, "source", database, schema=None)
    dumped = ddp("dump", *live, "--all-schemas", "--output", "dump", cwd=tmp_path)
    assert dumped.returncode == 0, dumped.stderr
    dumped_sql = "".join(p.read_text() for p in (tmp_path / "dump").rglob("*.sql"))
    assert "no_delete" in dumped_sql  # a rule is synchronised, so it is dumped too
    order = (tmp_path / "dump" / "load-order.txt").read_text().splitlines()
    assert order.index("public/views/v.sql") > order.index(f"{file_name(ODD)}/tables/b.sql")
    check = ddp(
        "sync", "--source-sql", "dump", *side_args(server, "target", database, schema=None),
        "--all-schemas", "--dry-run", "--exit-code", cwd=tmp_path,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    again = ddp("dump", *live, "--all-schemas", "--output", "dump", cwd=tmp_path)
    assert again.returncode == 64 and "not an empty folder" in again.stderr


CASES = [f"shared:{c}" for c in SHARED_CASES] + [f"extra:{c}" for c in FOLDERS]


@pytest.mark.parametrize("case", [param(c, DUMP_KNOWN_FAILURES) for c in CASES])
def test_dump_round_trips_the_corpus(case: str, server: Server, make_db, tmp_path: Path) -> None:
    where, name = case.split(":")
    folder = (SHARED if where == "shared" else CORPUS_EXTRA) / name
    ensure_roles(server, folder)
    original = make_db()
    try:
        load(server, original, (folder / "b.sql").read_bytes())
    except psycopg.Error as exc:
        pytest.skip(f"the case does not load on this server: {exc}")
    snap, _ = introspect(server.settings(original), "source", True)
    write_dump(dump_files(snap), tmp_path / "dump")
    copy = make_db()
    load_sql(server, copy, tmp_path / "dump")
    options = SyncOptions(all_schemas=True, data_checks=False, fingerprint=False)
    result = compare(server.settings(copy), server.settings(original), options)
    assert result.plan.is_empty, result.script
