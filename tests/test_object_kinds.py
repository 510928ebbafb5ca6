"""Create, alter and remove of every object kind beyond the seed's, on a real server."""

from __future__ import annotations

import pytest

from tests.kind_cases import CASES

MULTI_SCHEMA = {
    "schemas_created_and_renamed": (
        "CREATE SCHEMA old_app; CREATE TABLE old_app.keep (a int); INSERT INTO old_app.keep VALUES (1);",
        "CREATE SCHEMA audit; CREATE SCHEMA billing; CREATE TABLE billing.inv (id int PRIMARY KEY);"
        "CREATE TABLE audit.log (inv int REFERENCES billing.inv); COMMENT ON SCHEMA audit IS 'a';",
    ),
    "cross_schema_types_and_functions": (
        "CREATE SCHEMA a; CREATE SCHEMA b;",
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TYPE a.st AS ENUM ('x');"
        "CREATE FUNCTION a.f() RETURNS a.st LANGUAGE sql AS $$SELECT 'x'::a.st$$;"
        "CREATE TABLE b.t (s a.st DEFAULT a.f());",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_kind_converges(name: str, converge) -> None:
    target_sql, source_sql = CASES[name]
    converge(target_sql, source_sql)


@pytest.mark.parametrize("name", sorted(CASES))
def test_kind_removal_converges(name: str, converge) -> None:
    """The reverse direction: what the source gained, the target loses (safely)."""
    target_sql, source_sql = CASES[name]
    converge(source_sql, target_sql)


@pytest.mark.parametrize("name", sorted(MULTI_SCHEMA))
def test_all_schemas_converges(name: str, converge) -> None:
    target_sql, source_sql = MULTI_SCHEMA[name]
    converge(target_sql, source_sql, all_schemas=True)
    converge(source_sql, target_sql, all_schemas=True)


def test_a_renamed_domain_constraint_is_renamed_not_checked_again(converge) -> None:
    """Adding a domain constraint checks every value the domain holds (and PostgreSQL refuses
    it while a composite-typed column stores the domain); one that only changed its name is
    renamed, with no scan hazard."""
    result = converge(
        "CREATE DOMAIN zip AS text CONSTRAINT zip_format CHECK (VALUE ~ '^[0-9]{5}$');"
        "CREATE TYPE address AS (street text, zip zip);"
        "CREATE TABLE shop (id int, places address[]);"
        "INSERT INTO shop VALUES (1, ARRAY[ROW('Main St', '12345')::address]);",
        "CREATE DOMAIN zip AS text CHECK (VALUE ~ '^[0-9]{5}$');"
        "CREATE TYPE address AS (street text, zip zip);"
        "CREATE TABLE shop (id int, places address[]);",
    )
    assert 'ALTER DOMAIN "public"."zip" RENAME CONSTRAINT zip_format TO zip_check' in result.script
    steps = [s for s in result.plan.steps if s.note.startswith("Change domain")]
    assert steps and all("scans the table to validate" not in s.hazards for s in steps)
