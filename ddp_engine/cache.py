"""Each side's last snapshot kept in a folder (``--cache DIR``, ``DDP_CACHE_DIR``), reused while
that side's catalog epoch (epoch.py) stays where it was.

A scheduled drift check asks the same question of schemas that rarely change; most of a read
is the server deparsing objects. With a cache, a read first takes the epoch (no deparsing) in
its own transaction; when the file for that side holds the same epoch, for the same server,
database, scope and ddp, its snapshot is the answer and nothing else is read.

The file: one line of JSON (what it was read from, and when the epoch was), then the snapshot
as JSON, one line per part. JSON, not pickle: a file read back builds data and never runs
code, whoever wrote it (and it loads faster: 0.8 s against pickle's 1.7 s for 2,000 tables).
Not the models' own JSON either: each object is written as the list of its field values, each
distinct column once (tables list theirs by number), each dependency end once (edges are pairs
of numbers), and read back a line at a time without validation, as a fresh read builds it
(``Frozen.trusted``, equal columns shared). At 10,000 tables a side's file is 26 MB instead of
57, loads in about the second pydantic took to validate its own JSON, and a cached sync
peaks at 0.40 GB instead of 1 GB. A snapshot holds schema
objects only: no password, no connection string. Files are written to a temporary name and
renamed (a reader never sees half a file), readable by their owner only (0600), and a file is
only used when its owner is the user running ddp and no one else may read or write it, so that
no one else can make a drift check see the schema they want.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
import typing
from collections.abc import Callable, Iterable
from importlib.metadata import version
from operator import itemgetter
from pathlib import Path
from typing import Any

from ddp_engine.errors import DdpError
from ddp_engine.frozen import Frozen
from ddp_engine.model import Column, Key, Snapshot, Table
from ddp_engine.settings import ConnectionSettings

#: The layout of a cache file; a file of another layout is read again and replaced.
FORMAT = 4
#: Where the folder comes from when --cache is not given.
CACHE_ENV = "DDP_CACHE_DIR"


def _software() -> dict[str, str]:
    """What wrote the file: another ddp, pydantic or Python reads the side again."""
    return {
        "ddp": version("ddp"),
        "pydantic": version("pydantic"),
        "python": ".".join(map(str, sys.version_info[:2])),
    }


class SnapshotCache:
    """The cache file of one side: one per server address, database, user and scope."""

    def __init__(
        self,
        folder: str | Path,
        settings: ConnectionSettings,
        all_schemas: bool,
        scope_key: str = "",
    ) -> None:
        self.folder = Path(folder).expanduser()
        self.scope = {
            "address": settings.address(),
            "database": settings.database,
            "user": settings.user,
            "schema": "" if all_schemas else settings.schema_name,
            "all_schemas": all_schemas,
            # what the read left out (scope.ReadScope.key): another scope, another file
            "left_out": scope_key,
        }
        name = hashlib.sha256(json.dumps(self.scope, sort_keys=True).encode()).hexdigest()
        self.path = self.folder / f"snapshot-{name[:32]}.ddp"

    def header(self, identity: tuple[str, str], epoch: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **_software(),
            "system_identifier": identity[0],
            "database_oid": identity[1],
            **self.scope,
            "epoch": epoch,
        }

    def load(self, identity: tuple[str, str], epoch: str) -> Snapshot | None:
        """The cached snapshot if the file is ours, safe, and of this epoch; else None."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.geteuid()
                or info.st_mode & 0o077
            ):
                return None
            try:
                header = json.loads(file.readline())
            except ValueError:
                return None
            if header != self.header(identity, epoch):
                return None
            try:
                return decode(map(json.loads, file))
            except (ValueError, TypeError, KeyError, IndexError):  # read the side again
                return None

    def store(self, identity: tuple[str, str], epoch: str, snapshot: Snapshot) -> None:
        """Write the file atomically (temporary file, then rename), mode 0600."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".snapshot-", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(json.dumps(self.header(identity, epoch)).encode() + b"\n")
                    for part in encode(snapshot).items():
                        file.write(json.dumps(part, separators=(",", ":")).encode() + b"\n")
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DdpError(
                f"DDP SYNC failed: cannot write the cache folder {self.folder}: "
                f"{exc.strerror or exc}; give a folder you can write (--cache, {CACHE_ENV})"
            ) from None


def _tupled(value: Any) -> Any:
    """JSON's lists as the tuples every snapshot field holds, at every depth."""
    if type(value) is list:
        return tuple(map(_tupled, value))
    return value


