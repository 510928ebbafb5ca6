"""ddp's catalog reads under a hostile search_path: nothing planted runs, nothing is hidden.

Shadows of catalog functions, operators and views (tests/trust/conftest.py) are planted in
``public`` and in the synced schema ``shop`` of both sides, after a realistic schema is loaded.
Every query of ``ddp_engine/queries`` then runs on a connection whose search_path lists those
schemas before pg_catalog, as an attacker would wish: the canary stays silent and the rows are
those read with the empty search_path. A whole ``compare`` stays silent too and still finds the
difference between the sides, and a shadow deparse function in the source cannot put its text
into the script.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from ddp_engine.epoch import read_epoch, server_identity
from ddp_engine.introspect import (
    QUERY_NAMES,
    QUERY_SETTINGS,
    TRANSACTION_SETTINGS,
    VIEW_BATCH,
    VIEW_QUERY,
    load_query,
    query_settings,
)
from ddp_engine.scope import NO_SCOPE_PARAMS
from ddp_engine.sync import SyncOptions, SyncResult, compare
from tests.conftest import Server
from tests.trust.conftest import Canary

HOSTILE = "shop, public, pg_catalog"

#: Every kind of object ddp reads, in the synced schema ``shop`` (grants go to a predefined
#: role, so that no cluster-wide role is left behind).
SHOP = """
CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'the shop';
CREATE COLLATION shop.plain (provider = libc, locale = 'C');
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN shop.email AS text COLLATE "C" DEFAULT 'nobody@example.com'
    CONSTRAINT email_has_at CHECK (VALUE ~~ '%@%');
COMMENT ON CONSTRAINT email_has_at ON DOMAIN shop.email IS 'an at sign';
CREATE TYPE shop.address AS (street text COLLATE shop.plain, zip varchar(10));
CREATE TYPE shop.price_range AS RANGE (subtype = numeric);
CREATE SEQUENCE shop.invoice_no START 1000 INCREMENT 10;
CREATE TABLE shop.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email shop.email NOT NULL UNIQUE,
    name varchar(100) NOT NULL DEFAULT '',
    address shop.address,
    created_at timestamptz NOT NULL DEFAULT now(),
    name_lower text GENERATED ALWAYS AS (lower(name)) STORED,
    CONSTRAINT name_not_blank CHECK (btrim(name) <> '' OR name = '')
);
ALTER TABLE shop.customers ALTER COLUMN name SET STATISTICS 500;
ALTER TABLE shop.customers ALTER COLUMN name SET STORAGE EXTERNAL;
COMMENT ON TABLE shop.customers IS 'who buys';
COMMENT ON COLUMN shop.customers.email IS 'where we write';
CREATE TABLE shop.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
    status shop.status NOT NULL DEFAULT 'new',
    invoice integer DEFAULT nextval('shop.invoice_no'),
    total numeric(12, 2) CHECK (total >= 0),
    note text COLLATE shop.plain,
    prices shop.price_range
);
CREATE INDEX orders_open ON shop.orders (customer_id) WHERE status <> 'shipped';
CREATE INDEX customers_email_lower ON shop.customers (lower(email::text));
CREATE UNIQUE INDEX orders_invoice ON shop.orders (invoice) INCLUDE (total) WITH (fillfactor = 80);
COMMENT ON INDEX shop.orders_open IS 'open orders';
CREATE TABLE shop.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE shop.events_2024 PARTITION OF shop.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.base (id int);
CREATE TABLE shop.child (extra int) INHERITS (shop.base);
CREATE VIEW shop.open_orders AS
    SELECT o.id, lower(c.email::text) AS email, o.total || ' EUR' AS shown
    FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id
    WHERE o.status <> 'shipped' AND c.name ~~ '%a%';
COMMENT ON VIEW shop.open_orders IS 'to ship';
CREATE MATERIALIZED VIEW shop.totals AS
    SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
