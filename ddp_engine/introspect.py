"""Read the schemas in scope into a Snapshot: one consistent transaction, one query per kind.

DESIGN's rules live here: ``REPEATABLE READ READ ONLY`` so that every query sees the same
catalog; the empty ``search_path`` every session starts with (connect.py), so that nothing planted
in a schema runs and deparsed text names every user object schema-qualified (a cross-schema sync
renames those qualifiers: relabel.py); pg_catalog only; a constant number of queries whatever
the number of tables.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from importlib import resources
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import psycopg

from ddp_engine.codes import TypeKind
from ddp_engine.connect import SessionLimits, connect
from ddp_engine.errors import DdpError
from ddp_engine.model import (
    Collation,
    Column,
    Constraint,
    Extension,
    Function,
    Index,
    Key,
    Policy,
    Schema,
    Sequence,
    Snapshot,
    Table,
    Trigger,
    Unsupported,
    UserType,
    View,
)
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sqltext import split_ident, unquote

#: The suffix of a name that DDP renamed to keep its data; such objects are left out of diffs.
DROPPED_RE = re.compile(r"_dropped_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")

#: The queries, in the order they run. Relations and sequences come before columns (a column
#: needs its table and identity sequence); dependencies come early so that turning their rows
#: into edges, the reader's longest work, overlaps the columns query instead of trailing the
#: last one (0.2-0.4 s of wall time at 10,000 tables).
QUERY_NAMES = (
    "schemas",
    "extensions",
    "collations",
    "types",
    "relations",
    "sequences",
    "dependencies",
    "columns",
    "constraints",
    "indexes",
    "functions",
    "triggers",
    "policies",
    "unsupported",
)

#: Settings of the reading transaction: no JIT (compiling costs more than these queries run),
#: sorts and hashes in memory, and no parallel workers (both sides are read at once already).
TRANSACTION_SETTINGS = {
    "jit": "off",
    "work_mem": "64MB",
    "max_parallel_workers_per_gather": "0",
}

#: Planner settings a query needs. dependencies.sql joins pg_depend twice to a list of every
#: object (columns included): the planner underestimates that list and picks a nested loop that
#: is quadratic in the number of objects, or a merge join that sorts the list on disk. Hash
#: joins with room for their tables in memory read a 10,000-table catalog in a third less time.
QUERY_SETTINGS: dict[str, dict[str, str]] = {
    "dependencies": {"enable_nestloop": "off", "enable_mergejoin": "off", "work_mem": "256MB"}
}


def load_query(name: str) -> str:
    """The text of ``queries/<name>.sql``, shipped as package data."""
    return resources.files("ddp_engine.queries").joinpath(f"{name}.sql").read_text()


@contextmanager
def query_settings(cur: psycopg.Cursor[Any], settings: dict[str, str]) -> Iterator[None]:
    """Apply ``settings`` for one query, then put back the transaction's own values."""
    previous = {}
    for setting, value in settings.items():
        cur.execute(
            "SELECT pg_catalog.current_setting(%s), pg_catalog.set_config(%s, %s, true)",
            (setting, setting, value),
        )
        row = cur.fetchone()
        previous[setting] = row[0] if row else value
    yield
    for setting, value in previous.items():
        cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))


def is_dropped(name: str) -> bool:
    """Whether ``name`` carries the suffix DDP gives renamed, data-preserving objects."""
    return "_dropped_" in name and DROPPED_RE.search(name) is not None


def introspect(
    settings: ConnectionSettings,
    side: str,
    all_schemas: bool = False,
    limits: SessionLimits | None = None,
) -> tuple[Snapshot, float]:
    """Connect to ``side`` and read its Snapshot; returns it with the seconds it took.

    ``limits``: how long the read may wait for a lock and run one query. A read that gives up
    ends in one line naming the table and the process that blocked it (``blocked_read``).
    """
    limits = limits or SessionLimits()
    started = time.perf_counter()
    with connect(settings, side, limits) as conn:
        try:
            snapshot = read_snapshot(conn, settings.schema_name, all_schemas)
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as exc:
            raise DdpError(blocked_read(settings, side, all_schemas, limits, exc)) from None
    return snapshot, time.perf_counter() - started


