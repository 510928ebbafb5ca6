"""``ddp dump``: a schema written out as SQL files, one folder per schema, one file per object.

The statements are the ones a sync to an empty database would run (the planner's, so a dump
says exactly what ``ddp sync`` compares); each goes to the file of the object it builds: a
table's file holds its columns, constraints, indexes, triggers, policies, comments and
grants; foreign keys go to the schema's ``foreign_keys.sql``, loaded after every table, so
that two tables may reference each other. ``load-order.txt`` lists the files in an order that
loads under ``psql -v ON_ERROR_STOP=1`` (each file after the files of what its objects
stand on, pg_depend's edges), and ``--source-sql DIR`` loads a folder in that order.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import defaultdict
from pathlib import Path

from ddp_engine.errors import BadInput, DdpError
from ddp_engine.model import Key, Snapshot
from ddp_engine.plan import make_plan
from ddp_engine.render import prelude
from ddp_engine.scope import Scope, apply_scope
from ddp_engine.sqlfiles import ORDER_FILE
from ddp_engine.stepspec import Step

#: Characters a file name keeps as they are; any other makes the name safe plus a hash.
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_CREATE_SCHEMA = re.compile(r"^CREATE SCHEMA (?!IF NOT EXISTS)")
#: The relation-level kinds whose steps go to their table's (or view's) file.
_ON_RELATION = ("column", "default", "constraint", "trigger", "policy")


def file_name(name: str) -> str:
    """An object's name as a file name: itself when plain, else made safe and unique."""
    if _SAFE.fullmatch(name) and len(name) <= 100:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60].lstrip(".") + "-" + digest


class _Files:
    """Which file each step of the plan goes to."""

    def __init__(self, source: Snapshot) -> None:
        self.views = {(v.schema_name, v.name) for v in source.views}
        self.index_on = {(i.schema_name, i.name): i.table for i in source.indexes}
        self.fks = {
            (c.schema_name, c.table, c.name) for c in source.constraints if c.constraint_type == "f"
        }
        self.owner_of = {(s.schema_name, s.name): s.owned_by for s in source.sequences}
        self.of_object: dict[tuple[str, str], str] = {}

    def relation(self, schema: str, name: str) -> str:
        folder = "views" if (schema, name) in self.views else "tables"
        return self.remember(schema, name, f"{file_name(schema)}/{folder}/{file_name(name)}.sql")

    def remember(self, schema: str, name: str, path: str) -> str:
        self.of_object.setdefault((schema, name), path)
        return path

    def of(self, key: Key) -> str:
        """The file of the object a step with this key builds."""
        kind, schema, name, sub = key
        folder = file_name(schema)
        if kind == "schema":
            return self.remember("", name, f"{file_name(name)}/schema.sql")
        if kind == "extension":
            return "extensions.sql"
        if kind == "constraint" and (schema, name, sub) in self.fks:
            return f"{folder}/foreign_keys.sql"
        if kind == "table" or kind in _ON_RELATION:
            return self.relation(schema, name)
        if kind == "index":
            return self.relation(schema, self.index_on.get((schema, name), name))
        if kind == "owned":
            owner = self.owner_of.get((schema, name))
            if owner is not None:
                return self.relation(owner[0], owner[1])
        if kind == "view":
            return self.relation(schema, name)
        if kind == "acl":
            return self.of_object.get((schema, name)) or f"{folder}/privileges.sql"
        plural = {"type": "types", "collation": "types", "function": "functions"}.get(
            kind, "sequences" if kind in ("sequence", "owned") else "other"
        )
        base = name.split("(", 1)[0] if kind == "function" else name
        return self.remember(schema, name, f"{folder}/{plural}/{file_name(base)}.sql")


def _object_file(key: Key, files: _Files, made: dict[Key, str]) -> str | None:
    """The file that creates the object of a dependency key (a column: its table's)."""
    if key in made:
        return made[key]
    kind, schema, name, _ = key
    if kind in ("column", "default", "table", "view"):
        return files.of_object.get((schema, name))
    return None


