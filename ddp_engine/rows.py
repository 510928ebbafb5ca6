"""Catalog rows → model objects: what one row of each catalog query becomes.

Objects are built with ``Model.trusted`` (no validation: the queries fix the types); the
largest results (columns, dependency edges) are read as tuples, in batches, with their strings
interned. Objects DDP renamed to keep their data (``_dropped_<timestamp>``) are left out.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import psycopg

from ddp_engine.codes import TypeKind
from ddp_engine.model import (
    Column,
    Constraint,
    Function,
    Index,
    Key,
    Policy,
    Sequence,
    Table,
    Trigger,
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
    for r in fetch_tuples(cur):
        if r[schema_at] != relation[0] or r[table_at] != relation[1]:
            relation = (intern(r[schema_at]), intern(r[table_at]))
            owner = owners.get(relation, "")
            current = columns[relation]
        name = r[name_at]
        if "_dropped_" in name and is_dropped(name):
            continue
        if r[identity_at] or r[acl_at]:
            sequence = identity_sequences.get((*relation, name)) if r[identity_at] else None
            current.append(build_column(fields(r), owner, sequence))
            continue
        # The common case, inline: no identity to look up, no grants to parse. A function
        # call and a keyword-built tuple per column cost a quarter of the columns' read.
        (_, data_type, not_null, default, generated, _, collation, stats, storage, comment, _,
         virtual, compression, options) = fields(r)  # fmt: skip
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
                    compression,
                    tuple(options) if options else (),
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
    "compression",
    "options",
)


def build_trigger(r: dict[str, Any]) -> Trigger:
    return Trigger.trusted(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        definition=deparsed(r["definition"]),
        enabled=r["enabled"],
        comment=r["comment"],
    )


def build_policy(r: dict[str, Any]) -> Policy:
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


def build_table(r: dict[str, Any], cols: list[Column]) -> Table:
    parents = tuple(r["parents"])
    own = r["inherited_own"] or ()
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
        inherited_defaults=tuple((n[0], n[1]) for n in own if n[2] == "true"),
        inherited_not_null=tuple(n[0] for n in own if n[3] == "true"),
        cloned_indexes=tuple(r["cloned_indexes"] or ()),
        cloned_constraints=tuple(r["cloned_constraints"] or ()),
        comment=r["comment"],
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


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
        schema_name=r["schema_name"],
        name=r["name"],
        materialized=r["relkind"] == "m",
        definition=deparsed(r["view_definition"]),
        options=tuple(sorted(r["options"])),
        comment=r["comment"],
        column_comments=tuple((c.name, c.comment) for c in cols if c.comment),
        column_acls=tuple((c.name, c.acl) for c in cols if c.acl),
        acl=parse_acl(r["acl"], r["owner"]),
        owner=r["owner"],
    )


def build_sequence(r: dict[str, Any]) -> Sequence:
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


def build_constraint(r: dict[str, Any]) -> Constraint:
    return Constraint.trusted(
        schema_name=r["schema_name"],
        table=r["table_name"],
        name=r["name"],
        constraint_type=r["constraint_type"],
        definition=deparsed(r["definition"]),
        columns=tuple(r["columns"]),
        ref_table=(r["ref_schema"], r["ref_table"]) if r["ref_table"] else None,
        ref_columns=tuple(r["ref_columns"]),
        comment=r["comment"],
        index_comment=r["index_comment"],
        clustered=r["clustered"],
        replica_identity=r["replica_identity"],
    )


def deparsed(value: str | None) -> str:
    if value is None:
        raise ChangedWhileReading
    return value


def build_index(r: dict[str, Any]) -> Index:
    definition: str = deparsed(r["definition"])
    prefix: str = r["definition_prefix"]
    if definition.startswith(prefix) or not definition:  # none: out of scope, not read
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
        clustered=r["clustered"],
        replica_identity=r["replica_identity"],
        valid=r["valid"],
    )


def build_function(r: dict[str, Any]) -> Function:
    if r["kind"] == "a" or r["out_of_scope"]:  # out of scope: its body is not read
        body = r["aggregate_options"] or ""
    else:
        definition: str = deparsed(r["definition"])
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


def build_user_type(r: dict[str, Any]) -> UserType:
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


def read_dependencies(cur: psycopg.Cursor[Any]) -> list[tuple[Key, Key]]:
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
