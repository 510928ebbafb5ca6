"""What a generated benchmark schema is made of: the vocabulary it draws from (nouns, enums,
column kinds, primary-key kinds) and the model it is built as before ``generate.py`` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOUNS = (
    "account",
    "customer",
    "order",
    "invoice",
    "payment",
    "product",
    "shipment",
    "supplier",
    "warehouse",
    "employee",
    "department",
    "project",
    "task",
    "ticket",
    "message",
    "session",
    "device",
    "event",
    "subscription",
    "plan",
    "coupon",
    "review",
    "category",
    "tag",
    "address",
    "contract",
    "asset",
    "booking",
    "report",
    "document",
    "campaign",
    "lead",
    "note",
    "team",
)
ENUM_BASES = (
    ("status", ("draft", "active", "suspended", "archived", "deleted")),
    ("priority", ("low", "normal", "high", "urgent")),
    ("channel", ("web", "mobile", "email", "phone", "partner", "api")),
    ("currency_code", ("EUR", "USD", "GBP", "JPY", "CHF")),
    ("severity", ("debug", "info", "warning", "error", "critical")),
    ("visibility", ("private", "internal", "public")),
    ("lifecycle", ("new", "open", "in_progress", "blocked", "done")),
)

# (base name, type kind): the column vocabulary; names are made unique per table.
PLAIN_COLUMNS = (
    ("name", "varchar"),
    ("title", "varchar"),
    ("code", "varchar"),
    ("email", "varchar"),
    ("description", "text"),
    ("notes", "text"),
    ("body", "text"),
    ("label", "varchar"),
    ("quantity", "integer"),
    ("position", "integer"),
    ("attempts", "smallint"),
    ("total_count", "bigint"),
    ("external_ref", "bigint"),
    ("amount", "numeric"),
    ("price", "numeric"),
    ("ratio", "double"),
    ("weight", "numeric"),
    ("score", "double"),
    ("is_active", "boolean"),
    ("is_verified", "boolean"),
    ("archived", "boolean"),
    ("starts_on", "date"),
    ("ends_on", "date"),
    ("published_at", "timestamptz"),
    ("expires_at", "timestamptz"),
    ("last_seen_at", "timestamptz"),
    ("metadata", "jsonb"),
    ("settings", "jsonb"),
    ("payload", "jsonb"),
    ("public_id", "uuid"),
    ("token", "uuid"),
    ("tags", "text[]"),
    ("state", "enum"),
    ("kind", "enum"),
    ("level", "enum"),
)

PK_KINDS = ("identity", "identity_default", "serial", "bigserial", "uuid")
PK_FK_TYPE = {
    "identity": "bigint",
    "identity_default": "integer",
    "serial": "integer",
    "bigserial": "bigint",
    "uuid": "uuid",
}


def q(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Column:
    name: str
    type: str
    kind: str  # pk, fk, plain, created_at, updated_at, deleted_at
    not_null: bool = False
    default: str | None = None
    comment: str | None = None
    pinned: bool = False  # referenced by a view, index, check or function: never dropped

    def render(self) -> str:
        parts = [f"    {self.name} {self.type}"]
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        if self.not_null:
            parts.append("NOT NULL")
        return " ".join(parts)


@dataclass
class Table:
    name: str
    noun: str
    pk_kind: str
    columns: list[Column] = field(default_factory=list)
    fks: list[tuple[str, str, str]] = field(default_factory=list)  # (column, ref table, action)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name, expression)
    uniques: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX ...)
    triggers: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE TRIGGER ...)
    comment: str | None = None

    def col(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def pk_type(self) -> str:
        return PK_FK_TYPE[self.pk_kind]


@dataclass
class Function:
    name: str
    sql: str
    table: str | None = None  # the table it belongs to (dropped with it)


@dataclass
class View:
    name: str
    sql: str
    tables: tuple[str, ...]
    comment: str | None = None


@dataclass
class Schema:
    enums: dict[str, list[str]] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Building the base schema
