"""Only transient connection failures are retried (with backoff); a wrong database name, a
refused login or an apply never are."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.assets import PairAssets
from ddp_dagster.pair_context import BACKOFF_SECONDS, RETRIES
from ddp_dagster.resources import PostgresSchemaResource
from ddp_engine.connect import connect
from ddp_engine.errors import ConnectionFailed
from ddp_engine.settings import ConnectionSettings


def test_connection_errors_say_whether_they_may_pass(server) -> None:
    closed = ConnectionSettings(host="127.0.0.1", port=1, database="x", user=server.user)
    with pytest.raises(ConnectionFailed) as refused:
        connect(closed, "source")
    assert refused.value.transient is True
    missing = ConnectionSettings(
        host=server.host, port=server.port, database="ddp_test_no_such_db", user=server.user
    )
    with pytest.raises(ConnectionFailed) as wrong_name:
        connect(missing, "source")
    assert wrong_name.value.transient is False


def test_a_refused_connection_asks_dagster_to_retry_with_backoff(
    make_pair, default_assets: PairAssets, tmp_path: Path
) -> None:
    pair = make_pair()
    resources = pair.resources(default_assets.pair, tmp_path)
    resources["source_db"] = PostgresSchemaResource(
        host="127.0.0.1", port=1, database=pair.source, username=pair.server.user
    )
    with (
        dg.build_asset_context(resources=resources) as context,
        pytest.raises(dg.RetryRequested) as retry,
    ):
        default_assets.source_schema(context)
    assert retry.value.max_retries == RETRIES
    assert retry.value.seconds_to_wait == BACKOFF_SECONDS


def test_a_wrong_database_name_fails_without_retry(
    make_pair, default_assets: PairAssets, tmp_path: Path
) -> None:
    pair = make_pair()
    resources = pair.resources(default_assets.pair, tmp_path)
    resources["target_db"] = pair.resource("ddp_test_no_such_db")
    with (
        dg.build_asset_context(resources=resources) as context,
        pytest.raises(dg.Failure) as failed,
    ):
        default_assets.target_schema(context)
    assert "does not exist" in failed.value.description
    assert failed.value.allow_retries is False
