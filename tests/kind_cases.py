"""Object-kind cases: name -> (target SQL, source SQL), one per kind beyond the basic ones.

Kept apart from the test modules that run them (tests/test_object_kinds.py converges each; the
cross-schema tests in tests/trust/test_relabel.py move each to other schema names).
"""

ROLE = (
    "DO $$ BEGIN CREATE ROLE ddp_test_reader NOLOGIN;"
    " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
)

CASES = {
    "views_and_matviews": (
        "CREATE TABLE t (a int, b text); CREATE VIEW gone AS SELECT 1 AS x;"
        "CREATE MATERIALIZED VIEW m AS SELECT a FROM t; CREATE INDEX m_a ON m (a);",
        "CREATE TABLE t (a int, b text); CREATE VIEW v WITH (security_barrier) AS SELECT a, b FROM t;"
        "CREATE MATERIALIZED VIEW m AS SELECT a, b FROM t; CREATE INDEX m_a ON m (a);"
        "COMMENT ON VIEW v IS 'a view'; COMMENT ON COLUMN v.a IS 'col';",
    ),
    "domains": (
        "CREATE DOMAIN posint AS int CHECK (VALUE > 0); CREATE TABLE t (a posint);",
        "CREATE DOMAIN posint AS int DEFAULT 1 NOT NULL CONSTRAINT big CHECK (VALUE > 10);"
        "CREATE DOMAIN email AS text COLLATE \"C\" CHECK (VALUE LIKE '%@%');"
        "CREATE TABLE t (a posint, e email);",
    ),
    "composite_types": (
        "CREATE TYPE pair AS (a int, b text);",
        "CREATE TYPE pair AS (a int, c numeric); CREATE TYPE triple AS (x pair, y int);"
        "CREATE TABLE t (p pair, tr triple);",
    ),
    "range_type": (
        "",
        "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);"
        "CREATE TABLE t (r floatrange);",
    ),
    "enum_reorder": (
        "CREATE TYPE lvl AS ENUM ('low', 'high', 'mid'); CREATE TABLE t (l lvl);"
        "INSERT INTO t VALUES ('mid');"
        "CREATE FUNCTION f(x lvl) RETURNS lvl LANGUAGE sql AS 'SELECT x';",
        "CREATE TYPE lvl AS ENUM ('low', 'mid', 'high'); CREATE TABLE t (l lvl);"
        "CREATE FUNCTION f(x lvl) RETURNS lvl LANGUAGE sql AS 'SELECT x';",
    ),
    "enum_new_value_used_in_default": (
        "CREATE TYPE st AS ENUM ('a'); CREATE TABLE t (s st DEFAULT 'a');",
        "CREATE TYPE st AS ENUM ('a', 'b'); CREATE TABLE t (s st DEFAULT 'b');",
    ),
    "extensions": (
        "CREATE EXTENSION hstore;",
        "CREATE EXTENSION citext; CREATE TABLE t (e citext);",
    ),
    "partitions": (
        "CREATE TABLE m (id int, d date) PARTITION BY RANGE (d);"
        "CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
        "CREATE TABLE m_old PARTITION OF m FOR VALUES FROM ('2000-01-01') TO ('2001-01-01');"
        "INSERT INTO m VALUES (1, '2000-06-01');",
        "CREATE TABLE m (id int, d date, extra text) PARTITION BY RANGE (d);"
        "CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2022-01-01');"
        "CREATE TABLE m_2023 PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');"
        "CREATE TABLE m_def PARTITION OF m DEFAULT; CREATE INDEX m_d ON m (d);",
    ),
    "list_partition_subpartition": (
        "",
        "CREATE TABLE l (k text, v int) PARTITION BY LIST (k);"
        "CREATE TABLE l_a PARTITION OF l FOR VALUES IN ('a') PARTITION BY RANGE (v);"
        "CREATE TABLE l_a1 PARTITION OF l_a FOR VALUES FROM (0) TO (10);",
    ),
    "inheritance": (
        "CREATE TABLE base (id int, created timestamptz DEFAULT now()); CREATE TABLE c1 () INHERITS (base);",
        "CREATE TABLE base (id int, created timestamptz DEFAULT now(), note text);"
        "CREATE TABLE c1 (extra int) INHERITS (base); CREATE TABLE c2 () INHERITS (base);",
    ),
    "row_level_security": (
        "CREATE TABLE acc (owner name, v int); CREATE POLICY old ON acc USING (true);"
        "ALTER TABLE acc ENABLE ROW LEVEL SECURITY;",
        "CREATE TABLE acc (owner name, v int); ALTER TABLE acc ENABLE ROW LEVEL SECURITY;"
        "ALTER TABLE acc FORCE ROW LEVEL SECURITY;"
        "CREATE POLICY mine ON acc AS RESTRICTIVE FOR UPDATE TO public USING (owner = current_user)"
        " WITH CHECK (v > 0);",
    ),
    "privileges": (
        ROLE + "CREATE TABLE t (a int, b int); GRANT SELECT ON t TO PUBLIC;"
        "CREATE SEQUENCE s; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        ROLE
        + "CREATE TABLE t (a int, b int); GRANT INSERT ON t TO ddp_test_reader WITH GRANT OPTION;"
        "GRANT UPDATE (b) ON t TO PUBLIC; CREATE SEQUENCE s; GRANT USAGE ON SEQUENCE s TO PUBLIC;"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;",
    ),
    "comments_everywhere": (
        "CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0)); CREATE INDEX i ON t (a);"
        "COMMENT ON INDEX i IS 'old';",
        "CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0)); CREATE INDEX i ON t (a);"
        "COMMENT ON INDEX i IS 'new'; COMMENT ON CONSTRAINT pos ON t IS 'c';"
        "CREATE SEQUENCE s; COMMENT ON SEQUENCE s IS 's';"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; COMMENT ON FUNCTION f() IS 'f';"
        "CREATE TYPE e AS ENUM ('x'); COMMENT ON TYPE e IS 'e';",
    ),
    "collation_libc": (
        "",
        "CREATE COLLATION mycoll (lc_collate = 'C', lc_ctype = 'C');"
        "CREATE TABLE t (a text COLLATE mycoll);",
    ),
    "aggregate": (
        "",
        "CREATE FUNCTION add2(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';"
        "CREATE AGGREGATE mysum(int) (SFUNC = add2, STYPE = int, INITCOND = '0');",
    ),
    "unlogged_and_storage_params": (
        "CREATE TABLE t (a int, b text) WITH (fillfactor = 70, autovacuum_enabled = false);",
        "CREATE UNLOGGED TABLE t (a int, b text) WITH (fillfactor = 90);"
        "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500; ALTER TABLE t ALTER COLUMN b SET STORAGE MAIN;",
    ),
    "sql_body_function_on_changed_column": (
        "CREATE TABLE t (a int); CREATE FUNCTION f() RETURNS bigint BEGIN ATOMIC SELECT count(a) FROM t; END;",
        "CREATE TABLE t (a bigint); CREATE FUNCTION f() RETURNS bigint BEGIN ATOMIC SELECT count(a) FROM t; END;",
    ),
    "trigger_disabled": (
        "CREATE TABLE t (a int); CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS"
        " $$BEGIN RETURN NEW; END$$; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();",
        "CREATE TABLE t (a int); CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS"
        " $$BEGIN RETURN NEW; END$$; CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();"
        "ALTER TABLE t DISABLE TRIGGER tr;",
    ),
    "rules_statistics_operators": (
        "CREATE TABLE t (a int, b int); CREATE TABLE t_log (a int);"
        "CREATE TYPE pair AS (x int, y int);"
        "CREATE FUNCTION pair_add(pair, pair) RETURNS pair LANGUAGE sql IMMUTABLE "
        "AS 'SELECT ROW($1.x + $2.x, $1.y + $2.y)::pair';",
        "CREATE TABLE t (a int, b int); CREATE TABLE t_log (a int);"
        "CREATE TYPE pair AS (x int, y int);"
        "CREATE FUNCTION pair_add(pair, pair) RETURNS pair LANGUAGE sql IMMUTABLE "
        "AS 'SELECT ROW($1.x + $2.x, $1.y + $2.y)::pair';"
        "CREATE RULE t_logged AS ON INSERT TO t DO ALSO INSERT INTO t_log VALUES (NEW.a);"
        "CREATE STATISTICS t_ab (ndistinct) ON a, b FROM t;"
        "CREATE OPERATOR + (LEFTARG = pair, RIGHTARG = pair, FUNCTION = pair_add);"
        "COMMENT ON OPERATOR + (pair, pair) IS 'adds';"
        "CREATE TEXT SEARCH DICTIONARY stop_dict (TEMPLATE = pg_catalog.simple, STOPWORDS = english);"
        "CREATE TEXT SEARCH CONFIGURATION cfg (COPY = pg_catalog.english);"
        "ALTER TEXT SEARCH CONFIGURATION cfg ALTER MAPPING FOR asciiword WITH stop_dict;",
    ),
}
