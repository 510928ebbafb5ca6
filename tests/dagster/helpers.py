"""Helpers shared by the Dagster test modules."""

from __future__ import annotations

import dagster as dg


def metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    """The values of the one materialization of ``node`` in ``result``, by metadata key."""
    [mat] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in mat.metadata.items()}
