"""Catalog rows → model objects: what one row of each catalog query becomes.

Objects are built with ``Model.trusted`` (no validation: the queries fix the types); the
largest results (columns, dependency edges) are read as tuples, in batches, with their strings
interned. Objects DDP renamed to keep their data (``_dropped_<timestamp>``) are left out.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import Any

import psycopg

from ddp_engine.codes import ReplicaIdentity, TypeKind
from ddp_engine.model import (
    Column,
    Function,
    Key,
    Policy,
    Sequence,
    Table,
    UserType,
    View,
)
from ddp_engine.sqltext import split_ident, unquote

#: The suffix of a name that DDP renamed to keep its data; such objects are left out of diffs.
DROPPED_RE = re.compile(r"_dropped_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")


class ChangedWhileReading(Exception):
    """A deparse function found an object gone: the schema changed during the read."""


def is_dropped(name: str) -> bool:
    """Whether ``name`` carries the suffix DDP gives renamed, data-preserving objects."""
    return "_dropped_" in name and DROPPED_RE.search(name) is not None


def parse_acl(items: Iterable[str], owner: str) -> tuple[str, ...]:
    """Canonical grants: ``grantee=privileges`` (``*`` marks grant option), owner as ``<owner>``.

    The grantor is left out: who granted is history, not schema. Tables of one schema mostly
    carry the same grants: each list is parsed once and its result shared (``_canonical_acl``).
    """
    return _canonical_acl(tuple(items), owner)


@lru_cache(maxsize=4096)
def _canonical_acl(items: tuple[str, ...], owner: str) -> tuple[str, ...]:
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


def fetch_tuples(cur: psycopg.Cursor[Any]) -> Iterable[tuple[Any, ...]]:
    """The rows of the last query (a tuple-row cursor), fetched ``BATCH`` at a time."""
    while batch := cur.fetchmany(BATCH):
        yield from batch


def fetch_dicts(cur: psycopg.Cursor[Any]) -> Iterable[dict[str, Any]]:
    """The rows of the last query as dicts keyed by column name, fetched ``BATCH`` at a time.

    Tuple rows zipped with one shared list of names cost less than psycopg's dict rows.
    """
    names = [d.name for d in cur.description or ()]
    for row in fetch_tuples(cur):
        yield dict(zip(names, row, strict=True))


def group_columns(
    cur: psycopg.Cursor[Any],
    rows: Iterator[tuple[Any, ...]],
    relations: list[dict[str, Any]],
    sequences: list[dict[str, Any]],
) -> dict[tuple[str, str], list[Column]]:
    """Columns per relation, built as ``rows`` (of ``cur``'s query, streamed) arrive;
    inherited columns belong to the parent.

    The largest result of all: its rows are read as tuples by position, never as dicts. Equal
    columns (``id uuid NOT NULL DEFAULT gen_random_uuid()`` on every table) are kept once and
    shared: a snapshot of 200-column tables costs a fraction of a tuple per column.

    The query does not sort (a fifth of its time): rows come a relation at a time in attnum
    order, as the server reads them through pg_attribute's index. A relation whose rows come
    otherwise (another plan) is put in order here, by the ``position`` each row carries.
    """
    first = next(rows, None)  # a streamed cursor describes its result once a row is in
    if first is None:
        return {}
    owners = {(r["schema_name"], r["name"]): r["owner"] for r in relations}
    identity_sequences = {
        (r["owned_by_schema"], r["owned_by_table"], r["owned_by_column"]): r
        for r in sequences
        if r["is_identity"]
    }
    at = {d.name: i for i, d in enumerate(cur.description or ())}
    schema_at, table_at, name_at = at["schema_name"], at["table_name"], at["name"]
    identity_at, acl_at, options_at = at["identity"], at["acl"], at["options"]
    position_at = at["position"]
    fields = itemgetter(*(at[name] for name in _COLUMN_FIELDS))
    plain = itemgetter(*(at[name] for name in _COLUMN_FIELDS if name not in _NOT_PLAIN))
    columns: dict[tuple[str, str], list[Column]] = defaultdict(list)
    relation: tuple[str, str] = ("", "")
    owner = ""
    current: list[Column] = []
    positions: dict[tuple[str, str], list[int]] = defaultdict(list)
    current_positions: list[int] = []
    disordered: set[tuple[str, str]] = set()
    intern, make = sys.intern, tuple.__new__
    shared: dict[Column, Column] = {}
    share = shared.setdefault
    # The plain columns already built, by the row's values: nine in ten repeat one (the same
    # name, type and default on many tables) and are neither built nor hashed again.
    known: dict[tuple[Any, ...], Column] = {}
    recall = known.get

    def inline(values: tuple[Any, ...]) -> Column:
        """The common case: no identity to look up, no grants to parse (a Column made from a
        tuple: a keyword-built one cost a quarter of the columns' read)."""
        (name, data_type, not_null, default, generated, _, collation, stats, storage, comment, _,
         virtual, compression, options) = values  # fmt: skip
        column = make(
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
                compression,
                tuple(options) if options else (),
            ),
        )
        return share(column, column)

    for r in chain((first,), rows):
        if r[schema_at] != relation[0] or r[table_at] != relation[1]:
            relation = (intern(r[schema_at]), intern(r[table_at]))
            if relation in columns:  # its rows came in more than one run
                disordered.add(relation)
            owner = owners.get(relation, "")
            current, current_positions = columns[relation], positions[relation]
        name = r[name_at]
        if "_dropped_" in name and is_dropped(name):
            continue
        position = r[position_at]
        if current_positions and position < current_positions[-1]:
            disordered.add(relation)
        current_positions.append(position)
        if r[identity_at] or r[acl_at]:
            sequence = identity_sequences.get((*relation, name)) if r[identity_at] else None
            current.append(build_column(fields(r), owner, sequence))
        elif r[options_at]:
            current.append(inline(fields(r)))
        else:
            raw = plain(r)
            column = recall(raw)
            if column is None:
                column = known[raw] = inline(fields(r))
            current.append(column)
    for relation in disordered:
        ordered = sorted(zip(positions[relation], columns[relation], strict=True))
        columns[relation] = [column for _, column in ordered]
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
    "compression",
    "options",
)
#: What a plain column (read by its row's values alone) has none of.
_NOT_PLAIN = frozenset({"identity", "acl", "options"})


