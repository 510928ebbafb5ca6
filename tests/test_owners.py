"""``--owners`` on a real server: owners are set only on request, to a role whose name holds a
quote and a newline; the rows stay; without the option owners are no drift."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Server
from tests.helpers import ddp, side_args

ROLE = 'ddp_test_o"wn\ner'
QROLE = '"' + ROLE.replace('"', '""') + '"'
MAKE_ROLE = (
    f"DO $$ BEGIN CREATE ROLE {QROLE} NOLOGIN;"
    " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
)
SHADOW = (
    "CREATE FUNCTION public.quote_ident(name) RETURNS text LANGUAGE plpgsql AS "
    "$$BEGIN RAISE EXCEPTION 'a shadow ran'; END$$;"
)


def owner_of(server: Server, database: str, relation: str) -> str:
    with server.connect(database) as conn:
        row = conn.execute(
            "SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class "
            "WHERE oid = pg_catalog.to_regclass(%s)",
            (relation,),
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_owners_are_set_only_with_the_option(server: Server, make_db, tmp_path: Path) -> None:
    with server.connect() as conn:
        conn.execute(MAKE_ROLE)
    base = SHADOW + "CREATE TABLE t (a numeric(10, 2)); INSERT INTO t VALUES (1.25), (2.5);"
    source = make_db(
        base + f"ALTER TABLE t OWNER TO {QROLE}; CREATE VIEW v AS SELECT a FROM t;"
        f"ALTER VIEW v OWNER TO {QROLE};"
    )
    target = make_db(base)
    sides = [*side_args(server, "source", source), *side_args(server, "target", target)]
    plain = ddp("sync", *sides, "--no-privileges", "--output", "-", cwd=tmp_path)
    assert plain.returncode == 0 and "OWNER TO" not in plain.stdout
    applied = ddp("sync", *sides, "--no-privileges", "--owners", "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert owner_of(server, target, "public.t") == ROLE
    assert owner_of(server, target, "public.v") == ROLE
    with server.connect(target) as conn:
        assert conn.execute("SELECT a::text FROM t ORDER BY a").fetchall() == [("1.25",), ("2.50",)]
    again = ddp("sync", *sides, "--no-privileges", "--owners", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
