"""Cross-schema sync renames schema qualifiers found in the parse tree, never strings that
merely equal the schema's name (issue 13 §2): a table, column, enum label, comment or alias
called like the schema survives with its rows; function bodies are copied and flagged."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ddp_engine.errors import DdpError
from ddp_engine.introspect import introspect
from ddp_engine.model import Function, Snapshot, View
from ddp_engine.qualifiers import Relabeler, body_names_schema, quote_if_needed
from ddp_engine.relabel import relabel
from ddp_engine.sqltext import ident, literal
from ddp_engine.sync import SyncOptions, apply_and_verify, compare
from tests.conftest import Server, apply_script, ensure_roles, load
from tests.corpus_cases import CORPUS_EXTRA, SHARED
from tests.kind_cases import CASES as KINDS
from tests.trust.conftest import Canary

#: One design, written for any schema name ``{s}`` (an identifier's SQL). Everything in it
#: that is *called* like the schema ("shop") stays "shop" whatever the schema is called.
DESIGN = """
CREATE SCHEMA {s};
CREATE TYPE {s}.mood AS ENUM ('shop', 'calm');
COMMENT ON TYPE {s}.mood IS 'shop';
CREATE FUNCTION {s}.is_ok(v text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v <> '' $$;
CREATE FUNCTION {s}.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE {s}.shop (
    id serial PRIMARY KEY,
    shop text NOT NULL DEFAULT 'shop',
    mood {s}.mood NOT NULL DEFAULT 'shop',
    rel regclass DEFAULT '{s}.shop'::regclass,
    CONSTRAINT shop CHECK ({s}.is_ok(shop) AND mood <> 'calm'::{s}.mood)
);
COMMENT ON TABLE {s}.shop IS 'shop';
COMMENT ON COLUMN {s}.shop.shop IS 'shop';
CREATE TABLE {s}.orders (
    id int PRIMARY KEY,
    shop_id int REFERENCES {s}.shop (id),
    note text DEFAULT 'shop.shop'
);
CREATE INDEX shop_idx ON {s}.shop (shop) WHERE {s}.is_ok(shop);
CREATE VIEW {s}.v AS SELECT shop.id, {s}.shop.shop AS name FROM {s}.shop;
CREATE VIEW {s}.w AS SELECT shop.id FROM {s}.orders AS shop;
CREATE TRIGGER shop BEFORE INSERT ON {s}.shop FOR EACH ROW EXECUTE FUNCTION {s}.touch();
ALTER TABLE {s}.shop ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop ON {s}.shop USING ({s}.is_ok(shop));
"""

ROWS = "INSERT INTO {s}.shop (shop) SELECT 'shop' || g FROM generate_series(1, 50) g;"

#: A real change in the source: a new column, a new view and a changed check.
CHANGE = """
ALTER TABLE {s}.shop ADD COLUMN extra {s}.mood DEFAULT 'shop'::{s}.mood;
CREATE VIEW {s}.x AS SELECT shop.shop, shop.extra FROM {s}.shop shop WHERE shop.shop <> 'shop';
"""


def design(schema: str, *parts: str) -> str:
    return "".join(part.replace("{s}", ident(schema)) for part in (DESIGN, *parts))


def statements(script: str) -> list[str]:
    return [line for line in script.splitlines() if line and not line.startswith("--")]


def rows(server: Server, db: str, schema: str) -> list[tuple[object, ...]]:
    with server.connect(db) as conn:
        return conn.execute(
            f"SELECT id, shop, mood::text FROM {ident(schema)}.shop ORDER BY id"
        ).fetchall()


def names_survive(server: Server, db: str, schema: str) -> None:
    """The table, column, enum label and comments called like "shop" are still there."""
    with server.connect(db) as conn:
        found = conn.execute(
            "SELECT pg_catalog.obj_description(c.oid, 'pg_class'),"
            " pg_catalog.col_description(c.oid, a.attnum),"
            " (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)"
            "  FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid"
            "  WHERE t.typname = 'mood' AND t.typnamespace = c.relnamespace)"
            " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            " WHERE c.relname = 'shop' AND c.relkind = 'r' AND a.attname = 'shop'"
            " AND c.relnamespace = pg_catalog.to_regnamespace(%s)",
            (ident(schema),),
        ).fetchall()
    assert found == [("shop", "shop", ["shop", "calm"])]


SCHEMA_PAIRS = [
    pytest.param("shop", "shop_prod", id="shop-to-shop_prod"),
    pytest.param('Dev "x"\nschema', "shop", id="quoted-to-plain"),
    pytest.param("shop", 'Prod "y"\nSchema', id="plain-to-quoted"),
]


@pytest.mark.parametrize("one_database", [True, False], ids=["one-database", "two-databases"])
@pytest.mark.parametrize(("source_schema", "target_schema"), SCHEMA_PAIRS)
def test_identical_schemas_under_two_names_are_in_sync_and_a_change_keeps_every_row(
    server: Server,
    make_db: Callable[[str], str],
    tmp_path: Path,
    one_database: bool,
    source_schema: str,
    target_schema: str,
) -> None:
    """§2's reproduction: nothing called like the schema is tombstoned or rewritten."""
    target_db = make_db(design(target_schema, ROWS))
    source_db = target_db if one_database else make_db("")
    load(server, source_db, design(source_schema))
    before = rows(server, target_db, target_schema)
    assert len(before) == 50
    source = server.settings(source_db, source_schema)
    target = server.settings(target_db, target_schema)

    same = compare(source, target)
    assert same.plan.is_empty, [c.label + " " + c.action for c in same.plan.changes]
    assert statements(same.script) == []

    load(server, source_db, CHANGE.replace("{s}", ident(source_schema)))
    first = compare(source, target)
    paths = [line for line in statements(first.script) if "search_path" in line]
    assert paths == ["SELECT pg_catalog.set_config('search_path', '', false);"]
    assert {(c.kind, c.action) for c in first.plan.changes} == {
        ("column", "create"),
        ("view", "create"),
    }
    assert not first.plan.cleanup  # nothing renamed away
    apply_script(server, target_db, first.script, tmp_path)
    assert compare(source, target).plan.is_empty
    assert rows(server, target_db, target_schema) == before
    names_survive(server, target_db, target_schema)
    with server.connect(target_db) as conn:
        view = conn.execute(
            "SELECT pg_catalog.pg_get_viewdef(pg_catalog.to_regclass(%s))",
            (f"{ident(target_schema)}.x",),
        ).fetchone()
    assert view is not None and f"FROM {quote_if_needed(target_schema)}.shop shop" in view[0]


def test_texts_are_read_schema_qualified_under_the_empty_search_path(
    server: Server, make_db: Callable[[str], str]
) -> None:
    """Single-schema mode reads with the empty search_path too: every user object a deparsed
    text names comes out qualified, pg_catalog's bare."""
    db = make_db(design("shop"))
    snapshot = introspect(server.settings(db, "shop"), "source")[0]
    table = next(t for t in snapshot.tables if t.name == "shop")
    columns = {c.name: c for c in table.columns}
    assert columns["id"].default == "nextval('shop.shop_id_seq'::regclass)"
    assert columns["mood"].data_type == "shop.mood"
    assert columns["mood"].default == "'shop'::shop.mood"
    assert columns["rel"].default == "'shop.shop'::regclass"
    views = {v.name: v.definition for v in snapshot.views}
    assert "FROM shop.shop" in views["v"] and "shop.id" in views["v"]
    checks = {c.name: c.definition for c in snapshot.constraints}
    assert checks["shop"] == "CHECK ((shop.is_ok(shop) AND (mood <> 'calm'::shop.mood)))"
    triggers = {t.name: t.definition for t in snapshot.triggers}
    assert triggers["shop"].endswith("ON shop.shop FOR EACH ROW EXECUTE FUNCTION shop.touch()")


def test_a_cross_schema_sync_runs_nothing_planted(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
) -> None:
    """Shadows planted in both synced schemas and in public, on both sides: silent on compare
    and on apply_and_verify."""
    target_db = make_db(design("shop_prod", ROWS))
    source_db = make_db(design("shop", CHANGE))
    canary = planted(source_db, "public", "shop")
    planted(target_db, "public", "shop_prod")
    source = server.settings(source_db, "shop")
    target = server.settings(target_db, "shop_prod")
    options = SyncOptions()
    result = compare(source, target, options)
    canary.assert_silent()
    assert not result.plan.is_empty
    # the planted operators (each side's over its own wrapper function) are synchronised under
    # the target's schema name, never the source's
    operators = [c.key for c in result.plan.changes if c.kind == "operator"]
    assert ("operator", "shop_prod", "=(text,text)", "") in operators
    assert all(key[1] == "shop_prod" for key in operators)
    assert not [u for u in result.plan.unsupported if u.object_type == "operator"]
    again = apply_and_verify(result.plan, source, target, options).after
    canary.assert_silent()
    assert again.is_empty, [c.label + " " + c.action for c in again.changes]
    assert len(rows(server, target_db, "shop_prod")) == 50


def test_a_function_body_that_names_the_source_schema_carries_the_hazard(
    server: Server, make_db: Callable[[str], str]
) -> None:
    body_names = (
        "CREATE FUNCTION {s}.counted() RETURNS bigint LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN (SELECT count(*) FROM shop.shop); END $$;"
        "CREATE FUNCTION {s}.plain() RETURNS text LANGUAGE sql AS $$ SELECT 'shop'::text $$;"
    )
    target_db = make_db(design("shop_prod"))
    source_db = make_db(design("shop", body_names))
    plan = compare(server.settings(source_db, "shop"), server.settings(target_db, "shop_prod")).plan
    hazards = {step.key[2]: step.hazards for step in plan.steps if step.key[0] == "function"}
    assert set(hazards) == {"counted()", "plain()"}
    assert [h for h in hazards["counted()"] if h.code == "body_names_source_schema"]
    assert not [h for h in hazards["plain()"] if h.code == "body_names_source_schema"]


def test_qualifiers_are_renamed_in_the_parse_tree_and_nothing_else() -> None:
    """Each place a schema qualifier can stand; aliases, strings and other names stay."""
    r = Relabeler("shop", "shop_prod")
    cases = [
        ("statement", " SELECT shop.id, shop.shop.id AS x\n   FROM shop.shop shop;"),
        ("expression", "nextval('shop.shop_id_seq'::regclass)"),
        ("expression", "'shop'::text || 'shop.x'::text"),
        ("type", "shop.mood[]"),
        ("constraint", "FOREIGN KEY (shop) REFERENCES shop.shop(id)"),
        ("constraint", "EXCLUDE USING gist (c WITH OPERATOR(shop.&&))"),
        ("index", 'USING btree (shop COLLATE shop."C" shop.ops) WHERE (shop.f(shop) > 0)'),
        ("statement", "CREATE TRIGGER shop AFTER INSERT ON shop.shop EXECUTE FUNCTION shop.f()"),
        ("function", "(a shop.mood)\n RETURNS SETOF shop.shop\n AS $f$ SELECT shop.x $f$"),
        ("expression", "a OPERATOR(shop.=) ANY (SELECT 1)"),
        ("expression", "'shop.x'::shop.regclass || 'shop.y'::pg_catalog.regclass::text"),
    ]
    assert [r.text(kind, text) for kind, text in cases] == [
        " SELECT shop.id, shop_prod.shop.id AS x\n   FROM shop_prod.shop shop;",
        "nextval('shop_prod.shop_id_seq'::regclass)",
        "'shop'::text || 'shop.x'::text",
        "shop_prod.mood[]",
        "FOREIGN KEY (shop) REFERENCES shop_prod.shop(id)",
        "EXCLUDE USING gist (c WITH OPERATOR(shop_prod.&&))",
        'USING btree (shop COLLATE shop_prod."C" shop_prod.ops) WHERE (shop_prod.f(shop) > 0)',
        "CREATE TRIGGER shop AFTER INSERT ON shop_prod.shop EXECUTE FUNCTION shop_prod.f()",
        "(a shop_prod.mood)\n RETURNS SETOF shop_prod.shop\n AS $f$ SELECT shop.x $f$",
        "a OPERATOR(shop_prod.=) ANY (SELECT 1)",
        # a value of the user's type called like a reg* type is a value, not a name
        "'shop.x'::shop_prod.regclass || 'shop_prod.y'::pg_catalog.regclass::text",
    ]
    odd = Relabeler("shop", 'Dev "x"\nschema')
    assert odd.text("expression", "nextval('shop.s'::regclass) + shop.f(1)") == (
        f"nextval({literal(ident(odd.new) + '.s')}::regclass) + {ident(odd.new)}.f(1)"
    )


def test_a_definition_that_does_not_parse_is_refused_naming_it() -> None:
    snapshot = Snapshot(
        server_version=150000,
        views=(View(schema_name="dev", name="v", definition="SELECT dev.f( FROM"),),
    )
    with pytest.raises(DdpError) as caught:
        relabel(snapshot, "dev", "prod")
    assert caught.value.message.startswith(
        'DDP SYNC failed: cannot read the definition of view "dev"."v"'
    )
    assert "\n" not in caught.value.message


def test_body_check_ignores_strings_and_names_that_only_equal_the_schema() -> None:
    def function(body: str) -> Function:
        return Function(
            schema_name="shop",
            name="f",
            identity_args="",
            kind="f",
            body=f"()\n RETURNS text\n LANGUAGE sql\n AS $function${body}$function$\n",
        )

    assert body_names_schema(function(" SELECT count(*) FROM shop.t "), "shop")
    assert body_names_schema(function(" SELECT nextval('shop.s') "), "shop")
    assert not body_names_schema(function(" SELECT 'shop' "), "shop")
    assert not body_names_schema(function(" SELECT shop FROM t "), "shop")


def _public_only(case: Path) -> bool:
    """Whether a corpus case lives in ``public`` alone (it creates no schema of its own)."""
    text = (case / "a.sql").read_text() + (case / "b.sql").read_text()
    return re.search(r"create\s+schema", text, re.I) is None


CORPUS_FOLDERS = sorted(
    p
    for root in (SHARED, CORPUS_EXTRA)
    if root.is_dir()
    for p in root.iterdir()
    if (p / "a.sql").is_file() and _public_only(p)
)

#: Schema names the corpus is moved to: one plain, one that needs every kind of quoting.
CORPUS_SOURCE, CORPUS_TARGET = "dev", 'Prod "x"\nschema'


def converge_between_names(
    server: Server,
    make_db: Callable[[str], str],
    tmp_path: Path,
    target_sql: str | bytes,
    source_sql: str | bytes,
) -> None:
    """Load both sides into ``public``, move each to a schema of another name (the server
    renames every stored reference with the schema), sync the one into the other, apply, and
    sync again: empty. Only cases that live in public alone are given (CORPUS_FOLDERS)."""
    target_db, source_db = make_db(""), make_db("")
    for db, sql, schema in (
        (target_db, target_sql, CORPUS_TARGET),
        (source_db, source_sql, CORPUS_SOURCE),
    ):
        try:
            load(server, db, sql)
        except psycopg.Error as exc:
            pytest.skip(f"fixture does not load on this server: {exc}")
        with server.connect(db) as conn:
            others = conn.execute(
                "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace WHERE nspname"
                " OPERATOR(pg_catalog.<>) ALL (ARRAY['public', 'information_schema'])"
                " AND nspname OPERATOR(pg_catalog.!~) '^pg_'"
            ).fetchone()
            assert others == (0,), "the case uses schemas other than public"
            conn.execute(f"ALTER SCHEMA public RENAME TO {ident(schema)}".encode())
    source = server.settings(source_db, CORPUS_SOURCE)
    target = server.settings(target_db, CORPUS_TARGET)
    first = compare(source, target)
    try:
        apply_script(server, target_db, first.script, tmp_path)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"script failed:\n{exc.stderr}\n{first.script}") from None
    second = compare(source, target)
    assert second.plan.is_empty, (
        f"not converged: {[c.label + ' ' + c.action for c in second.plan.changes]}\n"
        f"{first.script}\n---\n{second.script}"
    )


