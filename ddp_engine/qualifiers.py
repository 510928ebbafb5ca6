"""Schema qualifiers in deparsed SQL text, found in the parse tree and renamed in place.

Text is deparsed under the empty search_path, so every reference to an object of the synced
schema is qualified (``dev.t``, ``nextval('dev.t_id_seq'::regclass)``, ``dev.mood``). To rename
``dev`` to ``prod``, each text is parsed (pglast: PostgreSQL's own grammar), the qualifiers are
found in the tree (relations, functions, types, operators, collations, operator classes, 3-part
column references and ``'dev.seq'::regclass``-style constants) and the new name is spliced in at
the exact token (the parser's locations, the scanner's tokens), so the rest of the text stays
byte for byte what the server printed. A table, column, alias, enum label or string that merely
equals the schema's name is never touched; neither is a function body (``AS $$...$$``):
``body_names_schema`` tells the planner to flag one that names the schema.

A text that does not parse, or whose qualifiers cannot be placed for certain, raises
``RelabelError``: a guess would rename the wrong thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate
from typing import Any

from pglast import ast, keywords, parser

from ddp_engine.codes import FunctionKind
from ddp_engine.model import Function, Key
from ddp_engine.sqltext import ident, literal, split_ident, unquote

#: How each kind of text becomes a statement the grammar accepts: (prefix, suffix).
WRAPPERS = {
    "statement": ("", ""),
    "expression": ("SELECT ", ""),
    "type": ("SELECT NULL::", ""),
    "collation": ("SELECT NULL COLLATE ", ""),
    "relation": ("SELECT FROM ", ""),
    "constraint": ("ALTER TABLE x ADD CONSTRAINT x ", ""),
    "domain_constraint": ("ALTER DOMAIN x ADD CONSTRAINT ", ""),
    "index": ("CREATE INDEX x ON x ", ""),
    "partition_key": ("CREATE TABLE x () PARTITION BY ", ""),
    "partition_bound": ("CREATE TABLE x PARTITION OF x ", ""),
    "function": ("CREATE FUNCTION x", ""),
    "arguments": ("CREATE FUNCTION x(", ") RETURNS integer LANGUAGE sql AS ''"),
    "aggregate_arguments": ("CREATE AGGREGATE x(", ") (SFUNC = x, STYPE = integer)"),
    "result": ("CREATE FUNCTION x() RETURNS ", " LANGUAGE sql AS ''"),
    "aggregate": ("CREATE AGGREGATE x(integer) (", ")"),
    "attribute": ("CREATE TYPE x AS (", ")"),
    "range": ("CREATE TYPE x AS RANGE (", ")"),
}

#: Types whose string constants hold an object's name (``'dev.t_id_seq'::regclass``).
_REG_TYPES = {
    "regclass",
    "regproc",
    "regprocedure",
    "regoper",
    "regoperator",
    "regtype",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
}

#: (node type, field) → the node type of a field the parser's JSON writes without its type.
_INLINE: dict[tuple[str, str], str] = {}
for _name in dir(ast):
    _slots = getattr(getattr(ast, _name), "__slots__", None)
    if isinstance(_slots, dict):
        for _field, _info in _slots.items():
            _type = _info.c_type.removesuffix("*")
            pointer = _type not in ("Node", "List", "char", "Expr")  # or embedded (CreateStmt base)
            if pointer and isinstance(getattr(ast, _type, None), type):
                _INLINE[(_name, _field)] = _type

#: Name lists a node holds without a location of its own: found by their tokens instead.
_UNLOCATED = {
    ("CreateTrigStmt", "funcname"),
    ("IndexElem", "opclass"),
    ("IndexElem", "collation"),
    ("PartitionElem", "opclass"),
    ("PartitionElem", "collation"),
    ("SubLink", "operName"),
    ("SortBy", "useOp"),
    ("ObjectWithArgs", "objname"),
    *((s, "defnames") for s in ("DefineStmt", "CreateStatsStmt", "AlterStatsStmt")),
    *(("CreateOpClassStmt", f) for f in ("opclassname", "opfamilyname")),
    ("CreateOpFamilyStmt", "opfamilyname"),
    ("AlterTSConfigurationStmt", "cfgname"),
}
_NAME_LISTS = {"AlterTSConfigurationStmt": "dicts", "DropStmt": "objects", "CommentStmt": "object"}
#: Name lists found from their node's location.
_LOCATED = {
    ("FuncCall", "funcname"),
    ("TypeName", "names"),
    ("A_Expr", "name"),
    ("CollateClause", "collname"),
}

_SAFE_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_QUOTED_KEYWORDS = (
    keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS
)


def quote_if_needed(name: str) -> str:
    """A name as the server prints it (quote_identifier): bare when it reads back as itself,
    else quoted through ``sqltext.ident``. Relabelled text must match what the target prints."""
    if _SAFE_IDENT.fullmatch(name) and name not in _QUOTED_KEYWORDS:
        return name
    return ident(name)


def spellings(name: str) -> set[str]:
    """Every way ``name`` can be spelt in a text: bare, quoted, inside a string literal."""
    quoted = name.replace('"', '""')
    return {name, quoted, name.replace("'", "''"), quoted.replace("'", "''")}


def mentions(text: str, spelt: set[str]) -> bool:
    """Whether ``text`` could name the object: a text that does not is never parsed."""
    return any(s in text for s in spelt)


class RelabelError(Exception):
    """A text whose schema qualifiers cannot be found for certain."""


class _Found:
    """What a walk over one parse tree found: qualifiers to rename (located or not), name
    lists that only mention the schema (claimed, never renamed), and reg* constants."""

    def __init__(self) -> None:
        self.located: list[tuple[int, tuple[str, ...], int]] = []
        self.claimed: list[tuple[int, tuple[str, ...]]] = []
        self.unlocated: list[tuple[str, ...]] = []
        self.constants: list[tuple[int, str, str]] = []  # (location, value, reg type)
        self.bodies: list[str] = []  # function bodies: copied as they are
        self.settings = False  # a SET value (search_path) names the schema

    @property
    def empty(self) -> bool:
        return not (self.located or self.unlocated or self.constants)


def _names(items: Any) -> tuple[str, ...] | None:
    """The strings of a name list, or None when it holds anything else (``*``)."""
    if isinstance(items, dict) and "List" in items:
        items = items["List"].get("items", [])
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        if not isinstance(item, dict) or "String" not in item:
            return None
        out.append(item["String"].get("sval", ""))
    return tuple(out)


class _Walker:
    def __init__(self, old: str) -> None:
        self.old = old
        self.found = _Found()

    def value(self, value: Any, declared: str | None = None) -> None:
        if isinstance(value, list):
            for item in value:
                self.value(item)
        elif isinstance(value, dict):
            if declared is not None:
                self.node(declared, value)
            elif len(value) == 1:
                ((kind, fields),) = value.items()
                if isinstance(fields, dict):
                    self.node(kind, fields)

    def node(self, kind: str, fields: dict[str, Any]) -> None:
        old = self.old
        location = fields.get("location", -1)
        if kind == "RangeVar" and fields.get("schemaname") == old:
            parts = tuple(
                p for p in (fields.get("catalogname"), old, fields["relname"]) if p is not None
            )
            self.found.located.append((location, parts, len(parts) - 2))
        elif kind == "ColumnRef":
            self._column_ref(fields, location)
        elif kind == "TypeCast":
            self._constant(fields)
        elif kind == "DefElem" and fields.get("defname") == "as":
            self.found.bodies += [s for s in _names(fields.get("arg")) or () if s]
            return
        elif kind == "VariableSetStmt":
            for arg in fields.get("args", []):
                value = arg.get("A_Const", {}).get("sval", {}).get("sval")
                if value is not None and unquote(value.strip()) == old:
                    self.found.settings = True
        elif kind == "Constraint":
            for pair in fields.get("exclusions", []):
                items = pair.get("List", {}).get("items", [])
                operator = _names(items[-1]) if items else None
                if operator and len(operator) >= 2 and operator[-2] == old:
                    self.found.unlocated.append(operator)
        elif kind in _NAME_LISTS:  # a mapping's dictionaries, a DROP's objects, a COMMENT's
            value = fields.get(_NAME_LISTS[kind])  # schema.object(.column): the schema
            lists = map(_names, value if isinstance(value, list) else [value])
            self.found.unlocated += [n[:2] for n in lists if n and len(n) >= 2 and n[0] == old]
        elif kind == "DefElem":
            names = _names(fields.get("arg"))
            if names and len(names) >= 2 and names[-2] == old:
                self.found.unlocated.append(names)
        for field, value in fields.items():
            if (kind, field) in _LOCATED or (kind, field) in _UNLOCATED:
                names = _names(value)
                if kind == "TypeName" and fields.get("pct_type"):
                    names = None  # a column's %TYPE: never printed by the server
                if names and len(names) >= 2 and names[-2] == old:
                    if (kind, field) in _LOCATED:
                        self.found.located.append((location, names, len(names) - 2))
                    else:
                        self.found.unlocated.append(names)
                continue
            if isinstance(value, dict | list):
                self.value(value, _INLINE.get((kind, field)))

    def _column_ref(self, fields: dict[str, Any], location: int) -> None:
        """``schema.table.column`` (3 parts) or ``db.schema.table.column`` (4): the schema is
        renamed; ``alias.column`` (2 parts) is an alias, however it is spelt."""
        parts: list[str] = []
        for item in fields.get("fields", []):
            parts.append(item["String"].get("sval", "") if "String" in item else "*")
        if len(parts) >= 3 and parts[len(parts) - 3] == self.old:
            self.found.located.append((location, tuple(parts), len(parts) - 3))
        elif self.old in parts and len(parts) >= 2:
            self.found.claimed.append((location, tuple(parts)))

    def _constant(self, fields: dict[str, Any]) -> None:
        names = _names(fields.get("typeName", {}).get("names"))
        arg = fields.get("arg", {}).get("A_Const")
        # pg_catalog's own reg* types only: a user's type of the same name (``shop.regclass``,
        # printed qualified under the empty search_path) holds a value, not an object's name
        reg = names is not None and (len(names) == 1 or names[:-1] == ("pg_catalog",))
        if reg and names and names[-1] in _REG_TYPES and arg is not None and "sval" in arg:
            value = arg["sval"].get("sval", "")
            self.found.constants.append((arg.get("location", -1), value, names[-1]))


def _walk(tree: dict[str, Any], old: str) -> _Found:
    walker = _Walker(old)
    for statement in tree.get("stmts", []):
        walker.value(statement.get("stmt"))
    return walker.found


class _Tokens:
    """The scanner's tokens of one text, with byte offsets (the parser's locations count
    bytes, the scanner's count characters)."""

    def __init__(self, text: str) -> None:
        self.data = text.encode()
        if len(self.data) == len(text):
            at: Callable[[int], int] = int
        else:
            offsets = list(accumulate((len(ch.encode()) for ch in text), initial=0))
            at = offsets.__getitem__
        self.spans = [(at(t.start), at(t.end + 1), t.name) for t in parser.scan(text)]
        self.index = {start: i for i, (start, _, _) in enumerate(self.spans)}

    def text(self, i: int) -> str:
        start, end, _ = self.spans[i]
        return self.data[start:end].decode()

    def name(self, i: int) -> str | None:
        """The name a token spells (an identifier or keyword), or None."""
        if i >= len(self.spans):
            return None
        raw = self.text(i)
        if raw.startswith('"'):
            return unquote(raw)
        if raw[:1].isalpha() or raw[:1] == "_":
            return raw.translate(_ASCII_LOWER)  # the server folds ASCII letters only
        return raw  # an operator, the last part of an operator name

    def matches(self, i: int, parts: tuple[str, ...]) -> bool:
        for n, part in enumerate(parts):
            at = i + 2 * n
            if self.name(at) != part:
                return False
            if n + 1 < len(parts) and (at + 1 >= len(self.spans) or self.text(at + 1) != "."):
                return False
        return True

    def located(self, location: int, parts: tuple[str, ...]) -> int:
        """The token where ``parts`` start, at ``location`` or just after a keyword that
        leads it (SETOF, COLLATE, OPERATOR and its parenthesis)."""
        first = self.index.get(location)
        if first is not None:
            for i in range(first, min(first + 4, len(self.spans))):
                if self.matches(i, parts):
                    return i
        raise RelabelError(f"cannot place {'.'.join(parts)}")


