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


def test_not_in_is_written_the_same_way() -> None:
    text = "CHECK (((d)::text <> ALL ((ARRAY['x'::character varying])::text[])))"
    assert reparseable(text, frozenset({"d"})) == (
        "CHECK ((d <> ALL (ARRAY['x'::character varying])))"
    )


def test_a_column_of_a_varchar_domain_counts_as_varchar() -> None:
    from ddp_engine.codes import TypeKind
    from ddp_engine.model import Column, Table, UserType
    from ddp_engine.reparse import varchar_columns

    def column(name: str, data_type: str) -> Column:
        return Column(name=name, data_type=data_type)

    table = Table(
        schema_name="public",
        name="t",
        columns=(
            column("a", "public.yes_no"),
            column("b", "character varying(3)"),
            column("c", '"Odd"."dom ain"'),
            column("d", "public.code"),
            column("e", "text"),
        ),
    )
    domains = (
        UserType(schema_name="public", name="yes_no", type_kind=TypeKind.DOMAIN,
                 base_type="character varying(3)"),
        UserType(schema_name="Odd", name="dom ain", type_kind=TypeKind.DOMAIN,
                 base_type="character varying"),
        UserType(schema_name="public", name="code", type_kind=TypeKind.DOMAIN, base_type="text"),
    )  # fmt: skip
    assert varchar_columns(table, domains) == {"a", "b", "c"}
