"""The catalog queries introspect.py runs, one ``.sql`` file per object kind.

Like pg_dump's, they name every catalog object with its schema: ``pg_catalog.pg_class``,
``pg_catalog.format_type(...)``, ``OPERATOR(pg_catalog.=)``, ``::pg_catalog.text``,
``'pg_catalog.pg_class'::pg_catalog.regclass``; no ``IN (...)``, ``NULLIF`` or ``CASE x WHEN``,
which look ``=`` up through the search_path. Then nothing planted in a schema that other roles
can write to stands in for what ddp calls, even under a search_path that lists that schema
(tests/trust/test_qualified_sql.py checks each file with PostgreSQL's own parser). The empty
search_path of every session is still needed: ``pg_get_viewdef`` runs a query of its own whose
``=`` the server looks up through it.

SQL that several queries share (the schema filter, the scope's, comments, options) is written
once in ``fragments.sql`` and spliced in where a query names it (``{{name}}``,
``{{name(arg; arg)}}``), once, when the query is first loaded (:func:`query_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources

#: The file of the pieces of SQL several queries share (not itself a query).
FRAGMENTS = "fragments"
_PLACEHOLDER = re.compile(r"\{\{(\w+)(?:\((.*?)\))?\}\}", re.DOTALL)
_HEADER = re.compile(r"^-- fragment: (\w+)\n", re.MULTILINE)


def _text(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.sql").read_text()


@cache
def _fragments() -> dict[str, str]:
    """Each fragment of fragments.sql by name, its leading comment lines (what it is for) left
    out: a fragment may be spliced into the middle of a line."""
    parts = _HEADER.split(_text(FRAGMENTS))[1:]
    pieces = {}
    for name, body in zip(parts[::2], parts[1::2], strict=True):
        lines = body.strip().splitlines()
        while lines and lines[0].startswith("--"):
            lines.pop(0)
        pieces[name] = "\n".join(lines)
    return pieces


#: The fragments a query loaded for a read that leaves nothing out takes instead: no scope
#: join for the planner to estimate (it would pick slower plans for the rest of the query).
_UNSCOPED = {
    "scope": "no_scope",
    "relation_scope": "no_relation_scope",
    "schema_scope": "no_schema_scope",
    "left_out": None,
}


def _splicer(scoped: bool) -> Callable[[re.Match[str]], str]:
    def splice(match: re.Match[str]) -> str:
        """One placeholder as its fragment, its own placeholders spliced too."""
        name = match[1] if scoped else _UNSCOPED.get(match[1], match[1])
        if name is None:
            return "false"
        text = _fragments()[name]
        args = [a.strip() for a in match[2].split(";")] if match[2] is not None else []
        for i, arg in reversed(list(enumerate(args, 1))):
            text = text.replace(f"${i}", arg)
        return _PLACEHOLDER.sub(splice, text)

    return splice


@cache
def query_text(name: str, scoped: bool = False) -> str:
    """The text of ``<name>.sql`` with the shared fragments spliced in, read once; ``scoped``:
    for a read that leaves objects out (scope.ReadScope), else without the scope's work."""
    return _PLACEHOLDER.sub(_splicer(scoped), _text(name))


def query_names() -> list[str]:
    """Every query file's name (the fragments are no query)."""
    folder = resources.files(__name__)
    return sorted(
        p.name[:-4]
        for p in folder.iterdir()
        if p.name.endswith(".sql") and p.name[:-4] != FRAGMENTS
    )