def row_fields(
    r: dict[str, Any], *copied: str, on_table: bool = False, granted: bool = False
) -> dict[str, Any]:
    """The model fields of one catalog row that every kind reads alike: its schema, name and
    comment and the ``copied`` columns as the row has them; ``on_table``: the table it is on
    (the row's ``table_name``); ``granted``: its owner and its grants (``parse_acl``).

    What a kind reads otherwise (deparsed text, a flag from a letter) its builder adds.
    """
    fields = {"schema_name": r["schema_name"], "name": r["name"], "comment": r["comment"]}
    for name in copied:
        fields[name] = r[name]
    if on_table:
        fields["table"] = r["table_name"]
    if granted:
        fields["owner"] = r["owner"]
        fields["acl"] = parse_acl(r["acl"], r["owner"])
    return fields


def build_policy(r: dict[str, Any]) -> Policy:
    return Policy(
        **row_fields(r, "command", "permissive", on_table=True),
        roles=tuple(r["roles"]),
        using=r["using_expr"],
        check=r["check_expr"],
    )


def build_table(r: dict[str, Any], cols: list[Column]) -> Table:
    """A Table from one relations.sql row and its columns: its fields given in order
    (``Frozen.maker``), ten thousand a side on a big catalog."""
    parents = tuple(r["parents"])
    partition = r["is_partition"]
    not_nulls = r["not_nulls"] or ()
    own = r["inherited_own"] or ()
    owner = r["owner"]
    return _make_table(
        sys.intern(r["schema_name"]),
        r["name"],
        r["relkind"] == "p",
        r["persistence"] == "u",
        r["partition_key"],
        parents[0] if partition else None,
        r["partition_bound"],
        () if partition else parents,
        tuple(sorted(r["options"])),
        r["rls"],
        r["force_rls"],
        _REPLICA_IDENTITY[r["replica_identity"]],
        tuple(cols),
        tuple([(n[0], n[1]) for n in not_nulls]),
        tuple([n[0] for n in not_nulls if n[2] == "true"]),
        tuple([(n[0], n[1]) for n in own if n[2] == "true"]),
        tuple([n[0] for n in own if n[3] == "true"]),
        tuple(r["cloned_indexes"] or ()),
        tuple(r["cloned_constraints"] or ()),
        r["comment"],
        parse_acl(r["acl"], owner),
        owner,
    )


_make_table = Table.maker()
_REPLICA_IDENTITY = {member.value: member for member in ReplicaIdentity}


