"""Reading one side for an asset: the snapshot (the cached one while the side's catalog epoch
has not moved), whether it came from the cache, and what the UI shows of it.

The engine keeps one cache file per side (``ddp_engine.cache``) and rewrites it after every
read it could not answer from the file; so a read that left the file as it was is a read
answered by the cache (``read_from_cache`` in the metadata).

The tables' columns are shown as Dagster table schemas (``TableSchema``, rendered as a table
in the UI): one metadata entry per table (``columns <schema>.<table>``), and all of them as
the asset's column schema (``dagster/column_schema``, ``schema.table.column``), for the first
:data:`MAX_TABLES` tables: a catalog of thousands of tables would make every materialisation's
metadata as big as the catalog. Per-table assets would put thousands of assets in the graph
for the same reason, and the tables are only known once a run has read them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from ddp_engine.cache import SnapshotCache
from ddp_engine.model import Snapshot, Table
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, snapshot

#: Tables whose columns are shown in a snapshot's metadata.
MAX_TABLES = 100
#: Where Dagster's UI looks for an asset's columns.
COLUMN_SCHEMA = "dagster/column_schema"


@dataclass(frozen=True)
class SideSnapshot:
    """One side as an asset read it."""

    snapshot: Snapshot
    seconds: float
    from_cache: bool
    fingerprint: str


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    """What changes when the cache file is written again (a new file, renamed into place)."""
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def read_side(settings: ConnectionSettings, side: str, options: SyncOptions) -> SideSnapshot:
    """Read ``side`` as ``ddp sync`` does, through the cache when the options name one."""
    folder = options.cache_dir if side not in options.uncached else None
    path = SnapshotCache(folder, settings, options.all_schemas).path if folder else None
    before = _stamp(path)
    read, seconds = snapshot(settings, side, options)
    from_cache = before is not None and _stamp(path) == before
    return SideSnapshot(read, seconds, from_cache, read.fingerprint())


def columns(table: Table, prefix: str = "") -> list[dg.TableColumn]:
    """A table's columns as Dagster shows them (type, NOT NULL, comment), named
    ``prefix + name``."""
    return [
        dg.TableColumn(
            name=prefix + c.name,
            type=c.data_type,
            description=c.comment,
            constraints=dg.TableColumnConstraints(nullable=not c.not_null),
        )
        for c in table.columns
    ]


def tables_metadata(read: Snapshot) -> dict[str, Any]:
    """The first MAX_TABLES tables' columns: each table's own table schema, and all of them
    as the asset's column schema (``dagster/column_schema``, the UI's Columns), each column
    named ``schema.table.column``."""
    tables = sorted(read.tables, key=lambda t: (t.schema_name, t.name))
    shown = tables[:MAX_TABLES]
    out: dict[str, Any] = {"tables": len(tables)}
    if len(shown) < len(tables):
        out["tables_shown"] = f"the columns of the first {len(shown)} of {len(tables)} tables"
    out[COLUMN_SCHEMA] = dg.TableSchema(
        columns=[c for t in shown for c in columns(t, f"{t.schema_name}.{t.name}.")]
    )
    for t in shown:
        out[f"columns {t.schema_name}.{t.name}"] = dg.TableSchema(columns=columns(t))
    return out


def side_metadata(read: SideSnapshot, where: str) -> dict[str, Any]:
    """A snapshot asset's metadata: where, what, how fast, from the cache or not."""
    counts = read.snapshot.counts()
    return {
        "where": where,
        "objects": sum(counts.values()),
        "objects_by_kind": dg.MetadataValue.json(counts),
        "introspection_seconds": round(read.seconds, 3),
        "read_from_cache": read.from_cache,
        "server_version": read.snapshot.server_version,
        "fingerprint": read.fingerprint,
        **tables_metadata(read.snapshot),
    }
