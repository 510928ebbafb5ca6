"""Printed expressions that parse back to another tree, rewritten so that they parse back alike.

PostgreSQL prints ``status IN ('DF', 'PB')`` on a ``varchar`` column (Django's choices, Rails'
inclusion checks) as ``(status)::text = ANY ((ARRAY['DF'::character varying, 'PB'::character
varying])::text[])``. Parsed again, that text makes another tree (the cast to ``text[]`` goes into
every element) and prints as ``ARRAY[('DF'::character varying)::text, ...]``: a script that wrote
the printed text would leave a check that never again prints like the source's. Written as
``status = ANY (ARRAY['DF'::character varying, ...])`` it parses to the very tree the server
printed: ``varchar = varchar`` resolves to text's ``=`` through the same implicit casts.

Only for a column (or a domain's ``VALUE``) of type ``character varying``, where that holds; a
match inside a string literal is left alone.
"""

from __future__ import annotations

import re

from ddp_engine.sqltext import unquote

_ITEM = r"'(?:[^']|'')*'::character varying"
_VARCHAR_ANY = re.compile(
    r"\((?P<name>[a-z_][a-z0-9_$]*|\"(?:[^\"]|\"\")+\"|VALUE)\)::text = ANY "
    rf"\(\(ARRAY\[(?P<items>{_ITEM}(?:, {_ITEM})*)\]\)::text\[\]\)"
)

#: What a column or a domain is printed as when it is ``varchar``.
VARCHAR = "character varying"


def reparseable(text: str, varchar_names: frozenset[str]) -> str:
    """``text`` with each printed ``IN`` list on one of ``varchar_names`` (columns, or
    ``VALUE`` for a domain) written so that it parses back to what was printed."""

    def rewrite(match: re.Match[str]) -> str:
        inside_literal = text.count("'", 0, match.start()) % 2 == 1
        if inside_literal or unquote(match["name"]) not in varchar_names:
            return match.group(0)
        return f"{match['name']} = ANY (ARRAY[{match['items']}])"

    return _VARCHAR_ANY.sub(rewrite, text)
