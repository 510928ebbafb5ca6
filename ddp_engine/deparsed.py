"""Reading the kinds DDP takes as the statements that create them (model.Deparsed).

Rules, extended statistics, operators and their classes and families, text search
dictionaries and configurations, foreign servers and tables, event triggers: their catalog
queries (queries/<kind>.sql) write each object's CREATE statements (a deparser where the server
has one, else names and options quoted by ``format``), its ALTERs for settings CREATE cannot
say, its comment, and the statement that drops it. None of them holds data, so DDP compares
them as a whole and recreates a changed one (ddl/deparsed.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from ddp_engine.model import Deparsed
from ddp_engine.queries import query_text

#: The queries whose rows carry the table the object sits on.
ON_TABLES = frozenset({"rules", "statistics"})
#: The queries that undo an object with several statements (the others with one).
UNDONE_IN_STEPS = frozenset({"default_privileges"})


def deparsed_builder(model: type[Deparsed]) -> Callable[[dict[str, Any]], Deparsed]:
    """The row builder of one deparsed kind: every query gives the same columns (a rule's and
    a statistics object's also its table)."""

    def build(r: dict[str, Any]) -> Deparsed:
        return model.trusted(
            schema_name=sys.intern(r["schema_name"]),
            name=r["name"],
            statements=tuple(r["statements"]),
            drop=tuple(r["drop_sql"]),
            table=r.get("table_name") or "",
        )

    return build


#: Objects in a schema the scope leaves out are not read (foreign servers and event triggers,
#: in no schema, always are).
_IN_SCOPE = "\nWHERE q.schema_name OPERATOR(pg_catalog.<>) ALL (%(out_schemas)s::pg_catalog.text[])"


@cache
def deparsed_query(queries: Iterable[str]) -> str:
    """One query reading every deparsed kind (``queries``: their queries/<name>.sql), each row
    tagged with its query's name: one round trip for all of them, however many kinds."""
    parts = []
    for name in queries:
        text = query_text(name)
        table = "q.table_name" if name in ON_TABLES else "''"
        drop = "q.drop_sql" if name in UNDONE_IN_STEPS else "ARRAY[q.drop_sql]"
        parts.append(
            f"SELECT '{name}' AS query, q.schema_name, q.name, q.statements, {drop} AS drop_sql, "
            f"{table} AS table_name FROM (\n{text}\n) q{_IN_SCOPE}"
        )
    return "\nUNION ALL\n".join(parts)
