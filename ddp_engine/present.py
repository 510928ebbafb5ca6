"""What a plan says to people and tools, worded once for every face.

The ``ddp`` command's summary and ``--format json``, the demo's summary and the Dagster
assets' metadata all come from here, so that a plan reads the same wherever it is looked at.
Values are plain (text, numbers, lists, dicts): a face wraps them in its own types (Dagster's
``MetadataValue``) without changing what they say.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Protocol

from ddp_engine.diff import Change
from ddp_engine.hazards import BLOCKING
from ddp_engine.plan_model import Plan
from ddp_engine.render import one_line


class HasChanges(Protocol):
    """A plan, or the diff stage's result (``sync.SchemaDiff``): both list their changes."""

    @property
    def changes(self) -> tuple[Change, ...]: ...


#: Rows of the markdown table of changes (the JSON and the script hold every change).
MAX_TABLE_ROWS = 200


def summary(plan: Plan) -> str:
    """Per-section statement counts, hazards and what was renamed, for people."""
    lines = []
    if plan.is_empty:
        lines.append("Source and target are in sync: nothing to do.")
    else:
        counts = plan.counts()
        total = sum(counts.values())
        lines.append(f"{plan.differences} difference(s), {total} statement(s):")
        for section, n in counts.items():
            lines.append(f"  {section:<20} {n}")
        lines += hazard_lines(plan)
    if plan.cleanup:
        lines.append(
            f"{len(plan.cleanup)} object(s) renamed to keep their data; their DROP "
            "statements are in the script's CLEANUP part"
        )
    if plan.left_out:
        lines.append(f"{plan.left_out} object(s) out of scope: left as they are in the target")
    for u in plan.unsupported:
        lines.append(one_line(f"not synchronised: {u.object_type} {u.identity}"))
    for warning in plan.warnings:
        lines.append(f"warning: {warning}")
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines)


def hazard_lines(plan: Plan) -> list[str]:
    """Hazards by code (how many steps carry each), the blocking ones marked."""
    counts = Counter(h.code for _, h in plan.hazards())
    if not counts:
        return []
    lines = [f"{sum(counts.values())} hazard(s) (see the comments in the script):"]
    for code, n in sorted(counts.items()):
        mark = "  BLOCKING: --apply needs --allow-hazards " + code if code in BLOCKING else ""
        lines.append(f"  {code:<26} {n}{mark}")
    for note, h in plan.hazards():  # what consent would be given to, one line each
        if h.blocking:
            lines.append("  " + " ".join(f"{note}: {h.code}: {h.message}".split()))
    return lines


def drifted_objects(plan: HasChanges) -> list[str]:
    """``"<action> <kind> <object>"`` for every change (what still differs after an apply)."""
    return [f"{c.action} {c.kind} {c.label}" for c in plan.changes]


def hazards(plan: Plan) -> list[dict[str, Any]]:
    """Every hazard with the step that carries it."""
    return [
        {"step": note, "code": h.code, "message": h.message, "blocking": h.blocking}
        for note, h in plan.hazards()
    ]


def data_checks(plan: Plan) -> list[dict[str, Any]]:
    """What the data checks counted in the target, per step."""
    return [
        {
            "step": f.note,
            "count": f.count,
            "message": f.message,
            "fails": f.fails,
            "hazard": f.hazard.code if f.hazard else None,
        }
        for f in plan.data_checks
    ]


def changes_by_kind(plan: HasChanges) -> dict[str, dict[str, int]]:
    """``{kind: {action: n}}``, sorted."""
    counts = Counter((c.kind, c.action) for c in plan.changes)
    out: dict[str, dict[str, int]] = {}
    for (kind, action), n in sorted(counts.items()):
        out.setdefault(kind, {})[action] = n
    return out


def cell(text: str) -> str:
    """Text fit for one cell of a markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")


def changes_table(plan: HasChanges, limit: int = MAX_TABLE_ROWS) -> str:
    """A markdown table of the plan's changes (action, kind, object, changed fields)."""
    if not plan.changes:
        return "Source and target are in sync: no changes."
    lines = ["| action | kind | object | fields |", "| --- | --- | --- | --- |"]
    for change in plan.changes[:limit]:
        fields = ", ".join(change.fields)
        lines.append(f"| {change.action} | {change.kind} | {cell(change.label)} | {cell(fields)} |")
    if len(plan.changes) > limit:
        lines.append(f"\n… and {len(plan.changes) - limit} more change(s)")
    return "\n".join(lines)


def plan_facts(plan: Plan) -> dict[str, Any]:
    """The plan's figures and lists, by name: the JSON output's extra keys and the Dagster
    metadata of ``schema_diff`` are both made from these."""
    counts = plan.counts()
    found = hazards(plan)
    return {
        "in_sync": plan.is_empty,
        "changes": len(plan.changes),
        "differences": plan.differences,
        "changes_by_action": dict(Counter(c.action for c in plan.changes)),
        "changes_by_kind": changes_by_kind(plan),
        "statements": sum(counts.values()),
        "statements_by_section": counts,
        "hazard_count": len(found),
        "hazards": found,
        "hazard_codes": sorted({h["code"] for h in found}),
        "blocking_hazards": list(plan.refused()),
        "data_checks": data_checks(plan),
        "data_checks_failing": sum(1 for f in plan.data_checks if f.fails),
        "renamed_to_keep_data": len(plan.cleanup),
        "warnings": list(plan.warnings),
        "notes": list(plan.notes),
        "not_synchronised": [f"{u.object_type} {u.identity}" for u in plan.unsupported],
        "source": plan.source_label,
        "target": plan.target_label,
        "target_fingerprint": plan.target_fingerprint,
        "generated_at": plan.generated_at,
    }


#: The facts ``--format json`` adds beside the plan's own fields.
JSON_FACTS = ("in_sync", "hazards", "blocking_hazards")


#: The version of the plan's JSON (``--format json`` and plan files, schema/plan.schema.json):
#: it goes up when a field changes meaning or goes away, not when one is added.
FORMAT_VERSION = 1


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan for CI tools, as JSON values: ``--format json`` writes it, a plan file holds it."""
    data = plan.model_dump(mode="json")
    facts = plan_facts(plan)
    data |= {key: facts[key] for key in JSON_FACTS}
    return {"format_version": FORMAT_VERSION, **data}


def plan_json(plan: Plan) -> str:
    """The plan for CI tools: stable order, the same for the same input but the timestamp."""
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"


def sql_comments(text: str) -> str:
    """``text`` as ``--`` comment lines: whatever a line holds, psql reads it as a comment."""
    return "\n".join("-- " + line for line in text.splitlines())
