"""Printed expressions that parse back to another tree, rewritten so that they parse back alike.

PostgreSQL prints ``status IN ('DF', 'PB')`` on a ``varchar`` column (Django's choices, Rails'
inclusion checks) as ``(status)::text = ANY ((ARRAY['DF'::character varying, 'PB'::character
varying])::text[])``. Parsed again, that text makes another tree (the cast to ``text[]`` goes into
every element) and prints as ``ARRAY[('DF'::character varying)::text, ...]``: a script that wrote
the printed text would leave a check that never again prints like the source's. Written as
``status = ANY (ARRAY['DF'::character varying, ...])`` it parses to the very tree the server
printed: ``varchar = varchar`` resolves to text's ``=`` through the same implicit casts.

The same holds for ``NOT IN`` (printed ``<> ALL``) and for a column whose type is a domain over
``varchar``. Only for a column (or a domain's ``VALUE``) whose values are ``character varying``,
where that holds (an enum cast to text compared with varchar literals would not even resolve
written the short way); a match inside a string literal is left alone. What this does not
cover (say ``(x::varchar)::text = ANY (...)``) is still settled on a shadow server
(crossversion.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ddp_engine.codes import TypeKind
from ddp_engine.model import Table, UserType
from ddp_engine.qualifiers import quote_if_needed
from ddp_engine.sqltext import unquote

_ITEM = r"'(?:[^']|'')*'::character varying"
_VARCHAR_ANY = re.compile(
    r"\((?P<name>[a-z_][a-z0-9_$]*|\"(?:[^\"]|\"\")+\"|VALUE)\)::text (?P<op>= ANY|<> ALL) "
    rf"\(\(ARRAY\[(?P<items>{_ITEM}(?:, {_ITEM})*)\]\)::text\[\]\)"
)

#: What a column or a domain is printed as when it is ``varchar``.
VARCHAR = "character varying"


def reparseable(text: str, varchar_names: frozenset[str]) -> str:
    """``text`` with each printed ``IN`` / ``NOT IN`` list on one of ``varchar_names`` (columns, or
    ``VALUE`` for a domain) written so that it parses back to what was printed."""

    def rewrite(match: re.Match[str]) -> str:
        inside_literal = text.count("'", 0, match.start()) % 2 == 1
        if inside_literal or unquote(match["name"]) not in varchar_names:
            return match.group(0)
        return f"{match['name']} {match['op']} (ARRAY[{match['items']}])"

    return _VARCHAR_ANY.sub(rewrite, text)


def varchar_columns(table: Table, types: Iterable[UserType]) -> frozenset[str]:
    """The columns of ``table`` whose values are ``varchar``: of that type, or of a domain
    over it (a column of a domain prints its type qualified, as format_type does)."""
    domains = {
        f"{quote_if_needed(t.schema_name)}.{quote_if_needed(t.name)}"
        for t in types
        if t.type_kind == TypeKind.DOMAIN and (t.base_type or "").startswith(VARCHAR)
    }
    return frozenset(
        c.name for c in table.columns if c.data_type.startswith(VARCHAR) or c.data_type in domains
    )
