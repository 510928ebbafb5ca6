"""The Dagster assets keep the trust rules: with shadows planted in the writable schemas of
both databases, neither the snapshots, the diff, the check, the dry run nor the apply call
them, and the apply still converges."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import pytest

from tests.dagster.conftest import default_assets, make_pair, materialize  # noqa: F401
from tests.trust.conftest import Canary

SOURCE = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL CHECK (lower(email) = email));
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint REFERENCES customers (id),
    placed_at timestamptz DEFAULT now(),
    note varchar(40)
);
CREATE INDEX orders_note_idx ON orders (lower(note));
CREATE VIEW recent AS SELECT id, lower(note) AS note FROM orders WHERE note <> '';
"""
TARGET = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
INSERT INTO customers VALUES (1, 'a@example.com'), (2, 'b@example.com');
"""


def test_assets_never_call_planted_objects(
    request: pytest.FixtureRequest, planted: Callable[..., Canary]
) -> None:
    # the Dagster folder's fixtures, imported above, by name (their names are taken)
    pair = request.getfixturevalue("make_pair")(SOURCE, TARGET)
    run = request.getfixturevalue("materialize")
    planted(pair.source, "public")
    canary = planted(pair.target, "public")

    dry = run(pair, dry_run=True)
    assert dry.success
    canary.assert_silent()

    applied = run(pair, dry_run=False)
    assert applied.success
    canary.assert_silent()
    checks = {e.check_name: e for e in applied.get_asset_check_evaluations()}
    assert isinstance(checks["target_in_sync"], dg.AssetCheckEvaluation)

    again = run(pair, dry_run=True)
    assert again.output_for_node("schema_diff").is_empty
    canary.assert_silent()