#: How long the look-up of a blocking process may itself take (it reads no user relation).
_BLOCKERS_LIMITS = SessionLimits(lock_timeout="2s", statement_timeout="10s")


def blocked_read(
    settings: ConnectionSettings,
    side: str,
    all_schemas: bool,
    limits: SessionLimits,
    exc: psycopg.Error,
) -> str:
    """One line for a read that gave up waiting: the relation and the process holding an
    ACCESS EXCLUSIVE lock on it (pid, user, application, since when), found in a fresh short
    session through pg_locks and pg_stat_activity; else what timed out."""
    waited = (
        f"--lock-timeout {limits.lock_timeout}"
        if isinstance(exc, psycopg.errors.LockNotAvailable)
        else f"--read-timeout {limits.statement_timeout}"
    )
    row = None
    try:
        with connect(settings, side, _BLOCKERS_LIMITS) as conn:
            params = {"schemas": [settings.schema_name], "all": all_schemas}
            row = conn.execute(load_query("blockers"), params).fetchone()
    except (psycopg.Error, DdpError):
        pass  # the look-up is a courtesy: the read's own failure is what counts
    if row is None:
        return (
            f"DDP SYNC failed: reading the {side} database gave up after {waited}: "
            f"{' '.join(str(exc).split())}"
        )
    schema_name, relation, oid, pid, user, application, since = row
    table = f"{schema_name}.{relation}" if relation else f"relation {oid}"
    return (
        f"DDP SYNC failed: reading the {side} database gave up after {waited}: {table} is "
        f"locked (ACCESS EXCLUSIVE) by pid {pid} (user {user or '?'}, application "
        f"{application or '?'}, in a transaction since {since or '?'}); "
        "try again when it ends, or end that session"
    )


class ChangedWhileReading(Exception):
    """A deparse function found an object gone: the schema changed during the read."""


#: Reads tried before giving up on a schema that keeps changing under us.
READ_ATTEMPTS = 3


def read_snapshot(conn: psycopg.Connection, schema_name: str, all_schemas: bool) -> Snapshot:
    """Read a Snapshot through an open connection (left unchanged: the transaction rolls back).

    The transaction sees one consistent catalog, but pg_get_indexdef and its kin read the
    server's catalog caches, which follow concurrent DDL: an object dropped meanwhile deparses
    to NULL. Then the whole read starts again in a fresh transaction.
    """
    for _ in range(READ_ATTEMPTS):
        try:
            return _read_once(conn, schema_name, all_schemas)
        except ChangedWhileReading:
            continue
    raise DdpError(
        "DDP SYNC failed: the schema kept changing while it was being read; "
        "try again when no migration is running"
    )


def _read_once(conn: psycopg.Connection, schema_name: str, all_schemas: bool) -> Snapshot:
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    try:
        with conn.cursor() as cur:
            for setting, value in TRANSACTION_SETTINGS.items():
                cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
            params: dict[str, Any] = {"schemas": [schema_name], "all": all_schemas}
            cur.execute(load_query("schemas"), params)
            schema_rows = [r for r in _batches(cur) if not is_dropped(r["name"])]
            if not all_schemas and not schema_rows:
                raise DdpError(f'DDP SYNC failed: schema "{schema_name}" does not exist')
            params["schemas"] = [r["name"] for r in schema_rows]
            results = _Results(all_schemas)
            # The server runs query n+1 while a worker turns the rows of query n into objects:
            # a finished result lives in its own cursor and needs no connection to be read.
            # Query n+2 waits for the worker to finish n, so that at most two results are
            # held at once (each is tens of megabytes on a big catalog).
            with ThreadPoolExecutor(max_workers=1) as worker:
                done: list[Future[None]] = []
                for name in QUERY_NAMES[1:]:
                    if len(done) >= 2:
                        done[-2].result()
                    with query_settings(cur, QUERY_SETTINGS.get(name, {})):
                        result = conn.cursor()
                        result.execute(load_query(name), params)
                    done.append(worker.submit(results.take, name, result))
                for future in done:
                    future.result()
            version = conn.info.server_version
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DdpError(
            f"DDP SYNC failed: permission denied while reading the catalog: {exc}"
        ) from None
    finally:
        conn.rollback()
    return results.snapshot(version, schema_rows)


