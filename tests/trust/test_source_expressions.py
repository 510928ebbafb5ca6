"""A data check evaluates text from the source on the target: a new CHECK's expression, a
new unique index's predicate. Whoever may create a table in the source's schema writes that
text, and the target counts it in a dry run with the table owner's rights (here a superuser,
where SET ROLE is no boundary): it must compute, never act. Only expressions that call
immutable functions alone are counted."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ddp_engine.sync import compare
from tests.conftest import Server

SECRET = "s3cret-server-file-content"


def test_a_source_check_that_reads_a_server_file_is_not_run_on_the_target(
    server: Server, make_db: Callable[[str], str]
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ddp_secret_"))
    os.chmod(folder, 0o755)
    secret = folder / "secret.txt"
    secret.write_text(SECRET)
    os.chmod(secret, 0o644)
    path = str(secret).replace("'", "''")
    source = make_db(
        "CREATE SCHEMA shop; CREATE TABLE shop.t (a int, "
        f"CONSTRAINT leak CHECK (pg_catalog.pg_read_file('{path}')::int > a), "
        "CONSTRAINT plain CHECK (a > 0));"
    )
    target = make_db(
        "CREATE SCHEMA shop; CREATE TABLE shop.t (a int); INSERT INTO shop.t VALUES (1)"
    )
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    assert SECRET not in result.script
    findings = {result.plan.steps[f.step].key[3]: f for f in result.plan.data_checks}
    assert findings["leak"].count is None
    assert "pg_catalog.pg_read_file" in findings["leak"].message
    assert findings["plain"].count == 0  # an immutable expression is still counted


def test_a_stable_operator_of_a_users_is_not_run_either(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """An operator planted in the target's public schema (a stable function may read a
    server file) named by the source's CHECK: not counted; pg_catalog's stable ones are."""
    operator = """
    CREATE FUNCTION public.peek(int, int) RETURNS boolean STABLE LANGUAGE sql
      AS 'SELECT $1 > $2';
    CREATE OPERATOR public.>>> (LEFTARG = int, RIGHTARG = int, FUNCTION = public.peek);
    """
    source = make_db(
        operator + "CREATE SCHEMA shop; CREATE TABLE shop.t (a int, ts timestamptz, "
        "CONSTRAINT planted CHECK (a OPERATOR(public.>>>) 0), "
        "CONSTRAINT builtin CHECK (ts::date > '2000-01-01'::date));"
    )
    target = make_db(
        operator + "CREATE SCHEMA shop; CREATE TABLE shop.t (a int, ts timestamptz); "
        "INSERT INTO shop.t VALUES (1, '2024-01-01')"
    )
    result = compare(server.settings(source, "shop"), server.settings(target, "shop"))
    findings = {result.plan.steps[f.step].key[3]: f for f in result.plan.data_checks}
    assert findings["planted"].count is None
    assert "operator public.>>>" in findings["planted"].message
    assert findings["builtin"].count == 0
