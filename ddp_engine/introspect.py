"""Read the schemas in scope into a Snapshot: one consistent transaction, one query per kind.

DESIGN's rules live here: ``REPEATABLE READ READ ONLY`` so that every query sees the same
catalog; the empty ``search_path`` every session starts with (connect.py), so that nothing planted
in a schema runs and deparsed text names every user object schema-qualified (a cross-schema sync
renames those qualifiers: relabel.py); pg_catalog only; a constant number of queries whatever
the number of tables.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg

from ddp_engine.blocked import blocked_read
from ddp_engine.builders import Names, columns, names_of
from ddp_engine.cache import SnapshotCache
from ddp_engine.connect import SessionLimits, connect
from ddp_engine.deparsed import deparsed_query
from ddp_engine.epoch import read_epoch, server_identity
from ddp_engine.errors import DdpError
from ddp_engine.model import (
    Column,
    Key,
    Schema,
    Snapshot,
    Unsupported,
)
from ddp_engine.queries import query_text
from ddp_engine.registry import DEPARSED_KINDS, OBJECT_ATTRS, SPEC_OF_QUERY, KindSpec, Rows
from ddp_engine.rows import (
    ChangedWhileReading,
    build_sequence,
    build_table,
    build_view,
    fetch_dicts,
    fetch_tuples,
    group_columns,
    is_dropped,
    parse_acl,
    read_dependencies,
)
from ddp_engine.scope import NO_SCOPE_PARAMS, ReadScope
from ddp_engine.settings import ConnectionSettings

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
    "deparsed",  # every kind of DEPARSED_KINDS, in one query (deparsed.py)
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


def load_query(name: str, scoped: bool = False) -> str:
    """The text of ``queries/<name>.sql``, shipped as package data, its shared fragments
    spliced in ("deparsed": every query of DEPARSED_KINDS as one, deparsed.py). ``scoped``:
    for a read that leaves objects out (:func:`leaves_out`)."""
    if name == "deparsed":
        return deparsed_query(tuple(spec.query for spec in DEPARSED_KINDS))
    return query_text(name, scoped)


def leaves_out(params: dict[str, Any]) -> bool:
    """Whether the queries' parameters leave anything out (scope.ReadScope.params)."""
    return bool(
        params.get("out_schemas") or params.get("exclude_regexes") or params.get("includes")
    )


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


def introspect(
    settings: ConnectionSettings,
    side: str,
    all_schemas: bool = False,
    limits: SessionLimits | None = None,
    cache_dir: str | None = None,
    read_scope: ReadScope | None = None,
    shared: dict[Any, Any] | None = None,
) -> tuple[Snapshot, float]:
    """Connect to ``side`` and read its Snapshot; returns it with the seconds it took.

    ``limits``: how long the read may wait for a lock and run one query. A read that gives up
    ends in one line naming the table and the process that blocked it (``blocked_read``).
    ``cache_dir``: a folder where the side's last snapshot is kept and reused while the
    side's catalog epoch has not moved (cache.py). ``read_scope``: what the read leaves out
    (listed by name, not read in full: scope.ReadScope). ``shared``: a pool both sides of a
    sync read into, each object equal to one the other side built taken from it instead (a
    target holds its source's objects but for what differs: half the memory of two copies).
    """
    limits = limits or SessionLimits()
    started = time.perf_counter()
    scope_key = read_scope.key() if read_scope else ""
    cache = SnapshotCache(cache_dir, settings, all_schemas, scope_key) if cache_dir else None
    with connect(settings, side, limits) as conn:
        try:
            snapshot = read_snapshot(
                conn, settings.schema_name, all_schemas, cache, read_scope, shared
            )
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as exc:
            raise DdpError(blocked_read(settings, side, all_schemas, limits, exc)) from None
        except psycopg.errors.OutOfMemory as exc:
            raise DdpError(
                f"DDP SYNC failed: the {side} server ran out of shared memory while reading "
                f"the catalog ({' '.join(str(exc).split()[:6])}): raise the server's "
                "max_locks_per_transaction, or read fewer schemas at once"
            ) from None
    return snapshot, time.perf_counter() - started


#: Reads tried before giving up on a schema that keeps changing under us.
READ_ATTEMPTS = 3


def read_snapshot(
    conn: psycopg.Connection,
    schema_name: str,
    all_schemas: bool,
    cache: SnapshotCache | None = None,
    read_scope: ReadScope | None = None,
    shared: dict[Any, Any] | None = None,
) -> Snapshot:
    """Read a Snapshot through an open connection (left unchanged: the transaction rolls back);
    with a ``cache``, the cached one when the catalog's epoch has not moved since.

    The transaction sees one consistent catalog, but pg_get_indexdef and its kin read the
    server's catalog caches, which follow concurrent DDL: an object dropped meanwhile deparses
    to NULL. Then the whole read starts again in a fresh transaction.
    """
    for _ in range(READ_ATTEMPTS):
        try:
            return _read_once(conn, schema_name, all_schemas, cache, read_scope, shared)
        except ChangedWhileReading:
            continue
    raise DdpError(
        "DDP SYNC failed: the schema kept changing while it was being read; "
        "try again when no migration is running"
    )