#: Snapshot fields that hold no tuple of objects.
_PLAIN = ("server_version", "all_schemas")
#: Fields that hold tuples: (where, what makes the tuple of a JSON list).
_Tuples = tuple[tuple[int, Callable[[Any], Any]], ...]
#: A Column's fields that hold tuples (all of plain values).
_COLUMN_TUPLES = tuple(
    i for i, name in enumerate(Column._fields) if "tuple[" in str(Column.__annotations__[name])
)
#: Where a Table's columns are among its fields.
_COLUMNS_AT = list(Table.model_fields).index("columns")


def _object_fields() -> dict[str, tuple[type[Frozen], tuple[str, ...], _Tuples]]:
    """Each Snapshot attribute that holds objects: their model, its field names, and where
    among them the fields that hold tuples are, each with what makes JSON's list its tuple
    again (``tuple``, or ``_tupled`` for tuples of tuples)."""
    found: dict[str, tuple[type[Frozen], tuple[str, ...], _Tuples]] = {}
    for attr, field in Snapshot.model_fields.items():
        if attr in _PLAIN or attr == "dependencies":
            continue
        (model, _) = typing.get_args(field.annotation)
        fields = model.model_fields
        tuples = tuple(
            (i, tuple if str(f.annotation).count("tuple[") == 1 else _tupled)
            for i, f in enumerate(fields.values())
            if "tuple[" in str(f.annotation)
        )
        found[attr] = (model, tuple(fields), tuples)
    return found


_OBJECTS = _object_fields()


def encode(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as plain lists: each object its field values in field order, each distinct
    column once (``columns``; a table lists its own by number), each dependency end once
    (``keys``; the edges as a flat list of numbers)."""
    columns: dict[Column, int] = {}
    number = columns.setdefault
    out: dict[str, Any] = {attr: getattr(snapshot, attr) for attr in _PLAIN}
    out["columns"] = columns  # filled below; written before the tables that number them
    for attr, (_, names, _) in _OBJECTS.items():
        values = itemgetter(*names) if len(names) > 1 else (lambda d, n=names[0]: (d[n],))
        rows = [list(values(obj.__dict__)) for obj in getattr(snapshot, attr)]
        if attr == "tables":
            for row in rows:
                row[_COLUMNS_AT] = [number(c, len(columns)) for c in row[_COLUMNS_AT]]
        out[attr] = rows
    out["columns"] = list(columns)
    keys: dict[Key, int] = {}
    end = keys.setdefault
    edges = [end(key, len(keys)) for edge in snapshot.dependencies for key in edge]
    out["keys"], out["edges"] = list(keys), edges
    return out


def decode(parts: Iterable[tuple[str, Any]]) -> Snapshot:
    """The snapshot ``encode`` wrote, part by part in its order (one line of the file each),
    built as a fresh read builds it (no validation: the file is our own, checked by its
    header; a malformed one raises and the side is read again). Each part is let go once its
    objects are built, so that the parsed file and the snapshot are never both whole in
    memory."""
    values: dict[str, Any] = {}
    columns: list[Column] = []
    keys: list[tuple[str, ...]] = []
    for name, part in parts:
        if name == "columns":
            columns = _columns(part)
        elif name in _OBJECTS:
            values[name] = _objects(name, part, columns)
        elif name == "keys":
            keys = [tuple(map(sys.intern, key)) for key in part]
        elif name == "edges":
            ends = iter(part)
            values["dependencies"] = tuple(
                (keys[a], keys[b]) for a, b in zip(ends, ends, strict=True)
            )
        elif name in _PLAIN:
            values[name] = part
    if values.keys() != Snapshot.model_fields.keys():
        raise ValueError("a part of the snapshot is missing")
    return Snapshot.model_construct(**values)


def _columns(rows: list[list[Any]]) -> list[Column]:
    columns = []
    for row in rows:
        for i in _COLUMN_TUPLES:
            if row[i] is not None:
                row[i] = tuple(row[i])
        columns.append(Column._make(row))
    return columns


def _objects(attr: str, rows: list[list[Any]], columns: list[Column]) -> tuple[Frozen, ...]:
    model, names, tuples = _OBJECTS[attr]
    objects = []
    trusted = model.trusted
    for row in rows:
        for i, tupled in tuples:
            if row[i] is not None:
                row[i] = tupled(row[i])
        if attr == "tables":
            row[_COLUMNS_AT] = tuple([columns[i] for i in row[_COLUMNS_AT]])
        objects.append(trusted(**dict(zip(names, row, strict=True))))
    return tuple(objects)
