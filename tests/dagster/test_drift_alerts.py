"""Drift that alerts, and pairs that stay isolated: severity per pair, a drift job that fails on
drift when asked, a webhook sensor posting each drift once to a local HTTP server, and a pair
with an unset variable that fails alone while the other pair's jobs run green."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest

from ddp_dagster.alerts import SENSOR_NAME, WEBHOOK_ENV
from ddp_dagster.definitions import DRIFT_JOB, build_definitions
from ddp_dagster.pairs import load_pairs_file

PAIRS = (
    "include_default: false\n"
    "pairs:\n"
    "  sales: {source_env: SALES_SRC_DB_, target_env: SALES_TGT_DB_, fail_on_drift: true}\n"
    "  billing: {source_env: BILLING_SRC_DB_, target_env: BILLING_TGT_DB_,"
    " drift_severity: warn}\n"
    "  stock: {source_env: STOCK_SRC_DB_, target_env: STOCK_TGT_DB_}\n"
)


@pytest.fixture
def three_pairs(make_pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """sales and billing drift, stock is in sync; their variables set."""
    pairs_file = tmp_path / "pairs.yaml"
    pairs_file.write_text(PAIRS)
    specs = load_pairs_file(pairs_file)
    for spec, pair in zip(specs, (make_pair(), make_pair(), make_pair("", "")), strict=True):
        for name, value in pair.env(spec).items():
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDP_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.chdir(tmp_path)
    return specs


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}


def test_severity_per_pair_and_the_drift_job_fails_on_drift_when_asked(three_pairs):
    defs = build_definitions(pairs=three_pairs)
    result = defs.resolve_job_def(DRIFT_JOB).execute_in_process(raise_on_error=False)
    assert not result.success  # sales says fail_on_drift
    found = evaluations(result)
    assert (found["sales/schema_diff"].passed, found["sales/schema_diff"].severity) == (
        False,
        dg.AssetCheckSeverity.ERROR,
    )
    assert (found["billing/schema_diff"].passed, found["billing/schema_diff"].severity) == (
        False,
        dg.AssetCheckSeverity.WARN,
    )
    assert found["stock/schema_diff"].passed is True
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "sales__schema_diff_target_in_sync"
    assert "pair sales has drifted" in failure.step_failure_data.user_failure_data.description

    # each pair's own drift job: billing drifts with WARN and its run is green; sales fails
    assert defs.resolve_job_def("billing_drift_job").execute_in_process().success
    sales = defs.resolve_job_def("sales_drift_job").execute_in_process(raise_on_error=False)
    assert not sales.success


class Hook(BaseHTTPRequestHandler):
    """Records every POST body."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Hook.received = []
    monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook?token=t0k3n")
    yield Hook.received
    server.shutdown()


def test_the_webhook_sensor_posts_each_drifted_pair_once(three_pairs, webhook):
    defs = build_definitions(pairs=three_pairs)
    sensor = defs.resolve_sensor_def(SENSOR_NAME)
    with dg.instance_for_test() as instance:
        defs.resolve_job_def(DRIFT_JOB).execute_in_process(instance=instance, raise_on_error=False)
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert sorted(m["pair"] for m in webhook) == ["billing", "sales"]
        by_pair = {m["pair"]: m for m in webhook}
        assert by_pair["billing"]["severity"] == "WARN" and by_pair["sales"]["severity"] == "ERROR"
        assert by_pair["sales"]["asset"] == "sales/schema_diff"
        assert "create table public.orders" in by_pair["sales"]["drifted_objects"]
        assert by_pair["sales"]["changes"] > 0 and "sales has drifted" in by_pair["sales"]["text"]

        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
        assert len(webhook) == 2  # nothing new: nothing posted again
        assert again.skip_message == "no new drift"

        defs.resolve_job_def("billing_drift_job").execute_in_process(instance=instance)
        sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=again.cursor))
        assert [m["pair"] for m in webhook[2:]] == ["billing"]  # a new drift of billing


def test_without_the_url_the_sensor_skips(monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    sensor = build_definitions().resolve_sensor_def(SENSOR_NAME)
    with dg.instance_for_test() as instance:
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
    assert tick.skip_message == f"{WEBHOOK_ENV} is not set"


def test_a_pair_with_an_unset_variable_fails_alone(three_pairs, monkeypatch, caplog):
    monkeypatch.delenv("SALES_TGT_DB_USER")
    with caplog.at_level(logging.WARNING, logger="ddp_dagster"):
        defs = build_definitions(pairs=three_pairs)
    [line] = [r.getMessage() for r in caplog.records if r.name == "ddp_dagster"]
    assert line.startswith("DDP: pair sales: SALES_TGT_DB_USER not set;")
    dg.Definitions.validate_loadable(defs)

    assert defs.resolve_job_def("stock_drift_job").execute_in_process().success
    every = defs.resolve_job_def(DRIFT_JOB).execute_in_process(raise_on_error=False)
    failed = {e.step_key for e in every.all_events if e.is_step_failure}
    assert failed == {"sales__target_catalog"}  # observed first: target_schema waits on it
    [failure] = [e for e in every.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert "SALES_TGT_DB_USER not set when the code location loaded" in message
    assert evaluations(every)["stock/schema_diff"].passed is True
    assert evaluations(every)["billing/schema_diff"].passed is False
