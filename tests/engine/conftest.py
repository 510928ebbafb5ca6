"""Engine tests run with no server: asking for one here is a mistake, and fails at once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def server() -> None:
    pytest.fail("tests/engine run without a server: build Snapshots with tests/engine/kit.py")
