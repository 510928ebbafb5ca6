"""A side's catalog epoch: a cheap digest that moves whenever anything a snapshot shows may have.

Every DDL statement writes catalog rows, and every row version a transaction writes carries
that transaction's id (``xmin``) and a new place (``ctid``); a dropped object takes its rows
away. So a digest of the (xmin, ctid) pairs of the catalogs a read looks at, taken in the
read's own transaction, moves whenever the schema does, and reading it deparses nothing
(a fraction of a second where a full read takes seconds).

Whole catalogs are digested, not only the rows of the schemas in scope: a view prints the name
of a function, type or operator in another schema, and a role's new name changes every owner
and grant printed. What the digest cannot see, it adds as itself: the names of the roles this
database's objects name (pg_authid is not readable, pg_roles shows no xmin), the server's
version and the settings that change how constants print.

VACUUM FREEZE keeps a row's ``xmin`` as PostgreSQL (9.4 on) reports it (it only marks the row
frozen), VACUUM FULL of a catalog moves its rows (the epoch moves: a needless read, never a
wrong answer), and what VACUUM and ANALYZE write in place (pages, tuples, frozen ids) is not
read by a snapshot at all.
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg

from ddp_engine.sqltext import ident, literal

#: The catalogs whose rows make up what a snapshot shows, or what its deparsed texts name
#: (not the cluster-wide ones a snapshot never reads: another database created or dropped on
#: the server leaves the epoch as it was).
#: Those a server lacks (older versions) or the role may not read are left out of the digest,
#: and their names with them, so that the epoch also moves when that changes.
CATALOGS = (
    "pg_aggregate",
    "pg_am",
    "pg_amop",
    "pg_amproc",
    "pg_attrdef",
    "pg_attribute",
    "pg_cast",
    "pg_class",
    "pg_collation",
    "pg_constraint",
    "pg_conversion",
    "pg_default_acl",
    "pg_depend",
    "pg_description",
    "pg_enum",
    "pg_event_trigger",
    "pg_extension",
    "pg_foreign_data_wrapper",
    "pg_foreign_server",
    "pg_foreign_table",
    "pg_index",
    "pg_inherits",
    "pg_init_privs",
    "pg_language",
    "pg_namespace",
    "pg_opclass",
    "pg_operator",
    "pg_opfamily",
    "pg_partitioned_table",
    "pg_policy",
    "pg_proc",
    "pg_publication",
    "pg_publication_namespace",
    "pg_publication_rel",
    "pg_range",
    "pg_rewrite",
    "pg_seclabel",
    "pg_sequence",
    "pg_statistic_ext",
    "pg_transform",
    "pg_trigger",
    "pg_ts_config",
    "pg_ts_config_map",
    "pg_ts_dict",
    "pg_ts_parser",
    "pg_ts_template",
    "pg_type",
)

#: Settings that change how the server prints a constant or a name in deparsed text.
SETTINGS = ("DateStyle", "IntervalStyle", "extra_float_digits", "server_version_num")

_READABLE = """
SELECT c.relname
FROM pg_catalog.pg_class c
WHERE c.relnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
  AND c.relkind OPERATOR(pg_catalog.=) 'r'
  AND c.relname OPERATOR(pg_catalog.=) ANY (%(names)s::pg_catalog.name[])
  AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
ORDER BY c.relname
"""


#: A row version's (xmin, ctid) as a 64-bit hash: the hash of its place seeded with its
#: transaction id (``hashtidextended``, PostgreSQL 13 on) costs the server a third less than
#: hashing the two as one text (0.65 s against 1.0 s a side at 10,000 tables), which older
#: servers still do.
_ROW_HASH = "pg_catalog.hashtidextended(x.ctid, x.xmin::pg_catalog.text::pg_catalog.int8)"
_ROW_HASH_BEFORE_13 = (
    "pg_catalog.hashtextextended("
    "x.xmin::pg_catalog.text OPERATOR(pg_catalog.||) x.ctid::pg_catalog.text, 0)"
)


def _digest_query(catalogs: list[str], server_version: int) -> str:
    """One row per catalog: its name, its row count, and the sum of a 64-bit hash of each
    row's (xmin, ctid), an order-free digest that needs no sort."""
    row_hash = _ROW_HASH if server_version >= 130000 else _ROW_HASH_BEFORE_13
    parts = [
        f"SELECT {literal(name)}, pg_catalog.count(*), pg_catalog.sum({row_hash})"
        f" FROM pg_catalog.{ident(name)} x"
        for name in catalogs
    ]
    parts.append(_ROLES)
    return " UNION ALL ".join(parts)


#: The names of the roles this database's objects can print: those its objects depend on
#: (owners, grantees, policies' roles: pg_shdepend) and the built-in ones, which pg_shdepend
#: never lists. A role created or dropped elsewhere on the server leaves the epoch as it was;
#: a role renamed that an owner or grant here names moves it.
_ROLES = """SELECT 'roles', pg_catalog.count(*), pg_catalog.sum(pg_catalog.hashtextextended(
  r.oid::pg_catalog.text OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) r.rolname, 0))
FROM pg_catalog.pg_roles r
WHERE r.oid OPERATOR(pg_catalog.<) 16384::pg_catalog.oid
   OR r.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
        SELECT DISTINCT d.refobjid FROM pg_catalog.pg_shdepend d
        WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_authid'::pg_catalog.regclass
          AND d.dbid OPERATOR(pg_catalog.=) (
              SELECT b.oid FROM pg_catalog.pg_database b
              WHERE b.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())))"""


def read_epoch(cur: psycopg.Cursor[Any]) -> str:
    """The epoch of the database ``cur`` reads, in the transaction it is in (call it first in
    the read's REPEATABLE READ transaction, so that the epoch and the snapshot agree)."""
    cur.execute(_READABLE, {"names": list(CATALOGS)})
    catalogs = [r[0] for r in cur.fetchall()]
    cur.execute(_digest_query(catalogs, cur.connection.info.server_version))
    digest = hashlib.sha256()
    for row in sorted(cur.fetchall(), key=lambda r: str(r[0])):
        digest.update(repr(tuple(map(str, row))).encode())
    cur.execute(
        "SELECT " + ", ".join(f"pg_catalog.current_setting({literal(s)})" for s in SETTINGS)
    )
    digest.update(repr(cur.fetchone()).encode())
    return digest.hexdigest()


def server_identity(cur: psycopg.Cursor[Any]) -> tuple[str, str]:
    """The server's system identifier (set at initdb, the same on a physical replica) and the
    database's oid: a cached snapshot is only ever used for the database it was read from."""
    cur.execute(
        "SELECT (pg_catalog.pg_control_system()).system_identifier::pg_catalog.text, "
        "d.oid::pg_catalog.text FROM pg_catalog.pg_database d "
        "WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()"
    )
    row = cur.fetchone()
    assert row is not None
    return str(row[0]), str(row[1])
