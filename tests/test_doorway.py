"""The faces go through one doorway: what they import, and how each words the same error.

No server: the imports are read from the source (module level, in functions and under
``TYPE_CHECKING`` alike), the errors are built by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ddp_dagster.pair_context import DAGSTER
from ddp_engine.cli import DEMO
from ddp_engine.errors import (
    COMMAND,
    ApplyFailed,
    BadInput,
    CredentialsMissing,
    DdpError,
    PlanRefused,
    TargetChanged,
)

ROOT = Path(__file__).resolve().parents[1]
#: The stages only the doorway (ddp_engine.sync) calls.
STAGES = {
    "ddp_engine.introspect",
    "ddp_engine.diff",
    "ddp_engine.ddl",
    "ddp_engine.render",
    "ddp_engine.apply",
}


def modules() -> dict[str, Path]:
    found = {}
    for package in ("ddp_engine", "ddp_dagster"):
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, wherever the import statement stands."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                out.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return {name for name in out if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def is_stage(name: str) -> bool:
    return any(name == s or name.startswith(s + ".") for s in STAGES)


def test_faces_call_the_stages_only_through_the_doorway():
    edges = graph()
    faces = ["ddp_engine.cli", "ddp_engine.demo"]
    faces += [m for m in edges if m.startswith("ddp_dagster")]
    for face in faces:
        assert not {m for m in edges[face] if is_stage(m)}, face
    assert any("ddp_engine.sync" in edges[face] for face in faces)


def test_no_module_is_in_an_import_circle():
    """No module of ddp_engine or ddp_dagster reaches itself through its imports, those under
    ``if TYPE_CHECKING:`` and inside functions included; the demo does not reach the CLI."""
    edges = graph()
    assert "ddp_engine.cli" not in reachable(edges, "ddp_engine.demo")
    circled = sorted(name for name in edges if name in reachable(edges, name))
    assert circled == []


def test_only_connect_opens_sessions():
    """Every session on a server starts with ddp's session settings (connect.session_options)."""
    openers = {
        name
        for name, path in modules().items()
        if "psycopg.connect(" in path.read_text()
        and not name.startswith(("ddp_engine.embedded", "ddp_engine.connect"))
    }
    assert openers == set()


@pytest.mark.parametrize("face", [COMMAND, DEMO, DAGSTER])
def test_every_face_prefixes_the_same_reason(face):
    err = DdpError("DDP SYNC failed: cannot write /x/alter.sql: Permission denied")
    assert err.reason == "cannot write /x/alter.sql: Permission denied"
    assert err.line(face) == f"{face.prefix}: {err.reason}"
    assert BadInput("a b\n c").line(face) == f"{face.prefix}: a b c"
    seed = CredentialsMissing("Error: Source database credentials are required.")
    assert seed.line(face) == "Error: Source database credentials are required."


def test_remedies_are_in_each_face_s_words():
    changed = TargetChanged("the target changed since the plan was made")
    assert changed.message == (
        "DDP SYNC failed: the target changed since the plan was made; "
        "run ddp sync again to make a fresh plan"
    )
    assert "ddp sync" not in changed.line(DAGSTER)
    assert "materialise this pair's schema_diff" in changed.line(DAGSTER)

    refused = PlanRefused(["values_change", "values_fail"])
    assert refused.message.endswith(
        "(review the script, then allow them with --allow-hazards values_change,values_fail)"
    )
    assert "allow_hazards: [values_change,values_fail] in applied_plan's config" in refused.line(
        DAGSTER
    )

    online = ApplyFailed(
        "the main part was applied, but an online statement failed: x", finish=True
    )
    assert online.message.endswith("(run ddp sync again to finish)")
    assert "ddp sync" not in online.line(DAGSTER)
    assert ApplyFailed("nothing was changed").line(DAGSTER) == "DDP failed: nothing was changed"
    differs = ApplyFailed("the target does not match", differs=True)
    assert differs.message.endswith("; run ddp sync --dry-run to see what differs")
    assert differs.line(DAGSTER).endswith(
        "; materialise this pair's schema_diff to see what differs"
    )


def test_exit_codes_by_cause():
    assert BadInput("x").exit_code == 64
    assert CredentialsMissing("Error: x").exit_code == 64
    for cause in (TargetChanged("x"), PlanRefused(["values_change"]), ApplyFailed("x")):
        assert cause.exit_code == 1


def test_options_refuse_bad_input_the_same_for_every_face():
    """SyncOptions checks what either face passes (flags or resource config) before anything
    starts; the line names the flag and the Dagster variable."""
    from ddp_engine.sync import SyncOptions

    with pytest.raises(BadInput) as bad:
        SyncOptions(lock_timeout="soon")
    assert "--lock-timeout" in bad.value.reason and "DDP_LOCK_TIMEOUT" in bad.value.reason
    with pytest.raises(BadInput, match="statement timeout"):
        SyncOptions(statement_timeout="1; DROP TABLE t")
    with pytest.raises(BadInput, match="'nope'"):
        SyncOptions.model_validate({"allow_hazards": ["values_change,nope"]})
    allowed = SyncOptions.model_validate({"allow_hazards": ["values_change, values_fail"]})
    assert allowed.allow_hazards == {"values_change", "values_fail"}
    assert SyncOptions(read_timeout="1.5 min").limits().statement_timeout == "1.5 min"
