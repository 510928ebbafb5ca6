"""The object kinds DDP compares: one description each, in one place.

A kind's description says where its objects come from (the catalog query, the builder of one
of its rows and which rows count, the Snapshot attribute that lists them), what they are (the
model), how they are keyed and compared, which section of the script their steps go to, and
what an ALTER of it takes: whether it is rebuilt when something it stands on changes, and
which changed fields it takes in place or which force it to be dropped and created again (or,
for a table, replaced). introspect.py, diff.py, kinds.py, context.py and the planner read these
descriptions; the SQL of each kind is in ddl/ (its generators, listed by kind in
ddl.StepBuilder). ARCHITECTURE.md walks through adding a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

from ddp_engine.builders import (
    Builder,
    by_name,
    constraint_builder,
    index_builder,
    trigger_builder,
)
from ddp_engine.deparsed import deparsed_builder
from ddp_engine.model import (
    Collation,
    Constraint,
    DefaultPrivilege,
    EventTrigger,
    Extension,
    ForeignServer,
    ForeignTable,
    Function,
    Index,
    Key,
    Kind,
    Operator,
    OperatorClass,
    OperatorFamily,
    Policy,
    Rule,
    Schema,
    Sequence,
    Statistics,
    Table,
    TextSearchConfig,
    TextSearchDictionary,
    Trigger,
    UserType,
    View,
)
from ddp_engine.rows import build_function, build_policy, build_user_type


class Section(StrEnum):
    """Sections of the script, in order. The seed's six come in the seed's order; kinds that
    others stand on come first, kinds that stand on tables and functions after."""

    SCHEMA = "SCHEMA"
    EXTENSION = "EXTENSION"
    TYPE = "TYPE"
    SEQUENCE = "SEQUENCE"
    FOREIGN = "FOREIGN SERVER"
    TABLE = "TABLE"
    COLUMN = "COLUMN"
    FUNCTION = "FUNCTION/PROCEDURE"
    OPERATOR = "OPERATOR/TEXT SEARCH"
    CONSTRAINT = "CONSTRAINT"
    INDEX = "INDEX"
    TRIGGER = "TRIGGER"
    VIEW = "VIEW"
    POLICY = "POLICY"
    RULE = "RULE/STATISTICS/EVENT TRIGGER"
    PRIVILEGE = "PRIVILEGE"


class Rows(StrEnum):
    """Which rows of a kind's catalog query become objects."""

    ALL = "all"
    KEPT = "kept"  # all but those DDP renamed away to keep their data (``_dropped_``)
    ON_TABLE = "on_table"  # those on a table that was read
    ON_RELATION = "on_relation"  # those on a table or view that was read
    KEPT_ON_RELATION = "kept_on_relation"


#: Fields whose change is a comment or a grant: never a reason to rebuild.
COSMETIC = frozenset({"comment", "acl", "column_comments", "column_acls"})
#: An index's marks (CLUSTER ON, REPLICA IDENTITY USING INDEX): set and unset in place.
INDEX_MARKS = frozenset({"clustered", "replica_identity"})


class KindSpec(NamedTuple):
    """One object kind (see the module docstring)."""

    kind: Kind
    #: The Snapshot attribute that lists the objects, in the diff's listing order.
    attr: str
    model: type
    #: The attributes giving the key's schema, name and sub part ("": always empty).
    key: tuple[str, str, str]
    section: Section
    #: ``queries/<query>.sql``, the catalog query the objects are read with.
    query: str
    #: The query's column names → the builder of one of its rows (builders.py); None where
    #: introspect.py reads the kind with others (schemas first; tables and views from
    #: relations, with their columns; sequences, which identity columns need).
    build: Builder | None = None
    #: Which of the query's rows ``build`` is given.
    rows: Rows = Rows.KEPT
    #: Fields the diff does not compare (a table's columns are compared one by one).
    not_compared: frozenset[str] = frozenset()
    #: Dropped and created again when something it stands on is disturbed (holds no data).
    rebuilt_with_dependencies: bool = False
    #: Fields an ALTER changes in place; a change of any other field drops and creates the
    #: object again. None: no such rule (see ``recreated_by``).
    in_place: frozenset[str] | None = None
    #: Fields whose change drops and creates the object again.
    recreated_by: frozenset[str] = frozenset()
    #: Fields whose change renames the (data-holding) object away and creates it anew.
    replaced_by: frozenset[str] = frozenset()

    def recreates(self, fields: Iterable[str]) -> bool:
        """Whether an ALTER of these fields drops the object and creates it again."""
        changed = set(fields)
        if self.in_place is not None and not changed <= self.in_place:
            return True
        return bool(changed & self.recreated_by)