def _is_name(value: str) -> bool:
    return value.startswith('"') or _SAFE_IDENT.fullmatch(value.lower()) is not None


class Relabeler:
    """Renames schema ``old`` to ``new`` in texts and fields; each text is parsed once."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.token = quote_if_needed(new)
        self.spellings = spellings(old)
        self.text = lru_cache(maxsize=None)(self._text)

    def mentions(self, text: str) -> bool:
        return mentions(text, self.spellings)

    def _text(self, wrapper: str, text: str) -> str:
        """``text`` (a ``WRAPPERS`` kind) with the old schema's qualifiers renamed."""
        if not self.mentions(text):
            return text
        prefix, suffix = WRAPPERS[wrapper]
        wrapped = prefix + text + suffix
        try:
            tree = json.loads(parser.parse_sql_json(wrapped))
        except parser.ParseError as exc:
            raise RelabelError(f"it does not parse ({exc})") from None
        found = _walk(tree, self.old)
        if found.empty:
            return text
        tokens = _Tokens(wrapped)
        edits: dict[int, tuple[int, str]] = {}
        claimed: set[int] = set()
        for location, parts, at in found.located:
            i = tokens.located(location, parts)
            claimed.update(range(i, i + 2 * len(parts) - 1))
            start, end, _ = tokens.spans[i + 2 * at]
            edits[start] = (end, self.token)
        for location, parts in found.claimed:
            try:
                i = tokens.located(location, parts)
            except RelabelError:
                continue
            claimed.update(range(i, i + 2 * len(parts) - 1))
        for parts in set(found.unlocated):
            places = [
                i for i in range(len(tokens.spans)) if i not in claimed and tokens.matches(i, parts)
            ]
            if len(places) != found.unlocated.count(parts):
                raise RelabelError(f"cannot place {'.'.join(parts)} for certain")
            for i in places:
                start, end, _ = tokens.spans[i + 2 * (len(parts) - 2)]
                edits[start] = (end, self.token)
        for location, value, reg_type in found.constants:
            renamed = self._constant(value, reg_type)
            token = tokens.index.get(location)
            if renamed == value:
                continue
            if token is None or tokens.spans[token][2] != "SCONST":
                raise RelabelError(f"cannot place the constant {value!r}")
            start, end, _ = tokens.spans[token]
            edits[start] = (end, literal(renamed))
        data = tokens.data
        out = bytearray()
        at = 0
        for start in sorted(edits):
            end, replacement = edits[start]
            out += data[at:start] + replacement.encode()
            at = end
        out += data[at:]
        result = out.decode()
        return result[len(prefix) : len(result) - len(suffix)]

    def _constant(self, value: str, reg_type: str) -> str:
        """The string of a ``'...'::regclass``-style constant with its schema renamed."""
        if reg_type == "regnamespace":
            return self.token if _is_name(value) and unquote(value) == self.old else value
        head, rest = split_ident(value, sep=".")
        if not rest or not _is_name(head) or unquote(head) != self.old:
            head, rest = "", value
        else:
            head = self.token + "."
        if reg_type in ("regprocedure", "regoperator") and "(" in rest:
            name, _, args = rest.partition("(")
            rest = f"{name}({self.text('arguments', args.removesuffix(')'))})"
        elif reg_type == "regtype" and not head:
            return value
        return head + rest

    def schema(self, name: str) -> str:
        return self.new if name == self.old else name

    def key(self, key: Key, signatures: dict[str, str]) -> Key:
        kind, schema, name, sub = key
        if kind == "schema":
            return (kind, schema, self.schema(name), sub)
        if schema != self.old:
            return key
        if kind == "function":
            name = signatures.get(name) or self._signature(name)
        return (kind, self.new, name, sub)

    def _signature(self, signature: str) -> str:
        """``name(identity arguments)`` of a function the snapshot does not hold itself (an
        extension's). dependencies.sql cuts such names at 63 bytes (its name column is of
        type name): a cut one matches no object, and is left as it is."""
        name, paren, args = signature.partition("(")
        if not paren:
            return signature
        try:
            return f"{name}({self.text('arguments', args.removesuffix(')'))})"
        except RelabelError:
            return signature


