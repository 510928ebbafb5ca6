"""Plan → script text in the seed's layout: header, one banner section per kind, footer.

A script that changes something starts with the session settings it relies on: an empty
search_path (nothing planted in a schema can capture a name; every user object the script names
is schema-qualified, the deparsed texts included). A script for schemas already in sync holds
only comments: checkers count any statement as a difference.
"""

from __future__ import annotations

from ddp_engine.plan import SECTIONS, SEED_SECTIONS
from ddp_engine.plan_model import Plan
from ddp_engine.sqltext import literal

RULE = "-- ==========================================="


def one_line(text: str) -> str:
    """Text for a ``--`` comment: a newline in a name must not end the comment."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def banner(title: str) -> list[str]:
    return [RULE, f"-- {title}", RULE]


def header(plan: Plan) -> list[str]:
    return [
        RULE,
        "-- Schema Sync Script",
        f"-- Dev Schema: {one_line(plan.source_label)}",
        f"-- Prod Schema: {one_line(plan.target_label)}",
        f"-- Generated: {plan.generated_at}",
        RULE,
    ]


def prelude(plan: Plan) -> list[str]:
    # The data checks counted under the target's TimeZone: convert under it too.
    zone = [f"SET TimeZone = {literal(plan.time_zone)};"] if plan.time_zone else []
    return [
        *zone,
        f"SET lock_timeout = {literal(plan.lock_timeout)};",
        f"SET statement_timeout = {literal(plan.statement_timeout)};",
        # values convert to and from text the same way whoever runs the script (ddp's
        # sessions read and count under these too: connect.session_options)
        "SET DateStyle = 'ISO, MDY';",
        "SET IntervalStyle = 'postgres';",
        "SET extra_float_digits = 3;",
        "SET standard_conforming_strings = on;",
        "SET check_function_bodies = false;",
        "SET client_min_messages = warning;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
    ]


def _comment_lines(text: str) -> list[str]:
    return ["-- " + line if line else "--" for line in text.splitlines()]


def render_script(plan: Plan) -> str:
    """The whole script: runnable with ``psql -v ON_ERROR_STOP=1 -f`` as written."""
    out = header(plan)
    out.append("")
    for note in plan.notes:
        out += _comment_lines(f"NOTE: {one_line(note)}")
    for h in plan.plan_hazards:
        out.append(f"-- hazard {one_line(h.line())}")
    for warning in plan.warnings:
        out += _comment_lines(f"WARNING: {warning}")
    if plan.unsupported:
        out.append("-- Objects DDP does not synchronise (compare them by hand):")
        for u in plan.unsupported:
            out.append(f"--   {one_line(u.object_type)} {one_line(u.identity)}")
    if plan.warnings or plan.unsupported or plan.notes or plan.plan_hazards:
        out.append("")
    if plan.is_empty:
        out.append("-- Source and target are in sync: nothing to do.")
        out.append("")
    else:
        out += prelude(plan)
        out.append("")
        online = [i for i, s in enumerate(plan.steps) if s.online]
        if online:
            out += [
                "-- The main part runs in one transaction; the online part after it cannot.",
                "BEGIN;",
                "",
            ]
        out += _sections(plan)
        if online:
            out += ["COMMIT;", ""]
            out += banner(
                "ONLINE PART (outside a transaction, each statement on its own: "
                "run with psql -f, not --single-transaction)"
            )
            for i in online:
                out += _step_lines(plan, i, None)
    if plan.cleanup:
        out += banner("CLEANUP (run by hand after verifying the renamed objects' data)")
        out.append("-- These objects were renamed, not dropped, so that no data is lost.")
        out += ["-- " + one_line(statement) for statement in plan.cleanup]
        out.append("")
    out += banner("END OF SCHEMA SYNC SCRIPT")
    return "\n".join(out) + "\n"


def cleanup_script(plan: Plan) -> str:
    """The cleanup part as a runnable script of its own (empty when nothing was renamed)."""
    if not plan.cleanup:
        return ""
    lines = [
        RULE,
        f"-- Schema Sync Cleanup: drops the objects renamed by the sync of {plan.generated_at}",
        "-- Run only after verifying their data is not needed.",
        RULE,
    ]
    lines += list(plan.cleanup)
    return "\n".join(lines) + "\n"


def _sections(plan: Plan) -> list[str]:
    out: list[str] = []
    current = -1

    def open_until(rank: int) -> None:
        nonlocal current
        while current < rank:
            current += 1
            section = SECTIONS[current]
            has_steps = any(s.section == section for s in plan.steps)
            if has_steps or section in SEED_SECTIONS:
                out.extend(banner(f"{section} OPERATIONS"))
                if not has_steps:
                    out.append("-- No changes.")
                    out.append("")

    for index, step in enumerate(plan.steps):
        if step.online:
            continue
        rank = SECTIONS.index(step.section)
        open_until(rank)
        out += _step_lines(plan, index, None if rank >= current else step.section)
    open_until(len(SECTIONS) - 1)
    return out


def _step_lines(plan: Plan, index: int, moved_from: str | None) -> list[str]:
    """One step: its note, why it sits elsewhere, its hazards and data findings, its SQL."""
    step = plan.steps[index]
    out = [f"-- {one_line(step.note)}"]
    if moved_from:
        out.append(f"--   ({moved_from} statement placed here: it depends on statements above)")
    for hazard in step.hazards:
        out.append(f"--   hazard {one_line(hazard.line())}")
    for finding in plan.data_checks:
        if finding.step != index:
            continue
        if finding.hazard is not None:
            out.append(f"--   hazard {one_line(finding.hazard.line())}")
        else:
            word = "DATA CHECK FAILS" if finding.fails else "data check"
            out.append(f"--   {word}: {one_line(finding.message)}")
    out += [statement + ";" for statement in step.statements]
    out.append("")
    return out
