"""The script's layout: header, session settings, sections in order, hazards, cleanup, online part."""

from __future__ import annotations

from ddp_engine.model import Unsupported
from ddp_engine.render import cleanup_script, one_line
from tests.engine import objects as o
from tests.engine.kit import STAMP, col, plan_of, script_of, snapshot, table

TOMB = f"_dropped_{STAMP}"


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_header_names_both_sides_and_the_moment() -> None:
    lines = _lines(script_of(plan_of(snapshot(o.T), snapshot())))
    assert lines[:6] == [
        "-- ===========================================",
        "-- Schema Sync Script",
        "-- Dev Schema: dev",
        "-- Prod Schema: prod",
        "-- Generated: 2026-01-02T03:04:05.678Z",
        "-- ===========================================",
    ]
    assert lines[-2:] == [
        "-- END OF SCHEMA SYNC SCRIPT",
        "-- ===========================================",
    ]


def test_script_sets_empty_search_path_and_timeouts_before_any_statement() -> None:
    plan = plan_of(snapshot(o.T), snapshot(), lock_timeout="3s", statement_timeout="1min")
    lines = _lines(script_of(plan))
    first_sql = lines.index('CREATE TABLE "public"."t" (')
    settings = lines[:first_sql]
    assert "SET lock_timeout = '3s';" in settings
    assert "SET statement_timeout = '1min';" in settings
    assert "SELECT pg_catalog.set_config('search_path', '', false);" in settings
    assert "SET check_function_bodies = false;" in settings


def test_the_session_settings_in_full() -> None:
    """Values convert to and from text the same way whoever runs the script."""
    lines = _lines(script_of(plan_of(snapshot(o.T), snapshot())))
    start = lines.index("SET lock_timeout = '10s';")
    assert lines[start : start + 10] == [
        "SET lock_timeout = '10s';",
        "SET statement_timeout = '0';",
        "SET DateStyle = 'ISO, MDY';",
        "SET IntervalStyle = 'postgres';",
        "SET extra_float_digits = 3;",
        "SET standard_conforming_strings = on;",
        "SET check_function_bodies = false;",
        "SET client_min_messages = warning;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "",
    ]
    assert lines[start - 1] == ""


def test_script_in_sync_holds_only_comments() -> None:
    text = script_of(plan_of(snapshot(o.T), snapshot(o.T)))
    assert "-- Source and target are in sync: nothing to do." in text
    assert all(not line or line.startswith("--") for line in _lines(text))


def test_seed_sections_always_appear_in_order_with_no_changes_marked() -> None:
    text = script_of(plan_of(snapshot(o.T, o.INDEX), snapshot(o.T)))
    banners = [line[3:] for line in _lines(text) if line.endswith(" OPERATIONS")]
    assert banners == [
        "TABLE OPERATIONS",
        "COLUMN OPERATIONS",
        "FUNCTION/PROCEDURE OPERATIONS",
        "CONSTRAINT OPERATIONS",
        "INDEX OPERATIONS",
        "TRIGGER OPERATIONS",
    ]
    lines = _lines(text)
    table_at = lines.index("-- TABLE OPERATIONS")
    assert lines[table_at + 2] == "-- No changes."
    index_at = lines.index("-- INDEX OPERATIONS")
    assert lines[index_at + 2] != "-- No changes."


def test_every_section_in_its_place() -> None:
    """Types before tables, tables before their columns' functions, triggers before views."""
    source = snapshot(
        o.ENUM,
        o.SEQUENCE,
        o.T,
        o.PK,
        o.INDEX,
        o.TRIGGER_FN,
        o.TRIGGER,
        o.VIEW,
        o.POLICY,
        o.EXTENSION,
        dependencies=o.VIEW_DEPS + o.TRIGGER_DEPS,
    )
    source = source.model_copy(
        update={"tables": (o.T.model_copy(update={"acl": ("<owner>=arwdDxt", "alice=r")}),)}
    )
    text = script_of(plan_of(source, snapshot()))
    banners = [line[3:-11] for line in _lines(text) if line.endswith(" OPERATIONS")]
    assert banners == [
        "EXTENSION",
        "TYPE",
        "SEQUENCE",
        "TABLE",
        "COLUMN",
        "FUNCTION/PROCEDURE",
        "CONSTRAINT",
        "INDEX",
        "TRIGGER",
        "VIEW",
        "POLICY",
        "PRIVILEGE",
    ]


