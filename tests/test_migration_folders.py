"""SQL-file sources as migration folders: version-aware order, sub-folders, missing roles."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ddp_engine.embedded.loader import load_sql
from ddp_engine.errors import BadInput
from ddp_engine.sqlfiles import ORDER_FILE, natural_key, sql_files
from tests.conftest import Server
from tests.helpers import TRAP, ddp, side_args


def test_names_sort_as_versions() -> None:
    names = ["V10__y.sql", "V2__x.sql", "V1.10__b.sql", "V1.2__a.sql", "R__views.sql", "v3__z.sql"]
    assert sorted(names, key=natural_key) == [
        "V1.2__a.sql",
        "V1.10__b.sql",
        "V2__x.sql",
        "v3__z.sql",
        "V10__y.sql",
        "R__views.sql",
    ]
    assert sorted(["10_b.sql", "2_a.sql"], key=natural_key) == ["2_a.sql", "10_b.sql"]


def flyway(folder: Path, role: str) -> Path:
    """V1..V12, each needing the one before it; V2..V9 in a sub-folder; V5 grants to a role
    the server lacks."""
    (folder / "sub").mkdir(parents=True)
    (folder / "V1__create.sql").write_text(TRAP + "CREATE TABLE public.t (c1 int);")
    for n in range(2, 13):
        where = folder / "sub" if n < 10 else folder
        sql = f"ALTER TABLE public.t ADD COLUMN c{n} int;"
        if n == 5:
            sql += f'GRANT SELECT ON public.t TO "{role}";'
        (where / f"V{n}__add_c{n}.sql").write_text(sql)
    (folder / "notes.txt").write_text("not SQL: left out")
    return folder


def test_a_flyway_folder_loads_in_order_and_makes_its_roles(
    server: Server, make_db, tmp_path: Path
) -> None:
    role = f"ddp_test_app_{uuid.uuid4().hex[:8]}"
    folder = flyway(tmp_path / "migrations", role)
    database = make_db()
    try:
        load_sql(server, database, folder)
        with server.connect(database) as conn:
            columns = conn.execute(
                "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid "
                "OPERATOR(pg_catalog.=) 'public.t'::pg_catalog.regclass "
                "AND attnum OPERATOR(pg_catalog.>) 0 ORDER BY attnum"
            ).fetchall()
            can_login = conn.execute(
                "SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname "
                "OPERATOR(pg_catalog.=) %s",
                (role,),
            ).fetchall()
            conn.execute(f'REVOKE ALL ON public.t FROM "{role}"')
    finally:
        with server.connect() as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    assert [c for (c,) in columns] == [f"c{n}" for n in range(1, 13)]
    assert can_login == [(False,)]


def test_an_order_file_decides_and_may_not_leave_a_file_out(tmp_path: Path) -> None:
    (tmp_path / "b.sql").write_text("SELECT 1;")
    (tmp_path / "a.sql").write_text("SELECT 1;")
    (tmp_path / ORDER_FILE).write_text("b.sql\na.sql\n")
    assert [p.name for p in sql_files(tmp_path)] == ["b.sql", "a.sql"]
    (tmp_path / ORDER_FILE).write_text("b.sql\n")
    with pytest.raises(BadInput, match="not listed"):
        sql_files(tmp_path)


def test_sync_from_a_migration_folder_converges(server: Server, make_db, tmp_path: Path) -> None:
    role = f"ddp_test_app_{uuid.uuid4().hex[:8]}"
    folder = flyway(tmp_path / "migrations", role)
    target = make_db(TRAP)
    flags = [
        "sync",
        "--source-sql",
        str(folder),
        *side_args(server, "target", target),
        "--no-privileges",
    ]
    applied = ddp(*flags, "--apply", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = ddp(*flags, "--dry-run", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