_NAMED = ("schema_name", "name", "")
_ON_TABLE = ("schema_name", "table", "name")


def _without_data(
    kind: Kind,
    model: type,
    key: tuple[str, str, str],
    section: Section,
    read: tuple[str, str, Builder | None, Rows],
    in_place: frozenset[str] = COSMETIC,
    not_compared: frozenset[str] = frozenset(),
) -> KindSpec:
    """A kind that holds no data: rebuilt with what it stands on, and dropped and created
    again when anything but its ``in_place`` fields (its comments and grants unless said
    otherwise) changes. ``read`` is (Snapshot attribute, query, builder, rows), as in
    KindSpec."""
    attr, query, build, rows = read
    return KindSpec(
        kind,
        attr,
        model,
        key,
        section,
        query,
        build=build,
        rows=rows,
        not_compared=not_compared,
        rebuilt_with_dependencies=True,
        in_place=in_place,
    )


def _deparsed(
    kind: Kind, model: type, attr: str, section: Section, rows: Rows = Rows.ALL
) -> KindSpec:
    """A kind read as the statements that create it (deparsed.py), keyed by its schema and
    identity (a rule by its table too), recreated whenever anything in it changes."""
    return _without_data(
        kind,
        model,
        _ON_TABLE if model is Rule else _NAMED,
        section,
        (attr, attr, by_name(deparsed_builder(model)), rows),
        in_place=frozenset(),
        not_compared=frozenset({"drop"}),  # follows from the name
    )


#: The kinds read as their create statements, what others stand on first.
DEPARSED_KINDS: tuple[KindSpec, ...] = (
    _deparsed(Kind.FOREIGN_SERVER, ForeignServer, "foreign_servers", Section.FOREIGN),
    _deparsed(Kind.FOREIGN_TABLE, ForeignTable, "foreign_tables", Section.TABLE),
    _deparsed(Kind.OPERATOR, Operator, "operators", Section.OPERATOR),
    _deparsed(Kind.OPERATOR_FAMILY, OperatorFamily, "operator_families", Section.OPERATOR),
    _deparsed(Kind.OPERATOR_CLASS, OperatorClass, "operator_classes", Section.OPERATOR),
    _deparsed(
        Kind.TEXT_SEARCH_DICTIONARY,
        TextSearchDictionary,
        "text_search_dictionaries",
        Section.OPERATOR,
    ),
    _deparsed(Kind.TEXT_SEARCH_CONFIG, TextSearchConfig, "text_search_configs", Section.OPERATOR),
    _deparsed(Kind.RULE, Rule, "rules", Section.RULE, Rows.ON_RELATION),
    _deparsed(Kind.STATISTICS, Statistics, "statistics", Section.RULE, Rows.ON_TABLE),
    _deparsed(Kind.EVENT_TRIGGER, EventTrigger, "event_triggers", Section.RULE),
    _deparsed(Kind.DEFAULT_PRIVILEGE, DefaultPrivilege, "default_privileges", Section.PRIVILEGE),
)