#: Views deparsed per savepoint: each holds a lock on every relation it names until the
#: savepoint is rolled back; 500 views a side stay far below the server's shared lock table
#: (max_locks_per_transaction 64 x ~120 backends) with both sides read at once.
VIEW_BATCH = 500
#: The query read a batch at a time after ``relations`` (``read_view_definitions``).
VIEW_QUERY = "view_definitions"


def read_view_definitions(cur: psycopg.Cursor[Any], params: dict[str, Any]) -> dict[int, str]:
    """Every view's definition in scope by oid, ``VIEW_BATCH`` at a time, each batch inside a
    savepoint rolled back once its rows are in: that releases the locks pg_get_viewdef took,
    which one read of thousands of views would otherwise hold to its end. The transaction's
    snapshot (REPEATABLE READ) is the same for every batch."""
    query = load_query(VIEW_QUERY, leaves_out(params))
    definitions: dict[int, str] = {}
    after = 0
    while True:
        cur.execute("SAVEPOINT ddp_view_definitions")
        cur.execute(query, {**NO_SCOPE_PARAMS, **params, "after": after, "batch": VIEW_BATCH})
        rows = cur.fetchall()
        cur.execute("ROLLBACK TO SAVEPOINT ddp_view_definitions")
        cur.execute("RELEASE SAVEPOINT ddp_view_definitions")
        definitions.update(rows)
        if len(rows) < VIEW_BATCH:
            return definitions
        after = rows[-1][0]


#: The queries read as a stream, STREAM_CHUNK rows a message, by the thread that sent them
#: (the worker goes on with the result before meanwhile): the largest results by far. Fetched
#: whole, a 2,000-table catalog of 200-column tables held 360 MB of driver rows for columns
#: alone; streamed, a chunk at a time, and the server computes the next rows while these are
#: built.
STREAMED = ("dependencies", "columns")
STREAM_CHUNK = 5000


def _read_once(
    conn: psycopg.Connection,
    schema_name: str,
    all_schemas: bool,
    cache: SnapshotCache | None,
    read_scope: ReadScope | None,
    shared: dict[Any, Any] | None,
) -> Snapshot:
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    try:
        with conn.cursor() as cur:
            for setting, value in TRANSACTION_SETTINGS.items():
                cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (setting, value))
            if cache:  # the epoch first: the same transaction, so it dates what is read next
                cache.prefetch()  # the file is read meanwhile
                identity, epoch = server_identity(cur), read_epoch(cur)
                cached = cache.load(identity, epoch)
                if cached is not None:
                    return cached
            params: dict[str, Any] = {"schemas": [schema_name], "all": all_schemas}
            cur.execute(load_query("schemas"), params)
            schema_rows = [r for r in fetch_dicts(cur) if not is_dropped(r["name"])]
            if not all_schemas and not schema_rows:
                raise DdpError(f'DDP SYNC failed: schema "{schema_name}" does not exist')
            params["schemas"] = [r["name"] for r in schema_rows]
            params.update(read_scope.params(params["schemas"]) if read_scope else NO_SCOPE_PARAMS)
            scoped = leaves_out(params)
            results = _Results(all_schemas, {} if shared is None else shared)
            # The server runs query n+1 while a worker turns the rows of query n into objects:
            # a finished result lives in its own cursor and needs no connection to be read.
            # Query n+2 waits for the worker to finish n, so that at most two results are
            # held at once (each is tens of megabytes on a big catalog).
            with ThreadPoolExecutor(max_workers=1) as worker:
                done: list[Future[None]] = []
                for name in QUERY_NAMES[1:]:
                    if len(done) >= 2:
                        done[-2].result()
                    if name in STREAMED:
                        with query_settings(cur, QUERY_SETTINGS.get(name, {})):
                            results.take_stream(name, cur, load_query(name, scoped), params)
                        continue
                    with query_settings(cur, QUERY_SETTINGS.get(name, {})):
                        result = conn.cursor()
                        result.execute(load_query(name, scoped), params)
                    done.append(worker.submit(results.take, name, result))
                    if name == "relations":
                        results.view_definitions = read_view_definitions(cur, params)
                for future in done:
                    future.result()
            version = conn.info.server_version
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DdpError(
            f"DDP SYNC failed: permission denied while reading the catalog: {exc}"
        ) from None
    finally:
        conn.rollback()
    snapshot = results.snapshot(version, schema_rows)
    if cache:
        cache.store(identity, epoch, snapshot)
    return snapshot


