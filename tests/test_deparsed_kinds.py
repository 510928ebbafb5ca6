"""The kinds read as the statements that create them, on a real server: names with quotes and
newlines, comments that look like SQL, shadows planted in a writable schema that must never
run, and rows that must survive (the ``converge`` fixture checks every generated value)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Server
from tests.helpers import ddp, side_args


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _shadow(signature: str, returns: str) -> str:
    return (
        f"CREATE FUNCTION public.{signature} RETURNS {returns} LANGUAGE plpgsql AS "
        "$$BEGIN RAISE EXCEPTION 'a shadow ran'; END$$;"
    )


#: Shadows closer to the argument types than pg_catalog's own (format is VARIADIC "any"), and
#: the function of an operator the sync copies: creating it must not call it.
BOOM = (
    _shadow("format(text, name)", "text")
    + _shadow("format(text, name, name)", "text")
    + _shadow("quote_ident(name)", "text")
    + _shadow("array_remove(text[], text)", "text[]")
    + _shadow("boom_eq(int, int)", "boolean")
)

#: What both sides hold: a table with rows, and shadows of the functions DDP's reads and
#: scripts call, in a schema on the default search_path (each raises if it ever runs).
BASE = (
    BOOM + "CREATE TABLE victim (a int, b text);"
    "CREATE TABLE log (a int, b text);"
    "CREATE FUNCTION noisy() RETURNS event_trigger LANGUAGE plpgsql AS "
    "$$BEGIN RAISE NOTICE 'ddl'; END$$;"
)
RULE, STATS, DICT, CONFIG = 'we"ird\nrule', 's"t\nat', 'd"ic\nt', 'c"fg\n'
EVENT, SERVER, FOREIGN = 'ev"t\ntrig', 'se"rv\ner', 'for"eign\nt'
SOURCE = BASE + (
    f"CREATE RULE {q(RULE)} AS ON UPDATE TO victim WHERE NEW.a <> OLD.a "
    "DO INSERT INTO log VALUES (NEW.a, NEW.b);"
    f"COMMENT ON RULE {q(RULE)} ON victim IS 'it''s -- a rule; DROP TABLE victim';"
    f"CREATE STATISTICS {q(STATS)} (dependencies) ON a, b FROM victim;"
    f"ALTER STATISTICS {q(STATS)} SET STATISTICS 300;"
    f"CREATE TEXT SEARCH DICTIONARY {q(DICT)} (TEMPLATE = pg_catalog.simple, STOPWORDS = english);"
    f"CREATE TEXT SEARCH CONFIGURATION {q(CONFIG)} (COPY = pg_catalog.english);"
    f"ALTER TEXT SEARCH CONFIGURATION {q(CONFIG)} ALTER MAPPING FOR asciiword WITH {q(DICT)};"
    "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = public.boom_eq);"
    f"CREATE EVENT TRIGGER {q(EVENT)} ON ddl_command_end EXECUTE FUNCTION noisy();"
    "CREATE EXTENSION IF NOT EXISTS file_fdw;"
    f"CREATE SERVER {q(SERVER)} FOREIGN DATA WRAPPER file_fdw;"
    f"COMMENT ON SERVER {q(SERVER)} IS 'line\none ''quoted''';"
    f"CREATE FOREIGN TABLE {q(FOREIGN)} ({q(FOREIGN)} text NOT NULL) SERVER {q(SERVER)} "
    "OPTIONS (filename '/dev/null', format 'csv');"
)


def test_hostile_names_converge_both_ways(converge) -> None:
    result = converge(BASE + "CREATE EXTENSION IF NOT EXISTS file_fdw;", SOURCE, all_schemas=True)
    for name in (RULE, STATS, DICT, CONFIG, EVENT, SERVER, FOREIGN):
        assert q(name) in result.script
    converge(SOURCE, BASE + "CREATE EXTENSION IF NOT EXISTS file_fdw;", all_schemas=True)


def test_a_changed_rule_is_recreated(converge) -> None:
    changed = SOURCE.replace("WHERE NEW.a <> OLD.a", "WHERE NEW.b IS DISTINCT FROM OLD.b")
    result = converge(SOURCE, changed, all_schemas=True)
    assert [s.action for s in result.plan.steps if s.key[0] == "rule"] == ["drop", "create"]


def test_column_compression_and_options_converge_with_rows_kept(converge) -> None:
    """Set in place on an odd name, with rows present (the fixture checks each value)."""
    col = q('bo"dy\nx')
    target = BASE + f"CREATE TABLE doc (id int, {col} text COMPRESSION pglz);"
    source = BASE + (
        f"CREATE TABLE doc (id int, {col} text COMPRESSION lz4);"
        f"ALTER TABLE doc ALTER COLUMN {col} SET (n_distinct = -0.5, n_distinct_inherited = 3);"
    )
    result = converge(target, source)
    assert "SET COMPRESSION lz4" in result.script
    converge(source, target)


def test_an_unsynchronised_kind_that_differs_is_drift_and_blocks_an_apply(
    server: Server, make_db, tmp_path: Path
) -> None:
    """A conversion (a kind DDP does not synchronise) only in the source: --exit-code says
    drift, --apply refuses with one line naming the code, and nothing changes."""
    source = make_db(
        "CREATE TABLE t (a int); CREATE CONVERSION \"my\"\"conv\nx\" FOR 'LATIN1' TO 'UTF8' "
        "FROM pg_catalog.iso8859_1_to_utf8;"
    )
    target = make_db("CREATE TABLE t (a int);")
    sides = [*side_args(server, "source", source), *side_args(server, "target", target)]
    drift = ddp("sync", *sides, "--output", "-", "--exit-code", cwd=tmp_path)
    assert drift.returncode == 2
    assert "not_synchronised" in drift.stdout + drift.stderr
    assert 'conversion public."my""conv\nx"' not in drift.stderr  # one line each, no raw newline
    applied = ddp("sync", *sides, "--apply", cwd=tmp_path)
    assert applied.returncode not in (0, 2)
    assert "not_synchronised" in applied.stderr and "Traceback" not in applied.stderr
    with server.connect(target) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_conversion c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public'"
        ).fetchone() == (0,)


def test_an_unsynchronised_object_changed_under_the_same_name_is_drift(
    server: Server, make_db, tmp_path: Path
) -> None:
    """The same conversion name on both sides, made otherwise (other encodings and function):
    never "in sync"; the same one on both sides is no difference."""
    name = '"my""conv\nx"'
    made = f"CREATE TABLE t (a int); CREATE CONVERSION {name} FOR '{{}}' TO 'UTF8' FROM {{}};"
    latin1 = made.format("LATIN1", "pg_catalog.iso8859_1_to_utf8")
    source = make_db(latin1)
    target = make_db(made.format("LATIN2", "pg_catalog.iso8859_to_utf8"))
    sides = [*side_args(server, "source", source), *side_args(server, "target", target)]
    drift = ddp("sync", *sides, "--output", "-", "--exit-code", cwd=tmp_path)
    assert drift.returncode == 2
    assert "not_synchronised" in drift.stdout + drift.stderr
    alike = [*side_args(server, "source", source), *side_args(server, "target", make_db(latin1))]
    assert ddp("sync", *alike, "--output", "-", "--exit-code", cwd=tmp_path).returncode == 0


def test_default_privileges_converge_for_an_odd_role_and_schema(converge) -> None:
    """Granted to a role and in a schema whose names hold a quote and a newline; the
    database-wide REVOKE from PUBLIC is read with every schema, and undone the other way."""
    role, schema = q('ddp_test_we"b\nuser'), q('s"c\nh')
    make_role = (
        f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN;"
        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
    )
    target = make_role + BASE + f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.t (a int);"
    source = target + (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT ON TABLES TO {role};"
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {role} "
        "WITH GRANT OPTION;"
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"
    )
    result = converge(target, source, all_schemas=True)
    assert "REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC" in result.script
    converge(source, target, all_schemas=True)


def test_no_password_of_a_user_mapping_appears_anywhere(
    server: Server, make_db, tmp_path: Path
) -> None:
    """User mappings hold passwords in their options: DDP never reads them. The server they
    belong to is synchronised; the mapping's password is in no output, script or plan file."""
    secret = "Um-pa55'w0rd\"$$"
    mapping = (
        "CREATE EXTENSION IF NOT EXISTS postgres_fdw;"
        "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.example');"
        "CREATE USER MAPPING FOR CURRENT_USER SERVER remote "
        f"OPTIONS (user 'app', password '{secret.replace(chr(39), chr(39) * 2)}');"
    )
    source = make_db(mapping)
    target = make_db("CREATE EXTENSION IF NOT EXISTS postgres_fdw;")
    sides = [*side_args(server, "source", source, None), *side_args(server, "target", target, None)]
    outputs = []
    for extra in (["--output", "-"], ["--output", "-", "--format", "json"]):
        run = ddp("sync", *sides, "--all-schemas", *extra, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        outputs += [run.stdout, run.stderr]
    plan = ddp(
        "plan", *sides, "--all-schemas", "--output", "plan.json", "--sql", "p.sql", cwd=tmp_path
    )
    assert plan.returncode == 0, plan.stderr
    outputs += [
        plan.stdout,
        plan.stderr,
        *(p.read_text() for p in tmp_path.iterdir() if p.is_file()),
    ]
    assert any("CREATE SERVER remote" in text for text in outputs)  # the server is synchronised
    for text in outputs:
        assert secret not in text and "Um-pa55" not in text and "USER MAPPING" not in text


def test_the_diff_stage_dagster_checks_sees_an_unsynchronised_difference(
    server: Server, make_db
) -> None:
    """Dagster's drift check asks the diff stage (no plan): a conversion on one side only, or
    made otherwise under the same name, is a difference there too; alike, none."""
    from ddp_engine.sync import SyncOptions, diff_snapshots, snapshot

    name = '"my""conv\nx"'
    made = f"CREATE TABLE t (a int); CREATE CONVERSION {name} FOR '{{}}' TO 'UTF8' FROM {{}};"
    latin1 = made.format("LATIN1", "pg_catalog.iso8859_1_to_utf8")
    latin2 = made.format("LATIN2", "pg_catalog.iso8859_to_utf8")
    options = SyncOptions()
    source = server.settings(make_db(latin1))
    read_source, _ = snapshot(source, "source", options)
    for target_sql, in_sync in (
        ("CREATE TABLE t (a int);", False),
        (latin2, False),
        (latin1, True),
    ):
        target = server.settings(make_db(target_sql))
        read_target, _ = snapshot(target, "target", options)
        found = diff_snapshots(read_source, read_target, source, target, options)
        assert found.changes == ()  # the diff's own kinds are alike
        assert found.is_empty is in_sync
