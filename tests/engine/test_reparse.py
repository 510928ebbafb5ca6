"""Printed IN lists on varchar columns, written so that the server parses them back alike."""

from __future__ import annotations

from ddp_engine.reparse import reparseable

PRINTED = (
    "CHECK (((status)::text = ANY ((ARRAY['DF'::character varying, "
    "'P''B'::character varying])::text[])))"
)


def test_an_in_list_on_a_varchar_column_loses_the_casts_that_change_its_tree() -> None:
    assert reparseable(PRINTED, frozenset({"status"})) == (
        "CHECK ((status = ANY (ARRAY['DF'::character varying, 'P''B'::character varying])))"
    )


def test_a_column_that_is_not_varchar_is_left_as_printed() -> None:
    # an enum or integer column cast to text: "col = ANY (varchar[])" would not even resolve
    assert reparseable(PRINTED, frozenset({"other"})) == PRINTED


def test_a_quoted_name_with_a_quote_and_a_newline_is_matched_by_its_name() -> None:
    odd = 'we"ird\nname'
    text = PRINTED.replace("(status)", '("we""ird\nname")')
    assert reparseable(text, frozenset({odd})).startswith('CHECK (("we""ird\nname" = ANY (ARRAY[')


def test_a_domain_check_on_value() -> None:
    text = "ok CHECK (((VALUE)::text = ANY ((ARRAY['YES'::character varying])::text[])))"
    assert reparseable(text, frozenset({"VALUE"})) == (
        "ok CHECK ((VALUE = ANY (ARRAY['YES'::character varying])))"
    )


def test_the_pattern_inside_a_string_literal_is_data_and_stays() -> None:
    inner = PRINTED.removeprefix("CHECK ").replace("'", "''")
    text = f"CHECK ((note <> '{inner}'::text))"
    assert reparseable(text, frozenset({"status", "note"})) == text
