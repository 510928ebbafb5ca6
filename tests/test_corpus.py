"""Every schema pair of ../shared/corpus (a peer's real fixtures) converges.

a.sql is the target's starting schema, b.sql the source's desired one; the sync runs with
--all-schemas like the independent checker (shared/tools/converge.py) does.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import CORPUS, Server, apply_script, sync

CASES = (
    sorted(p.name for p in CORPUS.iterdir() if (p / "a.sql").is_file()) if CORPUS.is_dir() else []
)


def ensure_roles(server: Server, case: Path) -> None:
    meta = case / "meta.json"
    roles = json.loads(meta.read_text()).get("roles", []) if meta.is_file() else []
    with server.connect() as conn:
        for role in roles:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'CREATE ROLE "{role}" NOLOGIN')


@pytest.mark.skipif(not CASES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("case", CASES)
def test_corpus_case_converges(case: str, server: Server, make_db, tmp_path: Path) -> None:
    folder = CORPUS / case
    ensure_roles(server, folder)
    target, source = make_db(), make_db()
    try:
        with server.connect(target) as conn:
            conn.execute((folder / "a.sql").read_bytes())
        with server.connect(source) as conn:
            conn.execute((folder / "b.sql").read_bytes())
    except psycopg.Error as exc:  # e.g. ICU collations on a build without ICU
        pytest.skip(f"fixture does not load on this server: {exc}")
    first = sync(server, source, target, all_schemas=True)
    try:
        apply_script(server, target, first.script, tmp_path)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"script failed:\n{exc.stderr}\n{first.script}") from None
    second = sync(server, source, target, all_schemas=True)
    assert second.plan.is_empty, second.script
