"""Which objects a sync looks at: ``--include`` / ``--exclude`` patterns over qualified names.

A pattern is a shell-style glob matched against ``schema.name`` in which ``*`` and ``?`` never
cross a dot (``public.audit_*``, ``reporting.*``), with an optional kind prefix
(``table:public.tmp_*``, ``schema:ops``). Objects on a table (its constraints, indexes,
triggers, policies) follow their table; every object of an excluded schema is excluded.

Out of scope means *left as the target has it*: what the source holds out of scope is not
compared, and what the target holds out of scope is put into the compared source unchanged,
so the diff sees no difference there and nothing is dropped or retired. An in-scope change
that would still have to drop or rebuild an out-of-scope object (a view over a changed column)
is refused with one line naming it (:func:`refuse_touched`): that object belongs to someone
else. Patterns are matched with the target's names (after a schema map).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from ddp_engine.errors import BadInput, DdpError
from ddp_engine.model import Key, Snapshot

#: The kinds a pattern may name (``KIND:schema.name``).
PATTERN_KINDS = frozenset(
    {
        "schema",
        "table",
        "view",
        "sequence",
        "function",
        "type",
        "collation",
        "index",
        "constraint",
        "trigger",
        "policy",
    }
)

#: Snapshot attributes whose objects are scoped, with their kind (extensions are database-wide).
_SCOPED = (
    ("collations", "collation"),
    ("types", "type"),
    ("sequences", "sequence"),
    ("tables", "table"),
    ("views", "view"),
    ("functions", "function"),
    ("constraints", "constraint"),
    ("indexes", "index"),
    ("triggers", "trigger"),
    ("policies", "policy"),
)

#: The file of patterns, one a line, found like ``.env`` (in the working folder or above).
IGNORE_FILE = ".ddpignore"


class Pattern(NamedTuple):
    """One parsed pattern: the kind it is limited to ("" for any) and its regex."""

    kind: str
    regex: re.Pattern[str]
    text: str

    def matches(self, kind: str, qualified: str) -> bool:
        return (not self.kind or self.kind == kind) and self.regex.fullmatch(qualified) is not None


def glob_regex(glob: str) -> re.Pattern[str]:
    """A glob as a regex where ``*`` and ``?`` stay within one dot-separated part."""
    out = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "*":
            out.append("[^.]*")
        elif char == "?":
            out.append("[^.]")
        elif char == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            body = glob[i + 1 : end]
            out.append(
                "[" + ("^" + re.escape(body[1:]) if body[:1] == "!" else re.escape(body)) + "]"
            )
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def parse_pattern(text: str) -> Pattern:
    """``[KIND:]schema.name`` as a Pattern; an unknown kind is bad input."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind in PATTERN_KINDS:
        body = rest
    elif sep and "." not in kind and kind.isidentifier():
        known = ", ".join(sorted(PATTERN_KINDS))
        raise BadInput(f"scope pattern {text!r}: unknown kind {kind!r} (one of: {known})")
    else:
        kind, body = "", text
    if not body:
        raise BadInput(f"scope pattern {text!r} names nothing: give [KIND:]schema.name")
    return Pattern(kind, glob_regex(body), text)


def split_patterns(values: Iterable[str]) -> tuple[str, ...]:
    """Flag values and comma-separated variables as single patterns, blanks left out."""
    return tuple(p.strip() for value in values for p in value.split(",") if p.strip())


class Scope:
    """Include and exclude patterns, and the question they answer: is this object in scope?"""

    def __init__(
        self,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        schemas: frozenset[str] | None = None,
    ) -> None:
        self.include = tuple(parse_pattern(p) for p in include)
        self.exclude = tuple(parse_pattern(p) for p in exclude)
        #: The target's schemas in scope when a schema map names them (None: any).
        self.schemas = schemas

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude) or self.schemas is not None

    def schema_in(self, name: str) -> bool:
        """A schema is out only when a ``schema:`` pattern excludes it, or ``schema:``
        includes are given and none names it (or a schema map does not name it)."""
        if self.schemas is not None and name not in self.schemas:
            return False
        if any(p.kind == "schema" and p.matches("schema", name) for p in self.exclude):
            return False
        wanted = [p for p in self.include if p.kind == "schema"]
        return not wanted or any(p.matches("schema", name) for p in wanted)

    def object_in(self, kind: str, schema: str, name: str, table: str = "") -> bool:
        """Whether an object (on ``table``, if it stands on one) is in scope."""
        if not self.schema_in(schema):
            return False
        if table and not self.object_in("relation", schema, table):
            return False
        qualified = f"{schema}.{name}"
        kinds = ("table", "view") if kind == "relation" else (kind,)
        if any(p.kind != "schema" and p.matches(k, qualified) for p in self.exclude for k in kinds):
            return False
        wanted = [p for p in self.include if p.kind != "schema"]
        if not wanted or table:
            return True
        return any(p.matches(k, qualified) for p in wanted for k in kinds)


