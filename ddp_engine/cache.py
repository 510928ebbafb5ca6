"""Each side's last snapshot kept in a folder (``--cache DIR``, ``DDP_CACHE_DIR``), reused while
that side's catalog epoch (epoch.py) stays where it was.

A scheduled drift check asks the same question of schemas that rarely change; most of a read
is the server deparsing objects. With a cache, a read first takes the epoch (no deparsing) in
its own transaction; when the file for that side holds the same epoch, for the same server,
database, scope and ddp, its snapshot is the answer and nothing else is read.

The file: one line of JSON (what it was read from, and when the epoch was), then the snapshot
in parts, each a length and a ``marshal`` record of plain values: each object the tuple of its
field values (a StrEnum as its letter), each distinct column once (tables list theirs by
number), the dependency edges with each shared end written once (marshal keeps what is
shared, and interned names interned). marshal, not pickle: reading a file back builds tuples,
strings and numbers and never calls anything, whoever wrote it; marshal is not hardened
against a forged file, which is why only a file that is ours and private is read at all
(below), and a malformed one is read again. Objects are built as a fresh read builds them
(``Frozen.trusted``'s layout, no validation), a part at a time. At 10,000 tables a side's
file is 19 MB (JSON lists: 26 MB) and is read and built in 0.4 s of CPU (JSON: 1.3 s).

A snapshot holds schema objects only: no password, no connection string. Files are written to
a temporary name and renamed (a reader never sees half a file), readable by their owner only
(0600), and a file is only used when its owner is the user running ddp and no one else may read
or write it, so that no one else can make a drift check see the schema they want.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import stat
import sys
import tempfile
import threading
import typing
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Any, BinaryIO

from ddp_engine.errors import DdpError
from ddp_engine.frozen import Frozen
from ddp_engine.model import Column, Snapshot, Table
from ddp_engine.settings import ConnectionSettings

#: The layout of a cache file; a file of another layout is read again and replaced.
FORMAT = 5
#: marshal's own format version (Python 3.4 on); the header names the Python that wrote it.
_MARSHAL_VERSION = 4
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
        #: The file being read meanwhile (``prefetch``): the thread, the header wanted, the
        #: header and snapshot it read.
        self._pending: tuple[threading.Thread, list[dict[str, Any]], list[Any]] | None = None

    def header(self, identity: tuple[str, str], epoch: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            **_software(),
            "system_identifier": identity[0],
            "database_oid": identity[1],
            **self.scope,
            "epoch": epoch,
        }

    def prefetch(self) -> None:
        """Start reading the file in a thread of its own, to be taken by ``load``: the file is
        read and built while the server computes the epoch (the two take about as long on a
        big catalog). When the epoch has moved, ``load`` stops it at the next part."""
        wanted: list[dict[str, Any]] = []  # the header load wants, once it knows it
        found: list[tuple[dict[str, Any], Snapshot] | None] = []
        thread = threading.Thread(
            target=lambda: found.append(self._read(lambda h: not wanted or h == wanted[0])),
            name="ddp-cache-read",
            daemon=True,
        )
        thread.start()
        self._pending = (thread, wanted, found)

    def load(self, identity: tuple[str, str], epoch: str) -> Snapshot | None:
        """The cached snapshot if the file is ours, safe, and of this epoch; else None."""
        expected = self.header(identity, epoch)
        if self._pending is None:
            read = self._read(lambda header: header == expected)
        else:
            thread, wanted, found = self._pending
            self._pending = None
            wanted.append(expected)
            thread.join()
            read = found[0] if found else None
        if read is None or read[0] != expected:
            return None
        return read[1]

    def _read(
        self, keep: Callable[[dict[str, Any]], bool]
    ) -> tuple[dict[str, Any], Snapshot] | None:
        """The file's header and snapshot, if the file is ours and safe and ``keep`` (asked
        before each part) still wants a snapshot of that header; else None."""
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
                return header, decode(_records(file, info.st_size, lambda: keep(header)))
            # a malformed or unreadable file: the side is read again (and the file replaced)
            except (ValueError, TypeError, KeyError, IndexError, EOFError, OSError):
                return None

    def store(self, identity: tuple[str, str], epoch: str, snapshot: Snapshot) -> None:
        """Write the file atomically (temporary file, then rename), mode 0600."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".snapshot-", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(json.dumps(self.header(identity, epoch)).encode() + b"\n")
                    for part in encode(snapshot):
                        record = marshal.dumps(part, _MARSHAL_VERSION)
                        file.write(len(record).to_bytes(_LENGTH, "little") + record)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DdpError(
                f"DDP SYNC failed: cannot write the cache folder {self.folder}: "
                f"{exc.strerror or exc}; give a folder you can write (--cache, {CACHE_ENV})"
            ) from None


#: Snapshot fields that hold no tuple of objects.
_PLAIN = ("server_version", "all_schemas")
#: Where a Table's columns are among its fields.
_COLUMNS_AT = list(Table.model_fields).index("columns")
#: The length that precedes each part of the file (bytes, little-endian).
_LENGTH = 8


