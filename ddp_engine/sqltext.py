"""The one place that turns names and values into SQL text.

Every identifier goes through ``ident`` (always double-quoted, so capitals, spaces, quotes,
reserved words and unicode survive), every string through ``literal``. Nothing else in the
engine formats a raw name into SQL.
"""

from __future__ import annotations

import hashlib

MAX_IDENTIFIER_BYTES = 63


def ident(name: str) -> str:
    """A quoted identifier: ``my "odd" name`` → ``"my ""odd"" name"``."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``"schema"."name"``."""
    return f"{ident(schema)}.{ident(name)}"


def literal(value: str) -> str:
    """A standard-conforming string literal (the script sets standard_conforming_strings)."""
    return "'" + value.replace("'", "''") + "'"


def split_ident(text: str, sep: str = " ") -> tuple[str, str]:
    """``<identifier><sep><rest>`` (as PostgreSQL prints it) → (the identifier's SQL, rest).

    A quoted identifier may hold spaces, ``=`` and doubled quotes: ``"my ""odd"" c" CHECK
    (...)`` splits after its closing quote, not at the first separator.
    """
    if text.startswith('"'):
        at = 1
        while True:
            at = text.index('"', at)
            if text.startswith('""', at):
                at += 2
                continue
            rest = text[at + 1 :]
            return text[: at + 1], rest[len(sep) :] if rest.startswith(sep) else rest
    head, _, rest = text.partition(sep)
    return head, rest


def unquote(identifier: str) -> str:
    """The name an identifier's SQL stands for: ``"my ""odd"" c"`` → ``my "odd" c``."""
    if identifier.startswith('"'):
        return identifier[1:-1].replace('""', '"')
    return identifier


def dropped_name(name: str, stamp: str) -> str:
    """``<name>_dropped_<stamp>``, shortened with a hash when it would pass 63 bytes.

    The server would silently truncate a longer name, which could make two renamed objects
    collide and would break the suffix that later syncs use to ignore renamed objects.
    """
    suffix = f"_dropped_{stamp}"
    candidate = name + suffix
    if len(candidate.encode()) <= MAX_IDENTIFIER_BYTES:
        return candidate
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    tail = f"_{digest}{suffix}"
    room = MAX_IDENTIFIER_BYTES - len(tail.encode())
    head = name.encode()[:room].decode("utf-8", errors="ignore")
    return head + tail