class _Results:
    """Each query's rows turned into objects as they arrive, in query order, by one worker
    thread; renamed (``_dropped_``) objects are left out.

    Rows never wait as dicts for the end of the read: a 10,000-table catalog held that way
    took more memory than the objects made from it.
    """

    def __init__(self, all_schemas: bool) -> None:
        self.all_schemas = all_schemas
        self.objects: dict[str, list[Any]] = defaultdict(list)
        self.relation_rows: list[dict[str, Any]] = []
        self.sequence_rows: list[dict[str, Any]] = []
        self.table_names: set[tuple[str, str]] = set()
        self.live_relations: set[tuple[str, str]] = set()
        self.dependencies: list[tuple[Key, Key]] = []

    def take(self, name: str, cur: psycopg.Cursor[Any]) -> None:
        with cur:
            if name == "relations":
                self.relation_rows = list(_batches(cur))
            elif name == "sequences":
                self.sequence_rows = list(_batches(cur))
                self.objects["sequences"] = [
                    _sequence(r)
                    for r in self.sequence_rows
                    if not is_dropped(r["name"]) and not r["is_identity"]
                ]
            elif name == "columns":
                self._relations(group_columns(cur, self.relation_rows, self.sequence_rows))
            elif name == "dependencies":
                self.dependencies = _dependencies(cur)
            else:
                build = _BUILDERS[name]
                self.objects[name] = [
                    obj for r in _batches(cur) if (obj := build(r, self)) is not None
                ]

    def _relations(self, columns: dict[tuple[str, str], list[Column]]) -> None:
        """Tables and views, once their columns are in."""
        for r in self.relation_rows:
            if is_dropped(r["name"]) or r["relkind"] == "f":
                continue
            name = (r["schema_name"], r["name"])
            cols = columns.get(name, [])
            if r["relkind"] in ("v", "m"):
                self.objects["views"].append(_view(r, cols))
            else:
                self.objects["tables"].append(_table(r, cols))
                self.table_names.add(name)
            self.live_relations.add(name)
        self.relation_rows = []

    def snapshot(self, version: int, schema_rows: list[dict[str, Any]]) -> Snapshot:
        objects = self.objects
        values: dict[str, Any] = dict(
            server_version=version,
            all_schemas=self.all_schemas,
            schemas=tuple(
                Schema(
                    name=r["name"],
                    comment=r["comment"],
                    acl=parse_acl(r["acl"], r["owner"]),
                    owner=r["owner"],
                )
                for r in schema_rows
            ),
            dependencies=tuple(self.dependencies),
            **{
                kind: tuple(objects[kind])
                for kind in (
                    "extensions",
                    "collations",
                    "types",
                    "sequences",
                    "tables",
                    "views",
                    "functions",
                    "constraints",
                    "indexes",
                    "triggers",
                    "policies",
                    "unsupported",
                )
            },
        )
        return Snapshot.model_construct(**values)


def parse_acl(items: Iterable[str], owner: str) -> tuple[str, ...]:
    """Canonical grants: ``grantee=privileges`` (``*`` marks grant option), owner as ``<owner>``.

    The grantor is left out: who granted is history, not schema.
    """
    result = []
    for item in items:
        quoted, rest = split_ident(item, sep="=")
        grantee = unquote(quoted)
        privileges = rest.rsplit("/", 1)[0]
        if grantee == "":
            grantee = "PUBLIC"
        elif grantee == owner:
            grantee = "<owner>"
        result.append(f"{grantee}={privileges}")
    return tuple(sorted(result))


