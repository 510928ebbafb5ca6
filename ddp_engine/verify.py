"""The fingerprint of what the diff compares, so that an apply can be verified without the source.

A reviewed plan (ddp_engine.planfile) is applied where the source may not be reachable. It
records the fingerprint of the source *as the diff compared it* (in the target's names, texts
settled); after the apply, the target's fingerprint taken the same way must equal it. The same
way means: the fields diff.diff compares and nothing else, under the plan's options. Owners are
never compared, nor which NOT NULL or index a partition inherited, nor privileges under
``--no-privileges``; columns are compared by name (their order is not compared), NOT NULL
names as a set, and the dependency edges, the server version and the objects ddp does not
model are not compared at all. Renamed ``_dropped_`` objects never reach a snapshot.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import TypeAdapter

from ddp_engine.diff import OBJECT_KINDS, index_objects
from ddp_engine.model import Snapshot, Table, field_names

#: Fields diff.diff leaves out of every comparison (an extension's update_targets: what its
#: server's packages offer, registry.KINDS' not_compared).
NEVER_COMPARED = frozenset(
    {"owner", "not_null_inherited", "cloned_indexes", "cloned_constraints", "update_targets"}
)
#: ... and under ``--no-privileges``.
PRIVILEGE_FIELDS = frozenset({"acl", "column_acls"})

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def compared_fingerprint(snapshot: Snapshot, privileges: bool = True, texts: bool = True) -> str:
    """A hash of what the diff compares in ``snapshot``: two snapshots the diff finds equal
    (under the same ``privileges``) hash the same.

    ``texts=False`` leaves out the printed texts of views and CHECK constraints: the ones a
    server may print differently once it re-creates them from their text (a ``CHECK (col IN
    (...))`` on a varchar column does), which only a shadow server can settle
    (crossversion.settle_texts) and the source is not at hand when a plan file is applied.
    """
    ignore = NEVER_COMPARED if privileges else NEVER_COMPARED | PRIVILEGE_FIELDS
    digest = hashlib.sha256()
    for attr in OBJECT_KINDS:
        digest.update(f"\x00{attr}\x00".encode())
        for key, obj in sorted(index_objects(getattr(snapshot, attr)).items()):
            fields = _compared(obj, ignore)
            if not texts and (attr == "views" or fields.get("constraint_type") == "c"):
                fields.pop("definition")
            digest.update(_JSON.dump_json([key, fields]))
    return digest.hexdigest()


def _compared(obj: Any, ignore: frozenset[str]) -> dict[str, Any]:
    """The fields of ``obj`` the diff compares, in a form that does not depend on order where
    the diff does not."""
    out = {name: getattr(obj, name) for name in field_names(obj) if name not in ignore}
    if isinstance(obj, Table):  # its columns: compared one by one, by name
        out["columns"] = sorted((_compared(c, ignore) for c in obj.columns), key=_by_name)
    if "not_null_names" in out:
        out["not_null_names"] = sorted(out["not_null_names"])
    if "valid" in out:  # a broken index in the source is not copied; the diff skips it there
        out.pop("valid")
    return out


def _by_name(column: dict[str, Any]) -> str:
    return str(column["name"])