def test_other_sections_appear_only_with_steps() -> None:
    text = script_of(plan_of(snapshot(o.T, o.VIEW, dependencies=o.VIEW_DEPS), snapshot(o.T)))
    assert "-- VIEW OPERATIONS" in text
    assert "-- POLICY OPERATIONS" not in text
    assert "-- SCHEMA OPERATIONS" not in text


def test_each_step_shows_its_note_hazards_and_statements_ending_in_semicolons() -> None:
    text = script_of(plan_of(snapshot(), snapshot(o.T)))
    lines = _lines(text)
    at = lines.index("-- Rename extra table t before drop (data preservation)")
    assert lines[at + 1].startswith("--   hazard kept_as_tombstone: ")
    assert lines[at + 2].startswith("--   hazard access_exclusive_lock: ")
    assert lines[at + 3] == f'ALTER TABLE "public"."t" RENAME TO "t{TOMB}";'


def test_cleanup_is_commented_in_the_script_and_runnable_on_its_own() -> None:
    plan = plan_of(snapshot(), snapshot(o.T))
    text = script_of(plan)
    drop = f'DROP TABLE IF EXISTS "public"."t{TOMB}";'
    assert f"-- {drop}" in _lines(text)
    assert drop not in _lines(text)
    assert _lines(text)[-5:-3] == [f"-- {drop}", ""]
    runnable = cleanup_script(plan)
    assert _lines(runnable) == [
        "-- ===========================================",
        "-- Schema Sync Cleanup: drops the objects renamed by the sync of 2026-01-02T03:04:05.678Z",
        "-- Run only after verifying their data is not needed.",
        "-- ===========================================",
        drop,
    ]
    assert runnable.endswith(";\n")
    at = _lines(text).index(f"-- {drop}")
    assert _lines(text)[at - 4 : at] == [
        "-- ===========================================",
        "-- CLEANUP (run by hand after verifying the renamed objects' data)",
        "-- ===========================================",
        "-- These objects were renamed, not dropped, so that no data is lost.",
    ]
    assert cleanup_script(plan_of(snapshot(o.T), snapshot())) == ""


def test_online_steps_run_after_the_commit() -> None:
    plan = plan_of(
        snapshot(o.T, o.INDEX, o.PK, o.VIEW, dependencies=o.VIEW_DEPS), snapshot(o.T), online=True
    )
    lines = _lines(script_of(plan))
    assert lines[1] == "-- Schema Sync Script"
    # the online index comes before the view in plan order: the view stays in the main part
    view = lines.index('CREATE VIEW "public"."v" AS')
    assert view < lines.index("COMMIT;")
    assert lines[lines.index("BEGIN;") + 1] == ""
    assert lines[lines.index("COMMIT;") + 1] == ""
    begin, commit = lines.index("BEGIN;"), lines.index("COMMIT;")
    assert lines[begin - 1] == (
        "-- The main part runs in one transaction; the online part after it cannot."
    )
    assert lines[commit + 3] == (
        "-- ONLINE PART (outside a transaction, each statement on its own: "
        "run with psql -f, not --single-transaction)"
    )
    online = next(i for i, line in enumerate(lines) if "CREATE INDEX CONCURRENTLY" in line)
    constraint = next(i for i, line in enumerate(lines) if "ADD CONSTRAINT" in line)
    assert begin < constraint < commit < online
    assert not any(
        line == "BEGIN;" for line in _lines(script_of(plan_of(snapshot(o.T, o.PK), snapshot(o.T))))
    )


