"""A side given as one URL (``SOURCE_DB_URL`` / ``TARGET_DB_URL``), as ``ddp sync`` reads it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.resources import PostgresSchemaResource
from ddp_engine.errors import BadInput


def _url(pair, database: str, password: str = "") -> str:
    secret = f":{password}" if password else ""
    return (
        f"postgresql://{pair.server.user}{secret}@{pair.server.host}:{pair.server.port}/{database}"
    )


def test_resources_read_the_url_variables(make_pair, tmp_path: Path, monkeypatch) -> None:
    from ddp_dagster.definitions import DRIFT_JOB, build_definitions
    from ddp_dagster.pairs import PairSpec

    pair = make_pair()
    for name in ("NAME", "USER", "HOST", "PORT", "PASSWORD", "SCHEMA", "SSLMODE"):
        monkeypatch.delenv(f"SOURCE_DB_{name}", raising=False)
        monkeypatch.delenv(f"TARGET_DB_{name}", raising=False)
    monkeypatch.setenv("SOURCE_DB_URL", _url(pair, pair.source, "hunter2"))
    monkeypatch.setenv("TARGET_DB_URL", _url(pair, pair.target))
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    source = PostgresSchemaResource.from_env("SOURCE_DB_")
    assert source.url == dg.EnvVar("SOURCE_DB_URL") and source.database == ""
    defs = build_definitions(pairs=[PairSpec()])
    result = defs.resolve_job_def(DRIFT_JOB).execute_in_process()
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False  # the target lacks the source's tables
    assert "hunter2" not in repr(evaluation.metadata)


def test_a_field_wins_over_the_urls_part(make_pair) -> None:
    pair = make_pair()
    resource = PostgresSchemaResource(url=_url(pair, "elsewhere"), database=pair.target)
    settings = resource.settings()
    assert (settings.host, settings.port) == (pair.server.host, pair.server.port)
    assert settings.database == pair.target and settings.user == pair.server.user
    assert resource.describe() == (
        f"{pair.server.user}@{pair.server.host}:{pair.server.port}/{pair.target} schema public"
    )
    with pytest.raises(BadInput, match="set database and username, or a url"):
        PostgresSchemaResource(host="db").settings()
    with pytest.raises(BadInput) as bad:
        PostgresSchemaResource(url="postgresql://u:hunter2@h:notaport/d").settings()
    assert "hunter2" not in bad.value.reason and "url" in bad.value.reason