def _order(first: dict[str, int], edges: dict[str, set[str]]) -> list[str]:
    """Files after the files they need, else in the order their first statement comes;
    foreign key files last. A cycle is left to the plan's own order."""
    waiting = {f: len(edges[f]) for f in first}
    needed_by: dict[str, list[str]] = defaultdict(list)
    for f, needs in edges.items():
        for n in needs:
            needed_by[n].append(f)

    def rank(f: str) -> tuple[bool, int, str]:
        return (f.endswith("/foreign_keys.sql"), first[f], f)

    ready = [rank(f) for f, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        f = heapq.heappop(ready)[2]
        out.append(f)
        for g in needed_by[f]:
            waiting[g] -= 1
            if waiting[g] == 0:
                heapq.heappush(ready, rank(g))
    out += sorted((f for f in first if f not in out), key=rank)
    return out


def _row_type_edges(source: Snapshot, files: _Files, made: dict[Key, str]) -> list[tuple[str, str]]:
    """A function that takes or returns a table's row type needs the table first; pg_depend
    records that edge on the row type, which is no object of the snapshot."""
    tables = {t.name: t.schema_name for t in source.tables}
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")*\"")
    out = []
    for f in source.functions:
        mine = made.get(("function", f.schema_name, f.signature, ""))
        if mine is None:
            continue
        for token in word.findall(f"{f.arguments} {f.result_type or ''}"):
            name = token[1:-1].replace('""', '"') if token.startswith('"') else token
            table = files.of_object.get((tables.get(name, ""), name))
            if table is not None:
                out.append((mine, table))
    return out


def dump_files(source: Snapshot, scope: Scope | None = None) -> dict[str, str]:
    """Relative path → SQL text, ``load-order.txt`` included."""
    empty = Snapshot(server_version=source.server_version, all_schemas=source.all_schemas)
    if scope:
        source = apply_scope(scope, source, empty).source
    plan = make_plan(
        source, empty, source_label="dump", target_label="empty", target_schema="public"
    )
    files = _Files(source)
    steps: dict[str, list[Step]] = defaultdict(list)
    made: dict[Key, str] = {}
    first: dict[str, int] = {}
    for i, step in enumerate(plan.steps):
        path = files.of(step.key)
        steps[path].append(step)
        made.setdefault(step.key, path)
        first.setdefault(path, i)
    edges: dict[str, set[str]] = {f: set() for f in first}
    for dependent, referenced in source.dependencies:
        a, b = _object_file(dependent, files, made), _object_file(referenced, files, made)
        if a is not None and b is not None and a != b and a in edges and b in edges:
            edges[a].add(b)
    for a, b in _row_type_edges(source, files, made):
        if a != b and a in edges and b in edges:
            edges[a].add(b)
    settings = [line for line in prelude(plan) if "timeout" not in line]
    out: dict[str, str] = {}
    for path in steps:
        lines = ["-- Written by ddp dump: load with the folder's load-order.txt", *settings, ""]
        for step in steps[path]:
            lines.append(f"-- {' '.join(step.note.split())}")
            lines += [
                _CREATE_SCHEMA.sub("CREATE SCHEMA IF NOT EXISTS ", s) + ";" for s in step.statements
            ]
            lines.append("")
        out[path] = "\n".join(lines)
    out[ORDER_FILE] = "".join(f + "\n" for f in _order(first, edges))
    return out


def write_dump(files: dict[str, str], output: Path) -> int:
    """Write the files under ``output`` (created; it must hold no files yet): how many."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BadInput(f"--output {output} is not an empty folder: give a new one")
    try:
        for relative, text in files.items():
            path = output / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    except OSError as exc:
        raise DdpError(f"cannot write {output}: {exc.strerror}") from None
    return len(files) - 1