#: corpus_extra cases that fail here too, for the reason tests/test_corpus_extra.py records
#: (its KNOWN_FAILURES); strict, so that a fix shows up as an XPASS here as well.
KNOWN_FAILURES: dict[str, str] = {}


def _folder_param(folder: Path) -> Any:
    reason = KNOWN_FAILURES.get(folder.name) if folder.parent == CORPUS_EXTRA else None
    if reason is None:
        return folder
    return pytest.param(
        folder, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
    )


@pytest.mark.parametrize(
    "folder", [_folder_param(f) for f in CORPUS_FOLDERS], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_corpus_converges_between_schemas_of_different_names(
    folder: Path, server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    """Every corpus pair held in ``public`` alone converges between schemas of different
    names: every deparsed text the corpus holds goes through the parse-tree relabelling."""
    ensure_roles(server, folder)
    a, b = (folder / "a.sql").read_bytes(), (folder / "b.sql").read_bytes()
    converge_between_names(server, make_db, tmp_path, a, b)


@pytest.mark.parametrize("reverse", [False, True], ids=["create", "remove"])
@pytest.mark.parametrize("name", sorted(KINDS))
def test_object_kinds_converge_between_schemas_of_different_names(
    name: str, reverse: bool, server: Server, make_db: Callable[[str], str], tmp_path: Path
) -> None:
    """tests/test_object_kinds.py's cases, both ways, between schemas of different names."""
    target_sql, source_sql = KINDS[name]
    if reverse:
        target_sql, source_sql = source_sql, target_sql
    converge_between_names(server, make_db, tmp_path, target_sql, source_sql)


def test_new_schema_names_are_spelt_as_the_server_prints_them(server: Server) -> None:
    """The spliced name must read back byte for byte as the target prints it (quote_ident):
    bare when it may be, quoted through sqltext.ident otherwise."""
    names = ["shop", "shop_2", "Shop", "select", "user", "data", "int", "between", "x y", 'a"b']
    names += ["café", "_x", "1a", "prod$", "verbose", "collation", "filter", "window"]
    with server.connect() as conn:
        expected = [
            conn.execute("SELECT pg_catalog.quote_ident(%s)", (name,)).fetchone()[0]
            for name in names
        ]
    assert [quote_if_needed(name) for name in names] == expected
