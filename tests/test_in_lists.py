"""A CHECK with an IN or NOT IN list on a varchar column (Django's choices), or on a column of a
varchar domain, synced on a real server: the constraint made from the script prints exactly as
the source's, whatever the column is named, an ``=`` or ``<>`` planted in the writable schema
never runs, and the rows are kept as they were."""

from __future__ import annotations

from collections.abc import Callable

from ddp_engine.apply import apply_plan
from ddp_engine.sync import SyncOptions, compare
from tests.conftest import Server

COL = '"st""at\nus"'
#: Would accept every value, and say it ran, if the script's check bound to it.
SHADOWS = """
CREATE TABLE public.shadow_ran (at timestamptz);
CREATE FUNCTION public.eq(varchar, varchar) RETURNS boolean LANGUAGE sql
  AS $$INSERT INTO public.shadow_ran VALUES (now()) RETURNING true$$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.eq);
CREATE OPERATOR public.<> (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.eq);
CREATE DOMAIN public.yes_no AS varchar(3);
"""
TARGET = SHADOWS + (
    f"CREATE TABLE post (id int PRIMARY KEY, {COL} varchar(2) NOT NULL, answer public.yes_no);"
    "INSERT INTO post VALUES (1, 'DF', 'YES'), (2, 'P''', NULL);"
)
#: The source's checks are made before its shadows, so that they use pg_catalog's operators, as
#: the target's must; the shadows are on both sides, so the sync keeps them.
SOURCE = (
    "CREATE DOMAIN public.yes_no AS varchar(3) CONSTRAINT yes_no_ok "
    "CHECK (VALUE IN ('YES', 'NO'));"
    f"CREATE TABLE post (id int PRIMARY KEY, {COL} varchar(2) NOT NULL "
    f"CHECK ({COL} IN ('DF', 'P''')), answer public.yes_no"
    " CHECK (answer NOT IN ('NO', 'N''A')));"
) + SHADOWS.replace("CREATE DOMAIN public.yes_no AS varchar(3);", "")

CHECKS = """
SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c
WHERE c.contype = 'c' ORDER BY 1
"""


def test_the_check_made_from_the_script_prints_as_the_sources(
    server: Server, make_db: Callable[[str], str]
) -> None:
    target, source = make_db(TARGET), make_db(SOURCE)
    result = compare(server.settings(source), server.settings(target), SyncOptions())
    apply_plan(server.settings(target), result.plan, result.script)
    with server.connect(source) as src, server.connect(target) as tgt:
        assert tgt.execute(CHECKS).fetchall() == src.execute(CHECKS).fetchall()
        assert tgt.execute("SELECT * FROM post ORDER BY id").fetchall() == [
            (1, "DF", "YES"),
            (2, "P'", None),
        ]
        assert tgt.execute("SELECT count(*) FROM public.shadow_ran").fetchone() == (0,)
    assert compare(server.settings(source), server.settings(target), SyncOptions()).plan.is_empty


def test_a_value_outside_the_list_is_refused_after_the_sync(
    server: Server, make_db: Callable[[str], str]
) -> None:
    import psycopg
    import pytest

    target, source = make_db(TARGET), make_db(SOURCE)
    result = compare(server.settings(source), server.settings(target), SyncOptions())
    apply_plan(server.settings(target), result.plan, result.script)
    with server.connect(target) as tgt, pytest.raises(psycopg.errors.CheckViolation):
        tgt.execute(f"INSERT INTO post (id, {COL}) VALUES (3, 'XX')")