def build_column(c: tuple[Any, ...], owner: str, sequence: dict[str, Any] | None) -> Column:
    """A Column from the ``_COLUMN_FIELDS`` of one columns.sql row."""
    name, data_type, not_null, default, generated, identity, collation, stats, storage = c[:9]
    comment, acl, virtual, compression, attoptions = c[9:]
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
        compression,
        tuple(attoptions) if attoptions else (),
    )


def build_view(r: dict[str, Any], cols: list[Column]) -> View:
    return View.trusted(
        **row_fields(r, granted=True),
        materialized=r["relkind"] == "m",
        definition=deparsed(r["view_definition"]),
        options=tuple(sorted(r["options"])),
        column_comments=tuple((c.name, c.comment) for c in cols if c.comment),
        column_acls=tuple((c.name, c.acl) for c in cols if c.acl),
    )


def build_sequence(r: dict[str, Any]) -> Sequence:
    """A Sequence from one sequences.sql row (not an identity's: its column holds it)."""
    owned = None
    if r["owned_by_table"] and not is_dropped(r["owned_by_table"]):
        owned = (r["owned_by_schema"], r["owned_by_table"], r["owned_by_column"])
    owner = r["owner"]
    return _make_sequence(
        sys.intern(r["schema_name"]),
        r["name"],
        r["data_type"],
        r["start"],
        r["increment"],
        r["min_value"],
        r["max_value"],
        r["cache"],
        r["cycle"],
        r["persistence"] == "u",
        owned,
        False,
        r["comment"],
        parse_acl(r["acl"], owner),
        owner,
    )


_make_sequence = Sequence.maker()


def deparsed(value: str | None) -> str:
    if value is None:
        raise ChangedWhileReading
    return value


def build_function(r: dict[str, Any]) -> Function:
    if r["kind"] == "a" or r["out_of_scope"]:  # out of scope: its body is not read
        body = r["aggregate_options"] or ""
    else:
        definition: str = deparsed(r["definition"])
        marker = r["qualified_prefix"] + "("
        at = definition.index(marker) + len(r["qualified_prefix"])
        body = definition[at:].rstrip()
    return Function.trusted(
        **row_fields(r, "identity_args", "kind", "result_type", granted=True),
        body=body,
        arguments=r["arguments"] or "",
    )


def build_user_type(r: dict[str, Any]) -> UserType:
    return UserType(
        **row_fields(r, "type_kind", "base_type", "collation", "range_options", granted=True),
        labels=tuple(r["labels"] or ()),
        not_null=r["not_null"] if r["type_kind"] == TypeKind.DOMAIN else False,
        default=r["default_expr"],
        constraints=tuple(r["domain_constraints"] or ()),
        constraint_comments=tuple((c[0], c[1]) for c in r["constraint_comments"] or ()),
        attributes=tuple(r["attributes"] or ()),
    )


def read_dependencies(
    rows: Iterator[tuple[Any, ...]], shared: dict[Any, Any] | None = None
) -> list[tuple[Key, Key]]:
    """pg_depend edges between modelled objects (dependencies.sql leaves out those never used),
    each once, in the order the server sent them; edges with a ``_dropped_`` end are left out.

    A hundred and fifty thousand rows a side at 10,000 tables, so the loop runs in C (map,
    itemgetter, dict.fromkeys) and no Python code runs per row: each row's strings are interned
    as they come, so that the driver's copies are freed at once and the keys of one object
    share their strings, and each distinct key is one tuple that every edge naming it shares
    (a table is the end of dozens). A ``_dropped_`` name is looked for in a whole batch at
    once; only a batch that holds one is filtered row by row. ``shared``: where keys and edges
    are kept once for both sides of a sync (the other side's equal ones are taken from it).
    """
    edges: dict[tuple[Key, Key], None] = {}  # insertion-ordered, no repeats
    keys: dict[Any, Any] = {} if shared is None else shared
    intern = repeat(sys.intern)
    while batch := list(islice(rows, BATCH)):
        kept = list(map(tuple, map(map, intern, batch)))
        if "_dropped_" in "".join(chain.from_iterable(kept)):
            kept = [row for row in kept if not any(map(is_dropped, row))]
        dependents, referenced = list(map(_DEPENDENT, kept)), list(map(_REFERENCED, kept))
        dependents = list(map(keys.setdefault, dependents, dependents))
        referenced = list(map(keys.setdefault, referenced, referenced))
        pairs = list(zip(dependents, referenced, strict=True))
        edges.update(dict.fromkeys(map(keys.setdefault, pairs, pairs)))
    return list(edges)


_DEPENDENT, _REFERENCED = itemgetter(0, 1, 2, 3), itemgetter(4, 5, 6, 7)
