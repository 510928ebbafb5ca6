"""The hazard codes: one table, stable codes, which block, and how consent is parsed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ddp_engine.errors import DdpError
from ddp_engine.hazards import BLOCKING, CODES, KINDS, hazard, parse_allowed, refused

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_code_has_a_meaning_and_the_readme_table_lists_them_all() -> None:
    assert set(CODES) == set(KINDS)
    assert {"values_change", "values_fail", "data_not_carried", "not_synchronised"} == BLOCKING
    rows = re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", README.read_text(), re.MULTILINE)
    assert dict(rows) == {c: "yes" if c in BLOCKING else "no" for c in CODES}


def test_parse_allowed_takes_repeated_and_comma_separated_codes() -> None:
    assert parse_allowed(["values_change,values_fail", " data_not_carried "]) == {
        "values_change",
        "values_fail",
        "data_not_carried",
    }
    assert parse_allowed([]) == frozenset()
    with pytest.raises(DdpError) as error:
        parse_allowed(["values_change,value_fail"])
    assert "'value_fail'" in error.value.message
    assert all(code in error.value.message for code in CODES)


def test_refused_lists_only_blocking_codes_not_allowed() -> None:
    codes = ["rewrites_table", "values_fail", "values_change", "values_fail"]
    assert refused(codes, frozenset()) == ["values_change", "values_fail"]
    assert refused(codes, frozenset({"values_fail"})) == ["values_change"]
    assert hazard("rewrites_table").line() == "rewrites_table: rewrites the table"
    assert hazard("values_fail", "3 fail").blocking