#: Every compared kind, in listing order (what others stand on first).
KINDS: tuple[KindSpec, ...] = (
    KindSpec(Kind.SCHEMA, "schemas", Schema, ("", "name", ""), Section.SCHEMA, "schemas"),
    KindSpec(
        Kind.EXTENSION,
        "extensions",
        Extension,
        ("", "name", ""),
        Section.EXTENSION,
        "extensions",
        build=by_name(lambda r: Extension(**r)),
        rows=Rows.ALL,
        not_compared=frozenset({"update_targets"}),  # what the server offers, not the schema
    ),
    KindSpec(
        Kind.COLLATION,
        "collations",
        Collation,
        _NAMED,
        Section.TYPE,
        "collations",
        build=by_name(lambda r: Collation(**r)),
        in_place=COSMETIC,
    ),
    KindSpec(
        Kind.TYPE, "types", UserType, _NAMED, Section.TYPE, "types", build=by_name(build_user_type)
    ),
    KindSpec(Kind.SEQUENCE, "sequences", Sequence, _NAMED, Section.SEQUENCE, "sequences"),
    KindSpec(
        Kind.TABLE,
        "tables",
        Table,
        _NAMED,
        Section.TABLE,
        "relations",
        replaced_by=frozenset({"partitioned", "partition_key"}),
        not_compared=frozenset(
            {"columns", "not_null_inherited", "cloned_indexes", "cloned_constraints"}
        ),
    ),
    KindSpec(
        Kind.FUNCTION,
        "functions",
        Function,
        ("schema_name", "signature", ""),
        Section.FUNCTION,
        "functions",
        build=by_name(build_function),
        rebuilt_with_dependencies=True,
        # CREATE OR REPLACE keeps the result type, argument names and defaults, and the kind
        recreated_by=frozenset({"kind", "result_type", "arguments"}),
    ),
    _without_data(Kind.VIEW, View, _NAMED, Section.VIEW, ("views", "relations", None, Rows.KEPT)),
    _without_data(
        Kind.CONSTRAINT,
        Constraint,
        _ON_TABLE,
        Section.CONSTRAINT,
        ("constraints", "constraints", constraint_builder, Rows.ON_TABLE),
        in_place=COSMETIC | frozenset({"index_comment"}) | INDEX_MARKS,
    ),
    _without_data(
        Kind.INDEX,
        Index,
        _NAMED,
        Section.INDEX,
        ("indexes", "indexes", index_builder, Rows.KEPT_ON_RELATION),
        in_place=COSMETIC | INDEX_MARKS,
    ),
    _without_data(
        Kind.TRIGGER,
        Trigger,
        _ON_TABLE,
        Section.TRIGGER,
        ("triggers", "triggers", trigger_builder, Rows.ON_RELATION),
        in_place=COSMETIC | frozenset({"enabled"}),
    ),
    _without_data(
        Kind.POLICY,
        Policy,
        _ON_TABLE,
        Section.POLICY,
        ("policies", "policies", by_name(build_policy), Rows.ON_TABLE),
    ),
    *DEPARSED_KINDS,
)

#: The description of each kind read one object a row from a query of its own, by query.
SPEC_OF_QUERY: dict[str, KindSpec] = {spec.query: spec for spec in KINDS if spec.build}
#: Each kind's description by kind.
SPEC_OF: dict[str, KindSpec] = {spec.kind: spec for spec in KINDS}
#: Snapshot attribute → kind, in listing order.
OBJECT_KINDS: dict[str, Kind] = {spec.attr: spec.kind for spec in KINDS}
#: The Snapshot's attributes that hold objects, every kind's but the schemas' (which are read
#: apart), then the objects of kinds DDP does not model: what one side's read fills in.
OBJECT_ATTRS: tuple[str, ...] = (
    *(spec.attr for spec in KINDS if spec.kind is not Kind.SCHEMA),
    "unsupported",
)


def key_getter(spec: KindSpec) -> Callable[[Any], Key]:
    """The key of one object of this kind (diff.index_objects keys whole lists faster)."""
    kind = spec.kind
    schema, name, sub = (attrgetter(a) if a else None for a in spec.key)

    def key(obj: Any) -> Key:
        return (
            kind,
            schema(obj) if schema else "",
            name(obj) if name else "",
            sub(obj) if sub else "",
        )

    return key


_KEY_OF: dict[type, Callable[[Any], Key]] = {spec.model: key_getter(spec) for spec in KINDS}
#: Each model's description.
SPEC_OF_MODEL: dict[type, KindSpec] = {spec.model: spec for spec in KINDS}


def object_key(obj: Any) -> Key:
    """The dependency key of a modelled object."""
    try:
        return _KEY_OF[type(obj)](obj)
    except KeyError:
        raise TypeError(f"not a modelled object: {type(obj).__name__}") from None
