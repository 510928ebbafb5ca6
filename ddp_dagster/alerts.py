"""Drift that alerts: a sensor that posts each new drift of a pair to a webhook.

Open-source Dagster notifies nobody of a failed check. This sensor reads the latest evaluation
of every pair's ``target_in_sync`` check and, for each new failed one, posts one JSON message
to the URL in ``DDP_DRIFT_WEBHOOK_URL`` (read when the sensor runs, never shown: a webhook URL
often holds a token). Its cursor remembers the evaluations already seen, so each drift is
posted once. Turn it on in the UI (Automation), or start it running by default with
``DDP_DRIFT_WEBHOOK_SENSOR_STATUS=running``. The body (Slack and most chat webhooks take a
``text`` field)::

    {"text": "DDP: the target of pair sales has drifted: 3 object(s) differ",
     "pair": "sales", "asset": "sales/schema_diff", "check": "target_in_sync",
     "severity": "ERROR", "changes": 3, "drifted_objects": "- create table public.orders ...",
     "run_id": "..."}
"""

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

import dagster as dg

WEBHOOK_ENV = "DDP_DRIFT_WEBHOOK_URL"
SENSOR_NAME = "schema_drift_webhook_sensor"
POST_TIMEOUT = 10.0


def drift_message(pair: str, record: Any, evaluation: dg.AssetCheckEvaluation) -> dict[str, Any]:
    """The webhook's JSON body for one failed evaluation of ``pair``'s check."""
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    changes = meta.get("changes")
    return {
        "text": f"DDP: the target of pair {pair} has drifted: {changes} object(s) differ",
        "pair": pair,
        "asset": evaluation.asset_key.to_user_string(),
        "check": evaluation.check_name,
        "severity": evaluation.severity.value,
        "changes": changes,
        "drifted_objects": meta.get("drifted_objects"),
        "run_id": record.run_id,
    }


def post_json(url: str, body: dict[str, Any], pair: str) -> None:
    """POST ``body``; one line naming the pair and the cause (never the URL) if it fails."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise dg.Failure(
            f"posting the drift of pair {pair} to ${WEBHOOK_ENV}: HTTP {exc.code}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise dg.Failure(f"posting the drift of pair {pair} to ${WEBHOOK_ENV}: {reason}") from None


def build_drift_webhook_sensor(
    checks: Mapping[str, dg.AssetCheckKey],
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
) -> dg.SensorDefinition:
    """The sensor over ``checks`` (pair name → its ``target_in_sync`` key)."""

    @dg.sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=60,
        default_status=default_status,
        description=f"Posts each new drift of a pair (target_in_sync failed) to ${WEBHOOK_ENV}.",
    )
    def drift_webhook(context: dg.SensorEvaluationContext) -> dg.SkipReason | None:
        url = os.environ.get(WEBHOOK_ENV)
        if not url:
            return dg.SkipReason(f"{WEBHOOK_ENV} is not set")
        seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        posted = 0
        for pair, key in checks.items():
            record = context.instance.get_latest_asset_check_evaluation_record(key)
            evaluation = record.evaluation if record is not None else None
            name = key.to_user_string()
            if not isinstance(evaluation, dg.AssetCheckEvaluation) or record is None:
                continue
            if record.id <= seen.get(name, 0):
                continue
            if not evaluation.passed:
                post_json(url, drift_message(pair, record, evaluation), pair)
                posted += 1
            seen[name] = record.id
            context.update_cursor(json.dumps(seen, sort_keys=True))
        return None if posted else dg.SkipReason("no new drift")

    return drift_webhook
