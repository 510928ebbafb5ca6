"""Running ``ddp plan`` / ``ddp apply`` / ``ddp sync`` as a user would, for the reviewed-plan
tests (tests/test_plan_files.py and the trust suite's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.conftest import Server

ROOT = Path(__file__).resolve().parent.parent


def ddp(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``ddp`` command with no connection variables of the caller's, stdin not a TTY."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DB_", "TARGET_DB_"))}
    clean.pop("OUTPUT_FILE", None)
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ddp_engine.cli", *args],
        cwd=cwd,
        env=clean,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def side(server: Server, name: str, database: str, schema: str = "public") -> list[str]:
    """The connection flags of one side (``name`` is source or target)."""
    return [
        f"--{name}-host", server.host, f"--{name}-port", str(server.port),
        f"--{name}-database", database, f"--{name}-username", server.user,
        f"--{name}-schema", schema,
    ]  # fmt: skip


def both(server: Server, source: str, target: str, schema: str = "public") -> list[str]:
    return [*side(server, "source", source, schema), *side(server, "target", target, schema)]


@cache
def plan_schema() -> dict[str, Any]:
    return dict(json.loads((ROOT / "schema" / "plan.schema.json").read_text()))


def validate(document: Any) -> None:
    """Raise unless ``document`` follows schema/plan.schema.json."""
    jsonschema.validate(document, plan_schema(), cls=jsonschema.Draft202012Validator)
