"""Hazards: what a step risks, under a stable code that scripts, CI tools and people can rely on.

One table, ``KINDS``, says what each code means and whether it blocks: an apply (``ddp sync
--apply``, the Dagster apply) refuses a plan holding a blocking code the user did not allow
(``--allow-hazards CODE``), before any statement runs. Blocking codes are the ones where values
change or go missing, or where the plan was checked on another major version than the
target's; the others say what a step costs (locks, rewrites, scans) or keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from ddp_engine.errors import BadInput


class HazardCode(StrEnum):
    """The stable codes (their values are what scripts, JSON and ``--allow-hazards`` show)."""

    VALUES_CHANGE = "values_change"
    VALUES_FAIL = "values_fail"
    DATA_NOT_CARRIED = "data_not_carried"
    KEPT_AS_TOMBSTONE = "kept_as_tombstone"
    REWRITES_TABLE = "rewrites_table"
    ACCESS_EXCLUSIVE_LOCK = "access_exclusive_lock"
    BLOCKS_WRITES = "blocks_writes"
    SCANS_TABLE = "scans_table"
    MAY_FAIL_ON_DATA = "may_fail_on_data"
    DROPS_BEHAVIOUR = "drops_behaviour"
    CHANGES_PRIVILEGES = "changes_privileges"
    RESTARTS_IDENTITY = "restarts_identity"
    BODY_NAMES_SOURCE_SCHEMA = "body_names_source_schema"
    TEXT_NOT_SETTLED = "text_not_settled"
    SHADOW_VERSION_DIFFERS = "shadow_version_differs"
    NOT_SYNCHRONISED = "not_synchronised"
    POSSIBLE_RENAME = "possible_rename"


class HazardKind(NamedTuple):
    """What a code means, and whether an apply needs consent for it."""

    meaning: str
    blocking: bool


KINDS: dict[HazardCode, HazardKind] = {
    HazardCode.VALUES_CHANGE: HazardKind(
        "existing values would change on conversion (rounded, truncated, times dropped...)",
        True,
    ),
    HazardCode.VALUES_FAIL: HazardKind(
        "existing values would not convert: the step would fail on them", True
    ),
    HazardCode.DATA_NOT_CARRIED: HazardKind(
        "data is not carried over: an object is re-created empty or recomputed", True
    ),
    HazardCode.KEPT_AS_TOMBSTONE: HazardKind(
        "data kept under a renamed object: drop it in the cleanup part after verifying", False
    ),
    HazardCode.REWRITES_TABLE: HazardKind("rewrites the table", False),
    HazardCode.ACCESS_EXCLUSIVE_LOCK: HazardKind("takes an ACCESS EXCLUSIVE lock", False),
    HazardCode.BLOCKS_WRITES: HazardKind("takes a SHARE lock: blocks writes while it runs", False),
    HazardCode.SCANS_TABLE: HazardKind("scans the table to validate", False),
    HazardCode.MAY_FAIL_ON_DATA: HazardKind("may fail on existing data", False),
    HazardCode.DROPS_BEHAVIOUR: HazardKind(
        "drops behaviour (a function, trigger, policy...)", False
    ),
    HazardCode.CHANGES_PRIVILEGES: HazardKind("changes privileges", False),
    HazardCode.RESTARTS_IDENTITY: HazardKind("restarts an identity's or sequence's counter", False),
    HazardCode.BODY_NAMES_SOURCE_SCHEMA: HazardKind(
        "a function body names the source schema: copied as it is", False
    ),
    HazardCode.TEXT_NOT_SETTLED: HazardKind(
        "the target may print this text differently: not settled on a shadow server", False
    ),
    # Blocking: the plan was checked by a server other than the one it will run on, so an
    # apply could stop midway on what the target lacks (the online part runs after COMMIT).
    HazardCode.SHADOW_VERSION_DIFFERS: HazardKind(
        "the SQL files were loaded on a PostgreSQL major version other than the target's", True
    ),
    HazardCode.NOT_SYNCHRONISED: HazardKind(
        "an object of a kind DDP does not synchronise differs: change it by hand", True
    ),
    HazardCode.POSSIBLE_RENAME: HazardKind(
        "looks like a rename: planned as a drop and a create, the data stays behind", True
    ),
}

CODES: tuple[HazardCode, ...] = tuple(HazardCode)
BLOCKING: frozenset[HazardCode] = frozenset(c for c, k in KINDS.items() if k.blocking)


class Hazard(BaseModel):
    """One hazard of one step: a stable code and a message for people."""

    model_config = ConfigDict(frozen=True)

    code: HazardCode
    message: str

    @property
    def blocking(self) -> bool:
        return self.code in BLOCKING

    def line(self) -> str:
        """``<code>: <message>``, as the script's comment and the summary show it."""
        return f"{self.code}: {self.message}"


def hazard(code: HazardCode, message: str | None = None) -> Hazard:
    """A hazard with the code's own meaning as the message unless one is given."""
    return Hazard(code=code, message=message if message is not None else KINDS[code].meaning)


def parse_allowed(values: Iterable[str]) -> frozenset[HazardCode]:
    """``["values_change,values_fail", "data_not_carried"]`` → the codes; an unknown code is a
    usage error naming the valid ones."""
    allowed: set[HazardCode] = set()
    for value in values:
        for part in value.split(","):
            code = part.strip()
            if not code:
                continue
            if code not in CODES:
                raise BadInput(
                    f"unknown hazard code {code!r} in --allow-hazards (allow_hazards in Dagster); "
                    "valid codes: " + ", ".join(CODES)
                )
            allowed.add(HazardCode(code))
    return frozenset(allowed)


def refused(codes: Iterable[HazardCode], allowed: frozenset[HazardCode]) -> list[HazardCode]:
    """The blocking codes among ``codes`` that ``allowed`` does not let through, sorted."""
    return sorted({c for c in codes if c in BLOCKING and c not in allowed})


LOCK = hazard(HazardCode.ACCESS_EXCLUSIVE_LOCK)
REWRITE = hazard(HazardCode.REWRITES_TABLE)
SCAN = hazard(HazardCode.SCANS_TABLE)
MAY_FAIL = hazard(HazardCode.MAY_FAIL_ON_DATA)
BEHAVIOUR = hazard(HazardCode.DROPS_BEHAVIOUR)
PRIVILEGES = hazard(HazardCode.CHANGES_PRIVILEGES)
KEPT = hazard(HazardCode.KEPT_AS_TOMBSTONE)
BLOCKS_WRITES = hazard(HazardCode.BLOCKS_WRITES)
