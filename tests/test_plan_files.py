"""Reviewed plans on a real server: ``ddp plan`` writes a file, ``ddp apply`` applies exactly
that file later, or refuses (target moved, blocking hazard not allowed, file edited, no consent)
and changes nothing. Also: ``ddp sync --dry-run`` output runs under ``psql -1``, and every JSON
follows schema/plan.schema.json."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import Server
from tests.judge import judge, picture
from tests.plan_helpers import both, ddp, plan_schema, side, validate

#: A column whose quoted name holds a newline: the plan, script and comments must survive it.
SOURCE = """
CREATE TABLE t (id int PRIMARY KEY, price numeric(10, 2), label varchar(20) NOT NULL,
                "odd
name" int);
CREATE INDEX t_label ON t (label);
"""
TARGET = """
CREATE TABLE t (id int PRIMARY KEY, price numeric(10, 2), label varchar(20), gone text);
INSERT INTO t VALUES (1, 1.25, 'a', 'x'), (2, 2.5, 'b', NULL);
"""
#: The target's prices have four decimals: the plan carries the blocking values_change.
ROUNDED = TARGET.replace("numeric(10, 2)", "numeric(10, 4)").replace("1.25,", "1.2345,")


@pytest.fixture
def pair(make_db: Callable[[str], str]) -> Callable[[str], tuple[str, str]]:
    return lambda target_sql=TARGET: (make_db(SOURCE), make_db(target_sql))


def state(server: Server, db: str) -> tuple[object, list[tuple[object, ...]]]:
    """The target's schema as the independent judge reads it, and its rows."""
    with server.connect(db) as conn:
        rows = conn.execute("SELECT * FROM public.t ORDER BY id").fetchall()
        return picture(conn), rows


def converged(server: Server, source: str, target: str) -> list[str]:
    with server.connect(source) as src, server.connect(target) as tgt:
        return judge(src, tgt)


def make_plan(server: Server, source: str, target: str, tmp_path: Path, *extra: str) -> Path:
    made = ddp("plan", *both(server, source, target), "--output", "plan.json", *extra, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    return tmp_path / "plan.json"


def apply(
    server: Server, target: str, tmp_path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return ddp("apply", "plan.json", *side(server, "target", target), *extra, cwd=tmp_path)


def test_plan_then_apply_converges(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    path = make_plan(server, source, target, tmp_path, "--sql", "plan.sql")
    document = json.loads(path.read_text())
    validate(document)
    assert (tmp_path / "plan.sql").read_text() == document["script"]
    statements = [s for step in document["plan"]["steps"] for s in step["statements"]]
    assert any('"odd\nname"' in s for s in statements)
    assert document["target"]["database"] == target and document["plan"]["blocking_hazards"] == []
    applied = apply(server, target, tmp_path, "--yes")
    assert applied.returncode == 0, applied.stderr
    assert converged(server, source, target) == []
    again = ddp("sync", *both(server, source, target), "--dry-run", "--exit-code", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_apply_refuses_when_the_target_moved(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    make_plan(server, source, target, tmp_path)
    with server.connect(target) as conn:
        conn.execute("ALTER TABLE public.t ADD COLUMN extra int")
    before = state(server, target)
    refused = apply(server, target, tmp_path, "--yes")
    assert refused.returncode == 1
    [line] = refused.stderr.splitlines()
    assert line.startswith("DDP APPLY failed: the target changed since the plan was made")
    assert state(server, target) == before


def test_blocking_hazard_needs_consent(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair(ROUNDED)
    path = make_plan(server, source, target, tmp_path)
    assert json.loads(path.read_text())["plan"]["blocking_hazards"] == ["values_change"]
    before = state(server, target)
    refused = apply(server, target, tmp_path, "--yes")
    assert refused.returncode == 1
    [line] = refused.stderr.splitlines()
    assert "values_change" in line and "--allow-hazards values_change" in line
    assert state(server, target) == before
    allowed = apply(server, target, tmp_path, "--yes", "--allow-hazards", "values_change")
    assert allowed.returncode == 0, allowed.stderr
    assert converged(server, source, target) == []
    with server.connect(target) as conn:
        assert conn.execute("SELECT price::text FROM public.t WHERE id = 1").fetchone() == ("1.23",)


def test_hand_edited_plan_is_refused(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    path = make_plan(server, source, target, tmp_path)
    document = json.loads(path.read_text())
    step = document["plan"]["steps"][0]
    step["statements"][0] = "DROP TABLE public.t"
    document["script"] = document["script"].replace("ALTER TABLE", "DROP TABLE public.t; --", 1)
    path.write_text(json.dumps(document, indent=2))
    before = state(server, target)
    refused = apply(server, target, tmp_path, "--yes")
    assert refused.returncode == 64
    [line] = refused.stderr.splitlines()
    assert "was changed after it was written" in line and line.endswith("with ddp plan")
    assert state(server, target) == before


def test_apply_without_a_terminal_needs_yes(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    make_plan(server, source, target, tmp_path)
    before = state(server, target)
    asked = apply(server, target, tmp_path)
    assert asked.returncode == 64
    assert "give --yes" in asked.stderr and len(asked.stderr.splitlines()) == 1
    assert state(server, target) == before
    other = ddp("apply", "plan.json", *side(server, "target", source), "--yes", cwd=tmp_path)
    assert other.returncode == 64 and f"of database {target}, not" in other.stderr
    missing = ddp("apply", "nothere.json", *side(server, "target", target), cwd=tmp_path)
    assert missing.returncode == 64 and missing.stderr.startswith("DDP APPLY failed: cannot read")


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql not installed")
def test_dry_run_output_runs_under_psql(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    dry = ddp("sync", *both(server, source, target), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Script written to alter.sql" in dry.stderr
    assert dry.stdout.startswith("-- ") and "difference(s)" in dry.stdout
    script = tmp_path / "f.sql"
    script.write_text(dry.stdout)
    psql = [
        "psql", "-X", "-v", "ON_ERROR_STOP=1", "-1", "-f", str(script),
        "-h", server.host, "-p", str(server.port), "-U", server.user, "-d", target,
    ]  # fmt: skip
    ran = subprocess.run(psql, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert converged(server, source, target) == []


def test_output_dash_and_quiet(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    out = ddp("sync", *both(server, source, target), "--output", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("-- ====") and "difference(s)" in out.stderr
    assert not (tmp_path / "alter.sql").exists() and not (tmp_path / "-").exists()
    quiet = ddp("sync", *both(server, source, target), "--dry-run", "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout == (tmp_path / "alter.sql").read_text()
    made = ddp("plan", *both(server, source, target), "--output", "-", "--quiet", cwd=tmp_path)
    assert made.returncode == 0 and made.stderr == ""
    validate(json.loads(made.stdout))


def test_json_follows_the_schema_and_no_password(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    secret = {"SOURCE_DB_PASSWORD": "pw-s3cr3t-src", "TARGET_DB_PASSWORD": "pw-s3cr3t-tgt"}
    sync = ddp("sync", *both(server, source, target), "--format", "json", "--dry-run", cwd=tmp_path)
    assert sync.returncode == 0, sync.stderr
    plan = json.loads(sync.stdout)
    validate(plan)
    assert plan["format_version"] == 1
    made = ddp("plan", *both(server, source, target), cwd=tmp_path, env=secret)
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "plan.json").read_text()
    validate(json.loads(text))
    for shown in (text, made.stdout, made.stderr):
        assert "s3cr3t" not in shown
    with pytest.raises(jsonschema.ValidationError):  # the schema can fail
        jsonschema.validate({**plan, "steps": [{"section": "NOPE"}]}, plan_schema())


def test_check_text_printed_anew_still_verifies(server: Server, make_db, tmp_path: Path) -> None:
    """A CHECK (varchar IN (...)) prints differently once re-created from its text: the apply
    still verifies (and says so), since every other compared fact matches."""
    source = make_db(
        "CREATE TABLE t (id int, status text CHECK (status::varchar(2) IN ('DF', 'PB')));"
    )
    target = make_db("CREATE TABLE t (id int, status text);")
    make_plan(server, source, target, tmp_path)
    applied = apply(server, target, tmp_path, "--yes")
    assert applied.returncode == 0, applied.stderr
    assert "prints some view or CHECK texts differently" in applied.stdout
    assert converged(server, source, target) == []


def test_apply_that_does_not_reach_the_source_fails(server: Server, pair, tmp_path: Path) -> None:
    """Verification is against the source recorded in the plan: a plan file whose source
    fingerprint is not what its statements make (digest recomputed) fails after applying."""
    from ddp_engine.planfile import digest_of

    source, target = pair()
    path = make_plan(server, source, target, tmp_path)
    document = json.loads(path.read_text())
    document["source_fingerprint"] = document["source_fingerprint_texts_aside"] = "0" * 64
    document["digest"] = digest_of(document)
    path.write_text(json.dumps(document))
    failed = apply(server, target, tmp_path, "--yes")
    assert failed.returncode == 1
    [line] = failed.stderr.splitlines()
    assert line.startswith("DDP APPLY failed: the plan was applied, but the target does not match")


def test_online_plan_applies_its_online_part(server: Server, pair, tmp_path: Path) -> None:
    source, target = pair()
    path = make_plan(server, source, target, tmp_path, "--online")
    steps = json.loads(path.read_text())["plan"]["steps"]
    assert any(s["online"] and "CONCURRENTLY" in s["statements"][0] for s in steps)
    applied = apply(server, target, tmp_path, "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert converged(server, source, target) == []


def test_terminal_confirmation(server: Server, pair, tmp_path: Path) -> None:
    """On a terminal the summary is shown and the answer decides; "n" applies nothing."""
    import os
    import pty

    source, target = pair()
    make_plan(server, source, target, tmp_path)
    before = state(server, target)
    for answer, code in (("n", 1), ("y", 0)):
        controller, terminal = pty.openpty()
        with subprocess.Popen(
            [sys.executable, "-m", "ddp_engine.cli", "apply", "plan.json",
             *side(server, "target", target)],
            cwd=tmp_path, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        ) as running:  # fmt: skip
            os.write(controller, f"{answer}\n".encode())
            out, err = running.communicate(timeout=120)
        os.close(controller), os.close(terminal)
        assert running.returncode == code, err
        assert "difference(s)" in out and "Apply this plan to the target?" in out
        if answer == "n":
            assert state(server, target) == before
    assert converged(server, source, target) == []
