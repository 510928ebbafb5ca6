"""Extension versions the target's server can have: the plan asks for no other.

Two servers rarely ship the same extension versions (PostgreSQL 18's citext is 1.8, 15's is
1.6), and a server cannot install a version it has no script for, nor go back to an older one
(extensions ship no downgrade scripts). ``CREATE EXTENSION ... VERSION`` or ``ALTER EXTENSION
... UPDATE TO`` such a version fails the whole script, so the source's version is replaced, before
the diff, by what the target can have (a warning says so): an installed extension stays at its
version, a missing one is created at the target server's default version. The objects an
extension version makes are the server's business, not the plan's.
"""

from __future__ import annotations

from typing import NamedTuple

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.model import Extension, Snapshot
from ddp_engine.settings import ConnectionSettings

#: The target server's packages of some extensions: name -> (default version, installable).
Installable = dict[str, tuple[str, tuple[str, ...]]]

_INSTALLABLE = """
SELECT a.name, a.default_version,
       ARRAY(SELECT v.version FROM pg_catalog.pg_available_extension_versions v
             WHERE v.name OPERATOR(pg_catalog.=) a.name)
FROM pg_catalog.pg_available_extensions a
WHERE a.name OPERATOR(pg_catalog.=) ANY (%s)
"""


def installable(
    settings: ConnectionSettings, names: list[str], limits: SessionLimits
) -> Installable:
    """The versions of extensions ``names`` the target's server can install (one short
    read-only session; the server reads its extension folder, nothing of the database)."""
    with connect(settings, "target", limits) as conn:
        conn.read_only = True
        rows = conn.execute(_INSTALLABLE, (names,)).fetchall()
        conn.rollback()
    return {name: (default, tuple(versions)) for name, default, versions in rows}


class Reachable(NamedTuple):
    """The source with versions the target can have, and a warning per version replaced."""

    source: Snapshot
    warnings: list[str]


def missing_extensions(source: Snapshot, target: Snapshot) -> list[str]:
    """Names of the source's extensions the target does not have installed."""
    there = {e.name for e in target.extensions}
    return sorted(e.name for e in source.extensions if e.name not in there)


def reachable_versions(
    source: Snapshot, target: Snapshot, packages: Installable | None = None
) -> Reachable:
    """The source whose extension versions the target's server can reach (module doc):
    ``packages`` are the target server's installable versions of the source's missing
    extensions (None: not known, left as they are)."""
    targets = {e.name: e for e in target.extensions}
    replaced: dict[str, tuple[str, str]] = {}  # name -> (version kept, why)
    for e in source.extensions:
        there = targets.get(e.name)
        if there is not None:
            reachable = there.update_targets
            if reachable is not None and e.version not in (there.version, *reachable):
                replaced[e.name] = (there.version, "stays at")
        elif packages is not None and e.name in packages:
            default, versions = packages[e.name]
            if e.version not in versions:
                replaced[e.name] = (default, "is created at")
    if not replaced:
        return Reachable(source, [])
    wanted = {e.name: e.version for e in source.extensions}
    warnings = [
        f"extension {name} {how} version {version}: the target's server cannot have the "
        f"source's version {wanted[name]}"
        for name, (version, how) in sorted(replaced.items())
    ]
    extensions = tuple(_at(e, replaced) for e in source.extensions)
    return Reachable(source.model_copy(update={"extensions": extensions}), warnings)


def _at(extension: Extension, replaced: dict[str, tuple[str, str]]) -> Extension:
    if extension.name not in replaced:
        return extension
    return extension.model_copy(update={"version": replaced[extension.name][0]})
