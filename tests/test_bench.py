"""The benchmark's layouts and its lower bound (bench/): every layout is deterministic, loads,
and converges under ddp sync; the lower bound stands apart from DDP's queries and keeps DDP's
safety rules (schema-qualified SQL, an empty search_path)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, apply_script, load, sync

BENCH = Path(__file__).resolve().parent.parent / "bench"
LAYOUTS = ("public", "schemas", "wide", "functions", "partitions", "cross")
N = 24


def generate(layout: str, changed: bool, n: int = N) -> str:
    cmd = [sys.executable, str(BENCH / "generate.py"), "--layout", layout, "--tables", str(n)]
    out = subprocess.run(cmd + (["--changed"] if changed else []), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_is_deterministic_and_its_changed_variant_differs(layout: str) -> None:
    base, changed = generate(layout, False), generate(layout, True)
    assert generate(layout, False) == base
    assert generate(layout, True) == changed
    assert base.splitlines()[2:] != changed.splitlines()[2:]


def test_layouts_have_their_shape() -> None:
    wide = generate("wide", False)
    widths = [block.count("\n    ") for block in re.findall(r"CREATE TABLE [^;]*\);", wide)]
    assert widths and min(widths) >= 200
    schemas = set(re.findall(r"CREATE TABLE (\w+)\.", generate("schemas", False)))
    assert len(schemas) == 7
    parts = generate("partitions", False, n=402)
    assert parts.count("PARTITION BY") == 2 and parts.count("PARTITION OF") >= 400
    assert set(re.findall(r"CREATE TABLE (\w+)\.", generate("cross", True))) == {"a"}
    assert set(re.findall(r"CREATE TABLE (\w+)\.", generate("cross", False))) == {"b"}


def run_lower_bound(server: Server, source: str, target: str, *scope: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(BENCH / "lower_bound.py"), "--host", server.host]
        + ["--port", str(server.port), "--username", server.user]
        + ["--source-database", source, "--target-database", target, *scope],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_loads_reads_and_converges(
    layout: str, server: Server, make_db: Any, tmp_path: Path
) -> None:
    """Each layout's pair loads, the lower bound reads both sides, and ddp's script, applied to
    the target, leaves nothing to sync."""
    if layout == "cross":
        source = target = make_db()
        load(server, source, generate(layout, True))
        load(server, target, generate(layout, False))
        scope = {"source_schema": "a", "target_schema": "b"}
        flags = ["--source-schema", "a", "--target-schema", "b"]
    else:
        source, target = make_db(generate(layout, True)), make_db(generate(layout, False))
        scope = {"all_schemas": True} if layout == "schemas" else {}
        flags = ["--all-schemas"] if layout == "schemas" else []
    bound = run_lower_bound(server, source, target, *flags)
    for side in ("source", "target"):
        rows = bound[side]["rows_per_query"]
        assert rows["relations"] >= N and rows["columns"] >= 8 * N and rows["indexes"] >= N
        if layout == "functions":  # two views a table, their texts read batch by batch
            assert rows["views"] >= 2 * N
    assert bound["source"]["rows_per_query"] != bound["target"]["rows_per_query"]
    if layout == "schemas":
        assert bound["source"]["rows_per_query"]["schemas"] == 7
    first = sync(server, source, target, **scope)
    assert not first.plan.is_empty
    apply_script(server, target, first.script, tmp_path)
    second = sync(server, source, target, **scope)
    assert second.plan.is_empty, [c.label for c in second.plan.changes]


def test_lower_bound_stands_apart_and_is_schema_qualified() -> None:
    """It must not follow DDP's queries (no import, no reading of ddp_engine), and its SQL
    names every catalog and operator by schema, as DDP's own must."""
    text = (BENCH / "lower_bound.py").read_text()
    assert "ddp_engine" not in text.split('"""', 2)[2].replace("``ddp_engine/queries/``", "")
    assert "set_config('search_path', '', false)" in text
    spec = importlib.util.spec_from_file_location("lower_bound", BENCH / "lower_bound.py")
    assert spec and spec.loader
    lower_bound = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lower_bound)
    for sql in [lower_bound.SCHEMAS, lower_bound.VIEWS, *lower_bound.QUERIES.values()]:
        bare = re.sub(r"OPERATOR\(pg_catalog\.[^)]+\)", "", re.sub(r"'[^']*'", "''", sql))
        assert not re.search(r"[=<>~]", bare), sql
        for name in re.findall(r"(?:FROM|JOIN)\s+([\w.]+)", sql):
            assert name.startswith("pg_catalog.") or name in ("rel", "obj"), name


def _bench_module(name: str) -> Any:
    """A module of bench/ (which imports its neighbours by their plain names)."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


def _pair(layout: str, n: int, seconds: float, mb: float, measured: str) -> dict[str, Any]:
    ddp = {"median_s": seconds, "peak_rss_mb": mb, "runs": [{"seconds": seconds}]}
    return {"layout": layout, "n": n, "measured": measured, "tools": {"ddp": ddp}}


def test_appended_runs_keep_what_they_did_not_measure_again() -> None:
    """``--append``: a run of one layout replaces that layout's figures and keeps the rest,
    in layout order."""
    merged = _bench_module("run").merged
    kept = [_pair("wide", 10000, 60, 400, "old"), _pair("public", 10000, 9, 300, "old")]
    results = {"runs": 3, "pairs": [_pair("public", 10000, 8, 250, "new")]}
    pairs = merged(results, kept)["pairs"]
    assert [(p["layout"], p["measured"]) for p in pairs] == [("public", "new"), ("wide", "old")]


def test_growth_to_100000_tables_is_judged_against_its_goal() -> None:
    growth = _bench_module("report")._growth
    within = growth([_pair("public", 10000, 10, 300, "a"), _pair("public", 100000, 100, 2000, "b")])
    assert any("10.0 ×" in line and ": met" in line for line in within)
    beyond = growth([_pair("public", 10000, 10, 300, "a"), _pair("public", 100000, 150, 900, "b")])
    assert any(": not met" in line for line in beyond)
    assert growth([_pair("public", 10000, 10, 300, "a")]) == []