CREATE FUNCTION shop.order_count(customer bigint) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM shop.orders WHERE customer_id = customer $$;
COMMENT ON FUNCTION shop.order_count(bigint) IS 'how many';
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.note := coalesce(NEW.note, '') || '.'; RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION shop.touch();
COMMENT ON TRIGGER orders_touch ON shop.orders IS 'leave a mark';
CREATE PROCEDURE shop.noop(n int) LANGUAGE sql AS $$ SELECT n $$;
CREATE FUNCTION shop.add_total(numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1 + $2 $$;
CREATE AGGREGATE shop.total_of(numeric) (SFUNC = shop.add_total, STYPE = numeric, INITCOND = '0');
ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON shop.orders FOR SELECT TO pg_monitor, PUBLIC
    USING (customer_id = current_setting('app.customer')::bigint);
CREATE POLICY add_orders ON shop.orders FOR INSERT WITH CHECK (total < 1000);
COMMENT ON POLICY own_orders ON shop.orders IS 'rls';
CREATE STATISTICS shop.orders_stats ON customer_id, status FROM shop.orders;
GRANT USAGE ON SCHEMA shop TO pg_monitor;
GRANT SELECT ON shop.orders TO pg_monitor;
GRANT SELECT (email) ON shop.customers TO pg_monitor;
GRANT EXECUTE ON FUNCTION shop.order_count(bigint) TO pg_monitor;
GRANT USAGE ON SEQUENCE shop.invoice_no TO pg_monitor;
"""

#: What the source has and the target lacks: the difference a hidden catalog would hide.
SOURCE_ONLY = """
ALTER TABLE shop.customers ADD COLUMN nickname text DEFAULT 'friend';
CREATE INDEX customers_nickname ON shop.customers (nickname) WHERE nickname <> '';
"""


def read(
    conn: psycopg.Connection, path: str, all_schemas: bool, canary: Canary
) -> tuple[dict[str, list[Any]], dict[str, set[str]]]:
    """Every query's rows, run as introspect runs them (one REPEATABLE READ READ ONLY
    transaction, its settings, each query's own settings) under ``path``, and the shadow calls
    each query made."""
    rows: dict[str, list[Any]] = {}
    calls: dict[str, set[str]] = {}
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        with conn.cursor() as cur:
            for setting, value in TRANSACTION_SETTINGS.items():
                cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
            cur.execute("SELECT pg_catalog.set_config('search_path', %s, true)", (path,))
            params: dict[str, Any] = {
                **NO_SCOPE_PARAMS,
                "schemas": ["shop"],
                "all": all_schemas,
                "after": 0,
                "batch": VIEW_BATCH,
            }
            for name in READS:
                before = len(canary.calls())
                with query_settings(cur, QUERY_SETTINGS.get(name, {})):
                    cur.execute(load_query(name), params)
                    rows[name] = sorted(map(normalized, cur.fetchall()), key=repr)
                calls[name] = set(canary.calls()[before:])
                if name == "schemas":
                    params["schemas"] = [r[0] for r in rows["schemas"]]
    finally:
        conn.execute("ROLLBACK")
    return rows, calls


#: Every query of a read: the kinds' queries, then the views' definitions (read in batches).
READS = (*QUERY_NAMES, VIEW_QUERY)


#: Deparsed text names an object with its schema unless the search_path finds it without, and
#: names pg_catalog's own when a schema before pg_catalog holds a shadow of the same name.
QUALIFIER = re.compile(r"\b(?:shop|public|pg_catalog)\.|OPERATOR\(pg_catalog\.(\S+?)\)")


def normalized(value: Any) -> Any:
    """``value`` with the qualifiers that only depend on the search_path taken out."""
    if isinstance(value, str):
        return QUALIFIER.sub(lambda m: m[1] or "", value)
    if isinstance(value, list | tuple):
        return type(value)(normalized(v) for v in value)
    return value


#: PostgreSQL's own deparser reads a view's rule through SPI with the query
#: ``SELECT * FROM pg_catalog.pg_rewrite WHERE ev_class = $1 AND rulename = $2`` (ruleutils.c,
#: every version): its ``=`` is looked up through the caller's search_path. So pg_get_viewdef
#: (view_definitions.sql) calls a planted ``=(oid,oid)`` and ``=(name,name)`` whatever ddp's own SQL
#: says; only the empty search_path of every ddp session keeps them out.
VIEWDEF_SPI = {"shop.=(oid,oid)", "shop.=(name,name)"}


def test_every_query_under_a_hostile_search_path(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    source, target = make_db(SHOP + SOURCE_ONLY), make_db(SHOP)
    canary = planted(source, "public", "shop")
    planted(target, "public", "shop")
    # Under the hostile path each view read costs a recorded call per pg_rewrite row (its SPI
    # query scans with the planted "=": thousands a read), so each side is read in one mode.
    for db, all_schemas in ((source, True), (target, False)):
        with server.connect(db) as conn:
            safe, quiet = read(conn, "", all_schemas, canary)
            hostile, calls = read(conn, HOSTILE, all_schemas, canary)
            assert quiet == dict.fromkeys(READS, set())
            assert calls == {**dict.fromkeys(READS, set()), VIEW_QUERY: VIEWDEF_SPI}
            assert len(safe[VIEW_QUERY]) >= 2  # the views of SHOP, deparsed
            for name in READS:
                assert hostile[name] == safe[name], name
            assert len(safe["relations"]) >= 10  # the shadow views hid nothing


def test_pg_get_viewdef_looks_its_operator_up_through_the_search_path(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    """The PostgreSQL fact behind VIEWDEF_SPI, with nothing of ddp involved."""
    db = make_db(SHOP)
    canary = planted(db, "shop")
    query = "SELECT pg_catalog.pg_get_viewdef('shop.open_orders'::pg_catalog.regclass)"
    with server.connect(db) as conn:
        conn.execute("SET search_path = ''")
        conn.execute(query).fetchone()
        canary.assert_silent()
        conn.execute(f"SET search_path = {HOSTILE}")
        conn.execute(query).fetchone()
    assert set(canary.calls()) == VIEWDEF_SPI


def changes(result: SyncResult) -> set[tuple[str, str, str]]:
    return {(c.action, c.kind, c.label) for c in result.plan.changes}


@pytest.mark.parametrize(
    "all_schemas",
    [pytest.param(False, id="one_schema"), pytest.param(True, id="all_schemas")],
)
def test_compare_runs_nothing_planted_and_sees_everything(
    server: Server,
    make_db: Callable[[str], str],
    planted: Callable[..., Canary],
    all_schemas: bool,
) -> None:
    source, target = make_db(SHOP + SOURCE_ONLY), make_db(SHOP)
    canary = planted(source, "public", "shop")
    planted(target, "public", "shop")
    result = compare(
        server.settings(source, "shop"),
        server.settings(target, "shop"),
        SyncOptions(all_schemas=all_schemas, data_checks=False),
    )
    canary.assert_silent()
    found = changes(result)
    assert ("create", "column", "shop.customers.nickname") in found
    assert ("create", "index", "shop.customers_nickname") in found
    # nothing the target holds was hidden from the read: no table is created again
    assert not {c for c in found if c[0] == "create" and c[1] in ("table", "view", "type")}
    assert "shop.customers" in {t.schema_name + "." + t.name for t in result.target.tables}


#: A shadow deparse function's text: built at run time, so that the words are nowhere in the
#: shadow's own body (which a sync may copy, being a function of the schema).
INJECTED = "true); ALTER ROLE x SUPERUSER; --"
ATTACK = """
CREATE FUNCTION {schema}.{name}({args}) RETURNS text LANGUAGE sql
    AS $$ SELECT pg_catalog.concat('true); ALTER ROLE x SUPER', 'USER; --') $$;
"""
SHADOWS = (
    ("shop", "pg_get_expr", "pg_node_tree, oid"),
    ("shop", "pg_get_expr", "pg_node_tree, oid, boolean"),
    ("shop", "pg_get_constraintdef", "oid"),
    ("public", "pg_get_expr", "pg_node_tree, oid"),
    ("public", "pg_get_constraintdef", "oid"),
    ("public", "pg_get_indexdef", "oid"),
    ("shop", "pg_get_indexdef", "oid"),
)


@pytest.mark.parametrize("all_schemas", [False, True], ids=["one_schema", "all_schemas"])
def test_a_shadow_deparse_function_in_the_source_writes_nothing(
    server: Server, make_db: Callable[[str], str], canary: Canary, all_schemas: bool
) -> None:
    attack = "".join(ATTACK.format(schema=s, name=n, args=a) for s, n, a in SHADOWS)
    # the shadows are on both sides (no function to sync); the source adds a default, a
    # check and a partial index: text the source's deparse functions produce for the script
    source = make_db(
        SHOP + attack + SOURCE_ONLY + "ALTER TABLE shop.orders ADD CHECK (total < 10 ^ 9);"
    )
    target = make_db(SHOP + attack)
    with server.connect(source) as conn:
        conn.execute(f"SET search_path = {HOSTILE}")
        assert conn.execute("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef").fetchone() == (
            INJECTED,
        )  # the shadow is what an unqualified call finds
        rows, _ = read(conn, HOSTILE, all_schemas, canary)
    assert "SUPERUSER" not in repr(rows)  # ddp's own reads never find it
    result = compare(
        server.settings(source, "shop"),
        server.settings(target, "shop"),
        SyncOptions(all_schemas=all_schemas, data_checks=False),
    )
    assert "SUPERUSER" not in result.script
    assert "'friend'" in result.script and "WHERE" in result.script


def test_the_catalog_epoch_under_a_hostile_search_path(
    server: Server, make_db: Callable[[str], str], planted: Callable[..., Canary]
) -> None:
    """The cache's epoch and server identity: nothing planted runs, nothing is hidden (the
    shadow views of pg_class and pg_roles would give an epoch of empty catalogs)."""
    db = make_db(SHOP)
    canary = planted(db, "public", "shop")
    epochs = []
    with server.connect(db) as conn:
        for path in ("", HOSTILE):
            with conn.cursor() as cur:
                cur.execute("SELECT pg_catalog.set_config('search_path', %s, false)", (path,))
                epochs.append((read_epoch(cur), server_identity(cur)))
            conn.rollback()
    canary.assert_silent()
    assert epochs[0] == epochs[1]