def sql_regex(pattern: Pattern) -> str:
    """A pattern as an anchored regex for PostgreSQL's ``~``: the same text as its Python
    regex (``*`` as ``[^.]*``, ``?`` as ``[^.]``, everything else escaped), which both
    dialects read alike."""
    return f"^(?:{pattern.regex.pattern})$"


class ReadScope(NamedTuple):
    """What one side's catalog queries leave out (queries/fragments.sql, ``scope``): objects
    the scope leaves out are listed by name, for the summary's count and for refusing a plan
    that would touch them, and nothing more is read of them (no columns, no deparsed text).

    ``names``: this side's schemas whose name the patterns know under another (the source's
    under the target's, through a schema map). ``objects``: whether object patterns apply on
    this side; they do not where names change after the read (rename hints), as the read
    could then leave out what the hints bring into scope.
    """

    scope: Scope
    names: tuple[tuple[str, str], ...] = ()
    objects: bool = True

    def params(self, schemas: Iterable[str]) -> dict[str, Any]:
        """The queries' parameters for the schemas read."""
        renamed = dict(self.names)
        excludes = [p for p in self.scope.exclude if p.kind != "schema" and self.objects]
        includes = [p for p in self.scope.include if p.kind != "schema" and self.objects]
        return {
            "scope_from": list(renamed),
            "scope_to": list(renamed.values()),
            "out_schemas": [s for s in schemas if not self.scope.schema_in(renamed.get(s, s))],
            "exclude_kinds": [p.kind for p in excludes],
            "exclude_regexes": [sql_regex(p) for p in excludes],
            "includes": bool(includes),
            "include_kinds": [p.kind for p in includes],
            "include_regexes": [sql_regex(p) for p in includes],
        }

    def key(self) -> str:
        """What the read depends on, as text (a cached snapshot is kept per key)."""
        schemas = sorted(self.scope.schemas) if self.scope.schemas is not None else None
        return repr(
            (
                [p.text for p in self.scope.include],
                [p.text for p in self.scope.exclude],
                schemas,
                self.names,
                self.objects,
            )
        )


#: The queries' parameters when nothing is left out.
NO_SCOPE_PARAMS = ReadScope(Scope()).params(())


def _object_in(scope: Scope, kind: str, obj: Any) -> bool:
    table = (
        getattr(obj, "table", "") if kind in ("constraint", "index", "trigger", "policy") else ""
    )
    return scope.object_in(kind, obj.schema_name, obj.name, table)


class Scoped(NamedTuple):
    """The two snapshots as compared, how many objects were left out, and their keys."""

    source: Snapshot
    target: Snapshot
    left_out: int
    out_keys: frozenset[Key]


def apply_scope(scope: Scope, source: Snapshot, target: Snapshot) -> Scoped:
    """Leave out-of-scope objects as the target has them (see the module docstring)."""
    from ddp_engine.registry import object_key

    if not scope:
        return Scoped(source, target, 0, frozenset())
    source_update: dict[str, Any] = {}
    out_keys: set[Key] = set()
    src_out = 0
    for attr, kind in _SCOPED:
        kept = [o for o in getattr(source, attr) if _object_in(scope, kind, o)]
        src_out += len(getattr(source, attr)) - len(kept)
        theirs = [o for o in getattr(target, attr) if not _object_in(scope, kind, o)]
        out_keys.update(object_key(o) for o in theirs)
        source_update[attr] = tuple(kept + theirs)
    schemas_kept = [s for s in source.schemas if scope.schema_in(s.name)]
    schemas_theirs = [s for s in target.schemas if not scope.schema_in(s.name)]
    src_out += len(source.schemas) - len(schemas_kept)
    out_keys.update(object_key(s) for s in schemas_theirs)
    source_update["schemas"] = tuple(schemas_kept + schemas_theirs)
    edges = {e for e in target.dependencies if e[0] in out_keys or e[1] in out_keys}
    source_update["dependencies"] = tuple({*source.dependencies, *edges})
    left_out = max(src_out, len(out_keys))
    return Scoped(source.model_copy(update=source_update), target, left_out, frozenset(out_keys))


def refuse_touched(steps: Iterable[Any], out_keys: frozenset[Key]) -> None:
    """One line when the plan would change an out-of-scope object (rebuild it, drop it)."""
    if not out_keys:
        return
    for step in steps:
        key = step.key
        owner = key if key in out_keys else _owner(key, out_keys)
        if owner is not None:
            name = ".".join(p for p in owner[1:] if p)
            raise DdpError(
                f"DDP SYNC failed: {owner[0]} {name} is out of scope, but the plan would "
                f"change it ({step.note}); include it (--include) or leave out the change "
                "that needs it"
            )


def _owner(key: Key, out_keys: frozenset[Key]) -> Key | None:
    """The out-of-scope table or view a step's sub-object key (a column, a default) is on."""
    kind, schema, table, _ = key
    if kind in ("column", "default", "constraint", "trigger", "policy"):
        for relation in ("table", "view"):
            if (relation, schema, table, "") in out_keys:
                return (relation, schema, table, "")
    return None