def test_a_step_placed_in_an_earlier_section_says_why() -> None:
    # a sequence owned by a new table's column is attached after the table (SEQUENCE after TABLE)
    from ddp_engine.model import Sequence

    seq = Sequence(
        schema_name="public", name="s", owned_by=("public", "t", "id"), acl=("<owner>=rwU",)
    )
    text = script_of(plan_of(snapshot(o.T, seq), snapshot()))
    assert "--   (SEQUENCE statement placed here: it depends on statements above)" in text


def test_warnings_and_unsupported_objects_are_listed_in_comments() -> None:
    odd = (Unsupported(schema_name="public", object_type="rule", identity="r1\nx"),)
    plan = plan_of(
        snapshot(o.T.model_copy(update={"partitioned": True, "partition_key": "LIST (id)"})),
        snapshot(o.T, unsupported=odd),
    )
    lines = _lines(script_of(plan))
    assert any(line.startswith("-- WARNING: table t: partitioning changed") for line in lines)
    assert "-- Objects DDP does not synchronise (compare them by hand):" in lines
    assert "--   rule r1\\nx" in lines


def test_newlines_in_names_cannot_end_a_comment() -> None:
    assert one_line("a\nb\rc") == "a\\nb\\rc"
    text = script_of(plan_of(snapshot(table("a\nDROP TABLE x", col("id"))), snapshot()))
    assert "\nDROP TABLE x" not in text.replace('"a\nDROP TABLE x"', "")


def test_time_zone_is_set_when_the_plan_read_one() -> None:
    plan = plan_of(snapshot(o.T), snapshot()).model_copy(update={"time_zone": "Europe/Paris"})
    assert "SET TimeZone = 'Europe/Paris';" in _lines(script_of(plan))
    assert not any(
        "TimeZone" in line for line in _lines(script_of(plan_of(snapshot(o.T), snapshot())))
    )


def test_data_check_findings_are_shown_under_their_step() -> None:
    from ddp_engine.hazards import hazard
    from ddp_engine.plan_model import DataFinding

    plan = plan_of(
        snapshot(
            table("t", col("id", "bigint", not_null=True), col("name", "text", not_null=True))
        ),
        snapshot(o.T),
    )
    notes = [s.note for s in plan.steps]
    by_note = {note: i for i, note in enumerate(notes)}
    retype, not_null = by_note["Change type of t.id"], by_note["Change column t.name"]
    findings = (
        DataFinding(
            step=retype,
            note=notes[retype],
            check="convert",
            count=3,
            message="3 value(s) of id converting to bigint would change",
            fails=False,
            hazard=hazard("values_change", "3 value(s) of id converting to bigint would change"),
        ),
        DataFinding(
            step=not_null,
            note=notes[not_null],
            check="not_null",
            count=2,
            message="2 row(s) hold NULL in name: this step will fail",
            fails=True,
        ),
        DataFinding(
            step=retype,
            note=notes[retype],
            check="convert",
            count=0,
            message="all fine",
            fails=False,
        ),
    )
    lines = _lines(script_of(plan.model_copy(update={"data_checks": findings})))
    at = lines.index("-- Change type of t.id")
    block = lines[
        at : lines.index(
            'ALTER TABLE "public"."t" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;'
        )
    ]
    assert "--   hazard values_change: 3 value(s) of id converting to bigint would change" in block
    assert "--   data check: all fine" in block
    assert not any("NULL in name" in line for line in block)
    at = lines.index("-- Change column t.name")
    assert lines[at + 3] == "--   DATA CHECK FAILS: 2 row(s) hold NULL in name: this step will fail"


def test_warnings_alone_are_followed_by_a_blank_line() -> None:
    plan = plan_of(
        snapshot(o.RANGE.model_copy(update={"range_options": "SUBTYPE = integer"})),
        snapshot(o.RANGE),
    )
    lines = _lines(script_of(plan))
    at = lines.index("-- WARNING: range type fr: its definition differs; recreate it by hand")
    assert lines[at + 1] == ""
    assert lines[at + 2] == "-- Source and target are in sync: nothing to do."
    multi = plan.model_copy(update={"warnings": ("first\n\nthird",)})
    assert _lines(script_of(multi))[at : at + 3] == ["-- WARNING: first", "--", "-- third"]
