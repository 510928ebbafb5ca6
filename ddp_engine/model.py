"""The Snapshot: one schema (or several) as read from pg_catalog, free of OIDs.

Every object kind is a frozen pydantic model, so a Snapshot compares by value, hashes to a
stable fingerprint and round-trips through JSON (the Dagster IO manager stores it that way).
Objects are keyed by ``Key = (kind, schema, name, sub)``; ``sub`` names a column, constraint,
trigger or policy inside its table, and is empty otherwise. Dependencies (from pg_depend) use the
same keys, which is how the planner orders statements across kinds. They come in the order the
server sent them: two equal schemas have equal fingerprints, not always equal edge tuples.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from ddp_engine.codes import ConstraintType, FunctionKind, ReplicaIdentity, TriggerState, TypeKind
from ddp_engine.frozen import Frozen

Key = tuple[str, str, str, str]


class Kind(StrEnum):
    """The first part of a Key: what kind of object it names."""

    SCHEMA = "schema"
    EXTENSION = "extension"
    COLLATION = "collation"
    TYPE = "type"
    SEQUENCE = "sequence"
    TABLE = "table"
    COLUMN = "column"
    DEFAULT = "default"  # a column's default, keyed like its column
    FUNCTION = "function"
    VIEW = "view"
    CONSTRAINT = "constraint"
    INDEX = "index"
    TRIGGER = "trigger"
    POLICY = "policy"
    FOREIGN_SERVER = "foreign_server"
    FOREIGN_TABLE = "foreign_table"
    OPERATOR = "operator"
    OPERATOR_FAMILY = "operator_family"
    OPERATOR_CLASS = "operator_class"
    TEXT_SEARCH_DICTIONARY = "text_search_dictionary"
    TEXT_SEARCH_CONFIG = "text_search_config"
    RULE = "rule"
    STATISTICS = "statistics"
    EVENT_TRIGGER = "event_trigger"
    DEFAULT_PRIVILEGE = "default_privilege"
    ACL = "acl"  # the key of a step that grants or revokes
    OWNED = "owned"  # the key of a step that sets a sequence's OWNED BY


class Column(NamedTuple):
    """A column; ``default`` and ``generated`` are deparsed expressions.

    A named tuple, not a model like the other kinds: a big catalog has a hundred thousand
    columns a side, and a tuple is built ten times faster, compares in C and takes half the
    memory. Pydantic still validates and serialises it (as a JSON array) inside Table.
    """

    name: str
    data_type: str
    not_null: bool = False
    default: str | None = None
    generated: str | None = None
    identity: str | None = None  # 'a' (ALWAYS) or 'd' (BY DEFAULT)
    identity_sequence: str | None = None  # the identity's sequence, in the table's schema
    #: its START, INCREMENT, MINVALUE, MAXVALUE, CACHE, CYCLE
    identity_options: tuple[int, int, int, int, int, bool] | None = None
    collation: str | None = None
    statistics: int | None = None
    storage: str | None = None
    comment: str | None = None
    acl: tuple[str, ...] = ()
    #: A generated column computed when read (PostgreSQL 18 ``VIRTUAL``), not ``STORED``.
    virtual: bool = False
    compression: str | None = None  # 'p' (pglz) or 'l' (lz4); None: the server's default
    options: tuple[str, ...] = ()  # attoptions (n_distinct, n_distinct_inherited), sorted


class Table(Frozen):
    """A table (plain, partitioned, partition, inheritance child) with its own columns."""

    schema_name: str
    name: str
    partitioned: bool = False
    unlogged: bool = False
    partition_key: str | None = None
    partition_of: str | None = None
    partition_bound: str | None = None
    inherits: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    rls: bool = False
    force_rls: bool = False
    replica_identity: ReplicaIdentity = ReplicaIdentity.DEFAULT
    columns: tuple[Column, ...] = ()
    not_null_names: tuple[tuple[str, str], ...] = ()  # PostgreSQL 18+: (column, constraint)
    not_null_inherited: tuple[str, ...] = ()  # columns whose NOT NULL comes from a parent
    #: Inherited columns whose default is the table's own, unlike every parent's: (column,
    #: default or None where the parents have one). Elsewhere a child's default is its parent's.
    inherited_defaults: tuple[tuple[str, str | None], ...] = ()
    #: Inherited columns NOT NULL on this table only (a partition's own NOT NULL).
    inherited_not_null: tuple[str, ...] = ()
    cloned_indexes: tuple[str, ...] = ()  # a partition's copies of its parent's indexes
    cloned_constraints: tuple[str, ...] = ()  # ... and of its parent's constraints
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


class View(Frozen):
    """A view or materialized view; columns carry only comments and ACLs."""

    schema_name: str
    name: str
    materialized: bool = False
    definition: str
    options: tuple[str, ...] = ()
    comment: str | None = None
    column_comments: tuple[tuple[str, str], ...] = ()
    column_acls: tuple[tuple[str, tuple[str, ...]], ...] = ()
    acl: tuple[str, ...] = ()
    owner: str = ""


class Sequence(Frozen):
    schema_name: str
    name: str
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 9223372036854775807
    cache: int = 1
    cycle: bool = False
    unlogged: bool = False
    owned_by: tuple[str, str, str] | None = None  # (schema, table, column)
    identity: bool = False
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str = ""


class Constraint(Frozen):
    schema_name: str
    table: str
    name: str
    constraint_type: ConstraintType
    definition: str
    columns: tuple[str, ...] = ()
    ref_table: tuple[str, str] | None = None
    ref_columns: tuple[str, ...] = ()
    comment: str | None = None
    #: What belongs to the index of a key, unique or exclusion constraint (named as it is):
    #: its own comment, and whether the table is clustered on it or replicates by it.
    index_comment: str | None = None
    clustered: bool = False
    replica_identity: bool = False


class Index(Frozen):
    schema_name: str
    table: str
    name: str
    body: str  # everything from USING onward
    unique: bool = False
    key_columns: tuple[str, ...] = ()  # '' for an expression
    predicate: str | None = None
    on_partitioned: bool = False
    comment: str | None = None
    #: ``ALTER TABLE ... CLUSTER ON`` and ``REPLICA IDENTITY USING INDEX`` mark the index.
    clustered: bool = False
    replica_identity: bool = False
    #: False for an index a failed ``CREATE INDEX CONCURRENTLY`` left (not valid or not ready):
    #: it serves no query, so it is drift wherever the other side's index is valid.
    valid: bool = True


class Function(Frozen):
    """A function, procedure or aggregate, told apart from overloads by identity arguments."""

    schema_name: str
    name: str
    identity_args: str
    kind: FunctionKind
    body: str  # pg_get_functiondef after the qualified name, or the aggregate's options
    arguments: str = ""
    result_type: str | None = None
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str = ""

    @property
    def signature(self) -> str:
        return f"{self.name}({self.identity_args})"


class Trigger(Frozen):
    schema_name: str
    table: str
    name: str
    definition: str
    enabled: TriggerState = TriggerState.ORIGIN
    comment: str | None = None


class Policy(Frozen):
    schema_name: str
    table: str
    name: str
    command: str
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    check: str | None = None
    comment: str | None = None


class UserType(Frozen):
    """Enum (e), domain (d), composite (c) or range (r)."""

    schema_name: str
    name: str
    type_kind: TypeKind
    labels: tuple[str, ...] = ()
    base_type: str | None = None
    not_null: bool = False
    default: str | None = None
    collation: str | None = None
    constraints: tuple[str, ...] = ()
    constraint_comments: tuple[tuple[str, str], ...] = ()  # domain constraint → comment
    attributes: tuple[str, ...] = ()
    range_options: str | None = None
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str = ""


class Collation(Frozen):
    schema_name: str
    name: str
    provider: str
    deterministic: bool = True
    lc_collate: str | None = None
    lc_ctype: str | None = None
    icu_locale: str | None = None
    comment: str | None = None


class Extension(Frozen):
    name: str
    schema_name: str
    version: str
    #: The versions this server can update the installed extension to (None: not read, as in
    #: a snapshot made by hand): a version outside them is one the plan must not ask for.
    update_targets: tuple[str, ...] | None = None


class Schema(Frozen):
    name: str
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str = ""


class Deparsed(Frozen):  # read as the statements that create and drop it; holds no data
    schema_name: str  # "" for the database-wide ones (servers, event triggers)
    name: str  # its identity: an operator's with its argument types, a class's with USING
    statements: tuple[str, ...]
    drop: tuple[str, ...] = ()
    table: str = ""  # a rule's


class Rule(Deparsed): ...


class ForeignServer(Deparsed): ...


class ForeignTable(Deparsed): ...


class Operator(Deparsed): ...


class OperatorFamily(Deparsed): ...


class OperatorClass(Deparsed): ...


class TextSearchDictionary(Deparsed): ...


class TextSearchConfig(Deparsed): ...


class Statistics(Deparsed): ...


class EventTrigger(Deparsed): ...


class DefaultPrivilege(Deparsed): ...  # keyed by schema ("": all), role and kind of objects


class Unsupported(Frozen):
    """An object the engine does not model; the script reports it."""

    schema_name: str
    object_type: str
    identity: str
    #: What it is, as text (its functions' names, encodings, storage; queries/unsupported.sql):
    #: compared, so that one changed under the same name is not "in sync".
    definition: str = ""


class Snapshot(Frozen):
    """Everything DDP knows about the schemas in scope on one side."""

    server_version: int
    schemas: tuple[Schema, ...] = ()
    all_schemas: bool = False
    extensions: tuple[Extension, ...] = ()
    collations: tuple[Collation, ...] = ()
    types: tuple[UserType, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    functions: tuple[Function, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    policies: tuple[Policy, ...] = ()
    foreign_servers: tuple[ForeignServer, ...] = ()
    foreign_tables: tuple[ForeignTable, ...] = ()
    operators: tuple[Operator, ...] = ()
    operator_families: tuple[OperatorFamily, ...] = ()
    operator_classes: tuple[OperatorClass, ...] = ()
    text_search_dictionaries: tuple[TextSearchDictionary, ...] = ()
    text_search_configs: tuple[TextSearchConfig, ...] = ()
    rules: tuple[Rule, ...] = ()
    statistics: tuple[Statistics, ...] = ()
    event_triggers: tuple[EventTrigger, ...] = ()
    default_privileges: tuple[DefaultPrivilege, ...] = ()
    #: (dependent, referenced) edges, each once, in no particular order (the fingerprint sorts).
    #: A default's edge to its own column is implied, not listed (PlanContext.target_dependents).
    dependencies: tuple[tuple[Key, Key], ...] = ()
    unsupported: tuple[Unsupported, ...] = ()

    def fingerprint(self) -> str:
        """A stable hash of the objects (not the server version): equal schemas, equal hash."""
        # The JSON of every field, fed to the hash a slice at a time: the whole snapshot as one
        # text runs to a hundred megabytes on a big catalog, and would be the peak of a sync.
        digest = hashlib.sha256()
        for name in type(self).model_fields:
            if name == "server_version":
                continue
            value = getattr(self, name)
            if name == "dependencies":
                value = tuple(sorted(value))  # read in no particular order
            digest.update(f"\x00{name}\x00".encode())
            if not isinstance(value, tuple):
                digest.update(_ANY_JSON.dump_json(value))
                continue
            for start in range(0, len(value), _FINGERPRINT_SLICE):
                digest.update(_ANY_JSON.dump_json(value[start : start + _FINGERPRINT_SLICE]))
        return digest.hexdigest()

    def counts(self) -> dict[str, int]:
        """Objects per kind, for summaries and Dagster metadata."""
        return {
            "schemas": len(self.schemas),
            "extensions": len(self.extensions),
            "types": len(self.types),
            "sequences": len(self.sequences),
            "tables": len(self.tables),
            "columns": sum(len(t.columns) for t in self.tables),
            "views": len(self.views),
            "functions": len(self.functions),
            "constraints": len(self.constraints),
            "indexes": len(self.indexes),
            "triggers": len(self.triggers),
            "policies": len(self.policies),
        }


#: Serialises any value the way its own model would (models, tuples, scalars).
_ANY_JSON: TypeAdapter[Any] = TypeAdapter(Any)

#: Objects serialised at a time by Snapshot.fingerprint.
_FINGERPRINT_SLICE = 1000


def field_names(obj: Any) -> tuple[str, ...]:
    """The field names of a modelled object: a model's fields or a Column's."""
    if isinstance(obj, Column):
        return Column._fields
    return tuple(type(obj).model_fields)