def body_names_schema(function: Function, schema: str) -> bool:
    """Whether a function's body (copied as it is, never relabelled) or its ``SET`` values
    name ``schema``: as a qualifier (``schema.t``), inside a string (``'schema.t'``), or as
    a setting's value (``SET search_path = schema``)."""
    spelt = spellings(schema)
    if function.kind == FunctionKind.AGGREGATE or not mentions(function.body, spelt):
        return False
    try:
        tree = json.loads(parser.parse_sql_json(WRAPPERS["function"][0] + function.body))
    except parser.ParseError:
        return True
    found = _walk(tree, schema)
    return found.settings or any(_body_names(body, schema, spelt) for body in found.bodies)


def _body_names(body: str, schema: str, spelt: set[str]) -> bool:
    if not mentions(body, spelt):
        return False
    try:
        tokens = _Tokens(body)
    except parser.ParseError:  # not SQL (another language): a mention is enough
        return True
    qualifiers = {f"{schema}.", f"{ident(schema)}."}
    for i, (_, _, kind) in enumerate(tokens.spans):
        if kind == "SCONST":
            if any(q in tokens.text(i).replace("''", "'") for q in qualifiers):
                return True
        elif tokens.name(i) == schema and i + 1 < len(tokens.spans) and tokens.text(i + 1) == ".":
            return True
    return False