class _Kind(typing.NamedTuple):
    """How the objects of one Snapshot attribute are written and built again."""

    model: type[Frozen]
    names: tuple[str, ...]
    #: The StrEnum fields: where and which they are, and each one's members by value.
    enums: tuple[tuple[int, str, dict[str, StrEnum]], ...]
    #: The one set of field names every object shares (as ``Frozen.trusted`` gives them).
    fields_set: set[str]
    #: A ``__dict__`` of the model's fields in order, copied for each object: a copy shares
    #: its keys with every other (a split dict, 170 bytes less than a dict of its own).
    template: dict[str, Any]


def _kinds() -> dict[str, _Kind]:
    """Each Snapshot attribute that holds objects, with its model's layout."""
    found = {}
    for attr, field in Snapshot.model_fields.items():
        if attr in _PLAIN or attr == "dependencies":
            continue
        (model, _) = typing.get_args(field.annotation)
        fields = model.model_fields
        enums = tuple(
            (i, name, {member.value: member for member in f.annotation})
            for i, (name, f) in enumerate(fields.items())
            if isinstance(f.annotation, type) and issubclass(f.annotation, StrEnum)
        )
        found[attr] = _Kind(model, tuple(fields), enums, set(fields), _template(model))
    return found


def _template(model: type[Frozen]) -> dict[str, Any]:
    """An instance's ``__dict__`` set a field at a time, which CPython keeps as a split dict
    whose keys the class shares; copies of it stay split while only values change."""
    instance = model.__new__(model)
    for name in model.model_fields:
        object.__setattr__(instance, name, None)
    return instance.__dict__


_KINDS = _kinds()


def encode(snapshot: Snapshot) -> Iterator[tuple[str, Any]]:
    """The snapshot as parts of plain values, in the order ``decode`` needs them: each object
    the tuple of its field values in field order (a StrEnum as its letter), each distinct
    column once (``columns``, before the tables that list theirs by number), and the
    dependency edges as they are (marshal writes each shared key tuple once)."""
    for attr in _PLAIN:
        yield attr, getattr(snapshot, attr)
    columns: dict[Column, int] = {}
    number = columns.setdefault
    tables = []
    for table in snapshot.tables:
        row = list(_values(table, _KINDS["tables"]))
        row[_COLUMNS_AT] = tuple([number(c, len(columns)) for c in row[_COLUMNS_AT]])
        tables.append(tuple(row))
    yield "columns", tuple(map(tuple, columns))
    for attr, kind in _KINDS.items():
        if attr == "tables":
            yield attr, tuple(tables)
        else:
            yield attr, tuple([_values(obj, kind) for obj in getattr(snapshot, attr)])
    yield "dependencies", snapshot.dependencies


def _values(obj: Frozen, kind: _Kind) -> tuple[Any, ...]:
    values = [obj.__dict__[name] for name in kind.names]
    for i, _, _ in kind.enums:
        values[i] = values[i].value
    return tuple(values)


def decode(parts: Iterable[tuple[str, Any]]) -> Snapshot:
    """The snapshot ``encode`` wrote, part by part in its order (one record of the file
    each), built as a fresh read builds it (no validation: the file is our own, checked by
    its header; a malformed one raises and the side is read again). Each part is let go once
    its objects are built, so that the file's data and the snapshot are never both whole in
    memory."""
    values: dict[str, Any] = {}
    columns: list[Column] = []
    for name, part in parts:
        if name == "columns":
            columns = list(map(Column._make, part))
        elif name in _KINDS:
            values[name] = _objects(_KINDS[name], part, columns if name == "tables" else None)
        elif name == "dependencies" or name in _PLAIN:
            values[name] = part
    if values.keys() != Snapshot.model_fields.keys():
        raise ValueError("a part of the snapshot is missing")
    return Snapshot.model_construct(**values)


def _objects(
    kind: _Kind, rows: tuple[tuple[Any, ...], ...], columns: list[Column] | None
) -> tuple[Frozen, ...]:
    """The objects of one kind, made as ``Frozen.trusted`` makes them (same ``__dict__``, in
    field order, same shared field set) without its per-call work: every field is given, and
    the schema and table names come back interned (marshal keeps what was interned)."""
    model, names, enums, fields_set, template = kind
    new, set_attribute, copy = object.__new__, object.__setattr__, template.copy
    objects = []
    for row in rows:
        values = copy()
        values.update(zip(names, row, strict=True))
        for _, name, members in enums:
            values[name] = members[values[name]]
        if columns is not None:
            values["columns"] = tuple([columns[i] for i in values["columns"]])
        obj = new(model)
        set_attribute(obj, "__dict__", values)
        set_attribute(obj, "__pydantic_fields_set__", fields_set)
        set_attribute(obj, "__pydantic_extra__", None)
        set_attribute(obj, "__pydantic_private__", None)
        objects.append(obj)
    return tuple(objects)


def _records(file: BinaryIO, end: int, keep: Callable[[], bool]) -> Iterator[tuple[str, Any]]:
    """The parts after the header: each a length, then its ``(name, value)`` marshalled
    (``end``: the file's size; a length past it is a malformed file, not a read of it),
    while ``keep()`` says they are still wanted."""
    while size := file.read(_LENGTH):
        if not keep():
            raise ValueError("no longer wanted")
        length = int.from_bytes(size, "little")
        if len(size) != _LENGTH or file.tell() + length > end:
            raise ValueError("a part runs past the end of the file")
        name, part = marshal.loads(file.read(length))
        yield name, part