#: Rows fetched per round trip to the driver: large enough to amortise the call, small enough
#: that a 150,000-column catalog is never held as rows and objects at once.
BATCH = 5000


def _tuples(cur: psycopg.Cursor[Any]) -> Iterable[tuple[Any, ...]]:
    """The rows of the last query (a tuple-row cursor), fetched ``BATCH`` at a time."""
    while batch := cur.fetchmany(BATCH):
        yield from batch


def _batches(cur: psycopg.Cursor[Any]) -> Iterable[dict[str, Any]]:
    """The rows of the last query as dicts keyed by column name, fetched ``BATCH`` at a time.

    Tuple rows zipped with one shared list of names cost less than psycopg's dict rows.
    """
    names = [d.name for d in cur.description or ()]
    for row in _tuples(cur):
        yield dict(zip(names, row, strict=True))


def group_columns(
    cur: psycopg.Cursor[Any],
    relations: list[dict[str, Any]],
    sequences: list[dict[str, Any]],
) -> dict[tuple[str, str], list[Column]]:
    """Columns per relation, built as they arrive; inherited columns belong to the parent.

    The largest result of all: its rows are read as tuples by position, never as dicts.
    """
    owners = {(r["schema_name"], r["name"]): r["owner"] for r in relations}
    identity_sequences = {
        (r["owned_by_schema"], r["owned_by_table"], r["owned_by_column"]): r
        for r in sequences
        if r["is_identity"]
    }
    at = {d.name: i for i, d in enumerate(cur.description or ())}
    schema_at, table_at, name_at = at["schema_name"], at["table_name"], at["name"]
    identity_at, acl_at = at["identity"], at["acl"]
    fields = itemgetter(*(at[name] for name in _COLUMN_FIELDS))
    columns: dict[tuple[str, str], list[Column]] = defaultdict(list)
    relation: tuple[str, str] = ("", "")
    owner = ""
    current: list[Column] = []
    intern, make = sys.intern, tuple.__new__
    for r in _tuples(cur):
        if r[schema_at] != relation[0] or r[table_at] != relation[1]:
            relation = (intern(r[schema_at]), intern(r[table_at]))
            owner = owners.get(relation, "")
            current = columns[relation]
        name = r[name_at]
        if "_dropped_" in name and is_dropped(name):
            continue
        if r[identity_at] or r[acl_at]:
            sequence = identity_sequences.get((*relation, name)) if r[identity_at] else None
            current.append(_column(fields(r), owner, sequence))
            continue
        # The common case, inline: no identity to look up, no grants to parse. A function
        # call and a keyword-built tuple per column cost a quarter of the columns' read.
        (_, data_type, not_null, default, generated, _, collation, stats, storage, comment, _,
         virtual) = fields(r)  # fmt: skip
        current.append(
            make(
                Column,
                (
                    intern(name),
                    intern(data_type),
                    not_null,
                    default,
                    generated,
                    None,
                    None,
                    None,
                    collation,
                    stats,
                    storage,
                    comment,
                    (),
                    virtual,
                ),
            )
        )
    return columns


#: The columns.sql fields a Column is made of, in the order _column takes them.
_COLUMN_FIELDS = (
    "name",
    "data_type",
    "not_null",
    "default_expr",
    "generated_expr",
    "identity",
    "collation",
    "statistics",
    "storage",
    "comment",
    "acl",
    "virtual",
)


def _on_table(r: dict[str, Any], results: _Results) -> bool:
    return (r["schema_name"], r["table_name"]) in results.table_names


def _on_relation(r: dict[str, Any], results: _Results) -> bool:
    return (r["schema_name"], r["table_name"]) in results.live_relations


def _trigger(r: dict[str, Any]) -> Trigger:
    return Trigger.trusted(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        definition=_deparsed(r["definition"]),
        enabled=r["enabled"],
        comment=r["comment"],
    )


