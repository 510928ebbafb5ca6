"""Names a tombstoned table gives up can be taken by the source's new objects (issue 14).

A table that exists only in the target is renamed ``<name>_dropped_<ts>`` and its indexes,
constraints and owned sequences are renamed with it, freeing their names. When the source has
a new object of one of those names (indexes, constraints and sequences share the schema's
relation namespace), the script must create it once the old one has moved out of the way,
never drop the old one by its freed name (it no longer exists: ``DROP INDEX shared_idx``
fails under ON_ERROR_STOP).
"""

from __future__ import annotations

import pytest

CASES = {
    # the reported bug: an index name moves from a tombstoned table to a new one
    "index_to_new_table": (
        "CREATE TABLE old (a int); CREATE INDEX shared_idx ON old (a);",
        "CREATE TABLE new (a int); CREATE INDEX shared_idx ON new (a);",
    ),
    "index_to_kept_table": (
        "CREATE TABLE old (a int); CREATE TABLE kept (b int); CREATE INDEX shared_idx ON old (a);",
        "CREATE TABLE kept (b int); CREATE INDEX shared_idx ON kept (b);",
    ),
    "unique_index_same_body": (
        "CREATE TABLE old (a int); CREATE UNIQUE INDEX shared_idx ON old (a);",
        "CREATE TABLE new (a int); CREATE UNIQUE INDEX shared_idx ON new (a);",
    ),
    "index_becomes_constraint": (
        "CREATE TABLE old (a int); CREATE INDEX shared_name ON old (a);",
        "CREATE TABLE new (a int CONSTRAINT shared_name UNIQUE);",
    ),
    "constraint_becomes_index": (
        "CREATE TABLE old (a int CONSTRAINT shared_name PRIMARY KEY);",
        "CREATE TABLE new (a int); CREATE INDEX shared_name ON new (a);",
    ),
    "constraint_to_new_table": (
        "CREATE TABLE old (a int CONSTRAINT shared_pk PRIMARY KEY, b int CONSTRAINT shared_uq UNIQUE,"
        " c int, CONSTRAINT shared_ex EXCLUDE USING btree (c WITH =));",
        "CREATE TABLE new (a int CONSTRAINT shared_pk PRIMARY KEY, b int CONSTRAINT shared_uq UNIQUE,"
        " c int, CONSTRAINT shared_ex EXCLUDE USING btree (c WITH =));",
    ),
    "serial_sequence_to_new_table": (
        "CREATE TABLE old (id serial); INSERT INTO old DEFAULT VALUES;",
        "CREATE SEQUENCE old_id_seq; CREATE TABLE new (id int NOT NULL DEFAULT"
        " nextval('old_id_seq')); ALTER SEQUENCE old_id_seq OWNED BY new.id;",
    ),
    "identity_sequence_to_new_table": (
        "CREATE TABLE old (id int GENERATED ALWAYS AS IDENTITY); INSERT INTO old DEFAULT VALUES;",
        "CREATE TABLE new (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME old_id_seq));",
    ),
    "sequence_becomes_index": (
        "CREATE TABLE old (id serial);",
        "CREATE TABLE new (a int); CREATE INDEX old_id_seq ON new (a);",
    ),
    "index_to_new_table_other_direction": (
        "CREATE TABLE new (a int); CREATE INDEX shared_idx ON new (a);",
        "CREATE TABLE old (a int); CREATE INDEX shared_idx ON old (a);",
    ),
    "partitioning_change_keeps_names": (
        "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, a int); CREATE INDEX t_a ON t (a);",
        "CREATE TABLE t (id int, a int, CONSTRAINT t_pk PRIMARY KEY (id)) PARTITION BY RANGE (id);"
        "CREATE INDEX t_a ON t (a);",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_name_freed_by_a_tombstone_is_reused(name: str, converge) -> None:
    target_sql, source_sql = CASES[name]
    converge(target_sql, source_sql)


def test_online_index_of_a_freed_name_is_built_not_swapped(server, make_db) -> None:
    """--online builds a changed index under a temporary name and swaps it in by dropping the
    old one: an index whose old namesake left with a tombstoned table has nothing to swap."""
    from ddp_engine.sync import SyncOptions, compare

    target_sql, source_sql = CASES["index_to_kept_table"]
    target = make_db(target_sql + "INSERT INTO kept VALUES (1);")
    source = make_db(source_sql)
    result = compare(server.settings(source), server.settings(target), SyncOptions(online=True))
    statements = [s for step in result.plan.steps for s in step.statements]
    assert 'CREATE INDEX CONCURRENTLY "shared_idx" ON "public"."kept" USING btree (b)' in statements
    assert not [s for s in statements if s.startswith("DROP INDEX")]
