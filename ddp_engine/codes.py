"""The catalog's one-letter codes, named.

The models (model.py) type their fields with these StrEnums; ``trusted`` building turns the
letters a catalog query read into the members, as validation does. A member compares and
hashes like its letter and serialises to it, so scripts, JSON and fingerprints are unchanged.
"""

from __future__ import annotations

from enum import StrEnum


class ConstraintType(StrEnum):
    """pg_constraint.contype."""

    PRIMARY_KEY = "p"
    UNIQUE = "u"
    CHECK = "c"
    FOREIGN_KEY = "f"
    EXCLUSION = "x"


#: Constraints backed by an index, whose name is the index's (a name they claim and free).
INDEX_BACKED = (ConstraintType.PRIMARY_KEY, ConstraintType.UNIQUE, ConstraintType.EXCLUSION)


class FunctionKind(StrEnum):
    """pg_proc.prokind."""

    FUNCTION = "f"
    PROCEDURE = "p"
    AGGREGATE = "a"
    WINDOW = "w"


class TypeKind(StrEnum):
    """pg_type.typtype of the user types DDP reads."""

    ENUM = "e"
    DOMAIN = "d"
    COMPOSITE = "c"
    RANGE = "r"


class ReplicaIdentity(StrEnum):
    """pg_class.relreplident."""

    DEFAULT = "d"
    FULL = "f"
    NOTHING = "n"
    INDEX = "i"


class TriggerState(StrEnum):
    """pg_trigger.tgenabled."""

    ORIGIN = "O"  # enabled (the default)
    DISABLED = "D"
    REPLICA = "R"
    ALWAYS = "A"


__all__ = [
    "INDEX_BACKED",
    "ConstraintType",
    "FunctionKind",
    "ReplicaIdentity",
    "TriggerState",
    "TypeKind",
]