class _Results:
    """Each query's rows turned into objects as they arrive, in query order, by one worker
    thread; renamed (``_dropped_``) objects are left out.

    Rows never wait as dicts for the end of the read: a 10,000-table catalog held that way
    took more memory than the objects made from it.
    """

    def __init__(self, all_schemas: bool, shared: dict[Any, Any]) -> None:
        self.all_schemas = all_schemas
        self.shared = shared  # each object (and dependency key) once, for both sides
        self.objects: dict[str, list[Any]] = defaultdict(list)
        self.relation_rows: list[dict[str, Any]] = []
        self.sequence_rows: list[dict[str, Any]] = []
        self.table_names: set[tuple[str, str]] = set()
        self.live_relations: set[tuple[str, str]] = set()
        self.dependencies: list[tuple[Key, Key]] = []
        self.view_definitions: dict[int, str] = {}

    def take(self, name: str, cur: psycopg.Cursor[Any]) -> None:
        with cur:
            if name == "relations":
                self.relation_rows = list(fetch_dicts(cur))
            elif name == "sequences":
                self.sequence_rows = list(fetch_dicts(cur))
                self.objects["sequences"] = self._pooled(
                    build_sequence(r)
                    for r in self.sequence_rows
                    if not is_dropped(r["name"]) and not r["is_identity"]
                )
            elif name == "deparsed":
                names = names_of(cur)
                query = columns(names, "query")
                readers = {
                    spec.query: (
                        self.objects[spec.attr],
                        spec.build(names),
                        self._keep(spec, names),
                    )
                    for spec in DEPARSED_KINDS
                    if spec.build is not None
                }
                for r in fetch_tuples(cur):
                    objects, build, keep = readers[query(r)]
                    if keep is None or keep(r):
                        objects.append(build(r))
            elif name == "unsupported":
                self.objects[name] = [Unsupported(**r) for r in fetch_dicts(cur)]
            else:
                spec = SPEC_OF_QUERY[name]
                assert spec.build is not None
                names = names_of(cur)
                build, keep = spec.build(names), self._keep(spec, names)
                rows = fetch_tuples(cur)
                self.objects[spec.attr] = self._pooled(
                    map(build, rows) if keep is None else (build(r) for r in rows if keep(r))
                )

    def _pooled(self, objects: Iterable[Any]) -> list[Any]:
        """Each object, or the equal one built first, by either side (``shared``)."""
        share = self.shared.setdefault
        return [share(o, o) for o in objects]

    def _keep(self, spec: KindSpec, names: Names) -> Callable[[tuple[Any, ...]], bool] | None:
        """Whether a row of a kind's query becomes an object (registry.Rows; None: all do),
        read by the columns' positions in ``names``."""
        if spec.rows == Rows.ALL:
            return None
        if spec.rows == Rows.KEPT:
            name = columns(names, "name")
            return lambda r: not is_dropped(name(r))
        on = columns(names, "schema_name", "table_name")
        if spec.rows == Rows.ON_TABLE:
            tables = self.table_names
            return lambda r: on(r) in tables
        relations = self.live_relations
        if spec.rows == Rows.ON_RELATION:
            return lambda r: on(r) in relations
        name = columns(names, "name")
        return lambda r: on(r) in relations and not is_dropped(name(r))

    def take_stream(
        self, name: str, cur: psycopg.Cursor[Any], query: str, params: dict[str, Any]
    ) -> None:
        """Read a ``STREAMED`` query's rows as they come (for columns: relations and
        sequences are in)."""
        rows = cur.stream(query, params, size=STREAM_CHUNK)
        if name == "dependencies":
            self.dependencies = read_dependencies(rows, self.shared)
        else:
            self._relations(group_columns(cur, rows, self.relation_rows, self.sequence_rows))

    def _relations(self, columns: dict[tuple[str, str], list[Column]]) -> None:
        """Tables and views, once their columns are in."""
        for r in self.relation_rows:
            if is_dropped(r["name"]) or r["relkind"] == "f":
                continue
            name = (r["schema_name"], r["name"])
            cols = columns.get(name, [])
            if r["relkind"] in ("v", "m"):
                definition = "" if r["out_of_scope"] else self.view_definitions.get(r["oid"])
                r["view_definition"] = definition
                view = build_view(r, cols)
                self.objects["views"].append(self.shared.setdefault(view, view))
            else:
                table = build_table(r, cols)
                self.objects["tables"].append(self.shared.setdefault(table, table))
                self.table_names.add(name)
            self.live_relations.add(name)
        self.relation_rows = []
        self.view_definitions = {}

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
            **{attr: tuple(objects[attr]) for attr in OBJECT_ATTRS},
        )
        return Snapshot.model_construct(**values)