def _policy(r: dict[str, Any]) -> Policy:
    return Policy(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        command=r["command"],
        permissive=r["permissive"],
        roles=tuple(r["roles"]),
        using=r["using_expr"],
        check=r["check_expr"],
        comment=r["comment"],
    )


#: Per query: the object one row becomes, or None for a row left out.
_BUILDERS: dict[str, Callable[[dict[str, Any], _Results], Any]] = {
    "extensions": lambda r, _: Extension(**r),
    "collations": lambda r, _: None if is_dropped(r["name"]) else Collation(**r),
    "types": lambda r, _: None if is_dropped(r["name"]) else _user_type(r),
    "functions": lambda r, _: None if is_dropped(r["name"]) else _function(r),
    "constraints": lambda r, res: _constraint(r) if _on_table(r, res) else None,
    "indexes": lambda r, res: (
        _index(r) if _on_relation(r, res) and not is_dropped(r["name"]) else None
    ),
    "triggers": lambda r, res: _trigger(r) if _on_relation(r, res) else None,
    "policies": lambda r, res: _policy(r) if _on_table(r, res) else None,
    "unsupported": lambda r, _: Unsupported(**r),
}


def _table(r: dict[str, Any], cols: list[Column]) -> Table:
    parents = tuple(r["parents"])
    return Table.trusted(
        schema_name=r["schema_name"],
        name=r["name"],
        partitioned=r["relkind"] == "p",
        unlogged=r["persistence"] == "u",
        partition_key=r["partition_key"],
        partition_of=parents[0] if r["is_partition"] else None,
        partition_bound=r["partition_bound"],
        inherits=() if r["is_partition"] else parents,
        options=tuple(sorted(r["options"])),
        rls=r["rls"],
        force_rls=r["force_rls"],
        replica_identity=r["replica_identity"],
        columns=tuple(cols),
        not_null_names=tuple((n[0], n[1]) for n in r["not_nulls"] or ()),
        not_null_inherited=tuple(n[0] for n in r["not_nulls"] or () if n[2] == "true"),
        cloned_indexes=tuple(r["cloned_indexes"] or ()),
        cloned_constraints=tuple(r["cloned_constraints"] or ()),
        comment=r["comment"],
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def _column(c: tuple[Any, ...], owner: str, sequence: dict[str, Any] | None) -> Column:
    """A Column from the ``_COLUMN_FIELDS`` of one columns.sql row."""
    name, data_type, not_null, default, generated, identity, collation, stats, storage = c[:9]
    comment, acl, virtual = c[9:]
    options = None
    if sequence is not None:
        options = (
            sequence["start"],
            sequence["increment"],
            sequence["min_value"],
            sequence["max_value"],
            sequence["cache"],
            sequence["cycle"],
        )
    return Column(
        sys.intern(name),
        sys.intern(data_type),
        not_null,
        default,
        generated,
        identity,
        sequence["name"] if sequence is not None else None,
        options,
        collation,
        stats,
        storage,
        comment,
        parse_acl(acl, owner) if acl else (),
        virtual,
    )


def _view(r: dict[str, Any], cols: list[Column]) -> View:
    return View.trusted(
        schema_name=r["schema_name"],
        name=r["name"],
        materialized=r["relkind"] == "m",
        definition=_deparsed(r["view_definition"]),
        options=tuple(sorted(r["options"])),
        comment=r["comment"],
        column_comments=tuple((c.name, c.comment) for c in cols if c.comment),
        column_acls=tuple((c.name, c.acl) for c in cols if c.acl),
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def _sequence(r: dict[str, Any]) -> Sequence:
    owned = None
    if r["owned_by_table"] and not is_dropped(r["owned_by_table"]):
        owned = (r["owned_by_schema"], r["owned_by_table"], r["owned_by_column"])
    return Sequence.trusted(
        schema_name=r["schema_name"],
        name=r["name"],
        data_type=r["data_type"],
        start=r["start"],
        increment=r["increment"],
        min_value=r["min_value"],
        max_value=r["max_value"],
        cache=r["cache"],
        cycle=r["cycle"],
        unlogged=r["persistence"] == "u",
        owned_by=owned,
        comment=r["comment"],
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def _constraint(r: dict[str, Any]) -> Constraint:
    return Constraint.trusted(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        constraint_type=r["constraint_type"],
        definition=_deparsed(r["definition"]),
        columns=tuple(r["columns"]),
        ref_table=(r["ref_schema"], r["ref_table"]) if r["ref_table"] else None,
        ref_columns=tuple(r["ref_columns"]),
        comment=r["comment"],
    )


def _deparsed(value: str | None) -> str:
    if value is None:
        raise ChangedWhileReading
    return value


def _index(r: dict[str, Any]) -> Index:
    definition: str = _deparsed(r["definition"])
    prefix: str = r["definition_prefix"]
    if definition.startswith(prefix):
        body = definition[len(prefix) :]
    else:  # defensive: cut at the first USING after ON
        body = definition[definition.index(" USING ") + 1 :]
    return Index.trusted(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        body=body,
        unique=r["is_unique"],
        key_columns=tuple(r["key_columns"] or ()),
        predicate=r["predicate"],
        on_partitioned=r["on_partitioned"],
        comment=r["comment"],
        valid=r["valid"],
    )


def _function(r: dict[str, Any]) -> Function:
    if r["kind"] == "a":
        body = r["aggregate_options"] or ""
    else:
        definition: str = _deparsed(r["definition"])
        marker = r["qualified_prefix"] + "("
        at = definition.index(marker) + len(r["qualified_prefix"])
        body = definition[at:].rstrip()
    return Function.trusted(
        schema_name=r["schema_name"],
        name=r["name"],
        identity_args=r["identity_args"],
        kind=r["kind"],
        body=body,
        arguments=r["arguments"] or "",
        result_type=r["result_type"],
        comment=r["comment"],
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def _user_type(r: dict[str, Any]) -> UserType:
    return UserType(
        schema_name=r["schema_name"],
        name=r["name"],
        type_kind=r["type_kind"],
        labels=tuple(r["labels"] or ()),
        base_type=r["base_type"],
        not_null=r["not_null"] if r["type_kind"] == TypeKind.DOMAIN else False,
        default=r["default_expr"],
        collation=r["collation"],
        constraints=tuple(r["domain_constraints"] or ()),
        constraint_comments=tuple((c[0], c[1]) for c in r["constraint_comments"] or ()),
        attributes=tuple(r["attributes"] or ()),
        range_options=r["range_options"],
        comment=r["comment"],
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def _dependencies(cur: psycopg.Cursor[Any]) -> list[tuple[Key, Key]]:
    """pg_depend edges between modelled objects (dependencies.sql leaves out those never used),
    each once, in the order the server sent them; edges with a ``_dropped_`` end are left out.

    A hundred and fifty thousand rows a side at 10,000 tables, so the loop runs in C (map,
    itemgetter, dict.fromkeys) and no Python code runs per row: each row's strings are interned
    as they come, so that the driver's copies are freed at once and the keys of one object
    share their strings. A ``_dropped_`` name is looked for in a whole batch at once; only a
    batch that holds one is filtered row by row.
    """
    edges: dict[tuple[Key, Key], None] = {}  # insertion-ordered, no repeats
    intern = repeat(sys.intern)
    while batch := cur.fetchmany(BATCH):
        rows = list(map(tuple, map(map, intern, batch)))
        if "_dropped_" in "".join(chain.from_iterable(rows)):
            rows = [row for row in rows if not any(map(is_dropped, row))]
        edges.update(dict.fromkeys(zip(map(_DEPENDENT, rows), map(_REFERENCED, rows), strict=True)))
    return list(edges)


_DEPENDENT, _REFERENCED = itemgetter(0, 1, 2, 3), itemgetter(4, 5, 6, 7)
