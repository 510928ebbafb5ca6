"""Hazards: what a step risks, under a stable code that scripts, CI tools and people can rely on.

One table, ``KINDS``, says what each code means and whether it blocks: an apply (``ddp sync
--apply``, the Dagster apply) refuses a plan holding a blocking code the user did not allow
(``--allow-hazards CODE``), before any statement runs. Blocking codes are the ones where values
change or go missing; the others say what a step costs (locks, rewrites, scans) or keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple, get_args

from pydantic import BaseModel, ConfigDict

from ddp_engine.errors import BadInput

HazardCode = Literal[
    "values_change",
    "values_fail",
    "data_not_carried",
    "kept_as_tombstone",
    "rewrites_table",
    "access_exclusive_lock",
    "blocks_writes",
    "scans_table",
    "may_fail_on_data",
    "drops_behaviour",
    "changes_privileges",
    "restarts_identity",
    "body_names_source_schema",
    "text_not_settled",
]


class HazardKind(NamedTuple):
    """What a code means, and whether an apply needs consent for it."""

    meaning: str
    blocking: bool


KINDS: dict[HazardCode, HazardKind] = {
    "values_change": HazardKind(
        "existing values would change on conversion (rounded, truncated, times dropped...)",
        True,
    ),
    "values_fail": HazardKind(
        "existing values would not convert: the step would fail on them", True
    ),
    "data_not_carried": HazardKind(
        "data is not carried over: an object is re-created empty or recomputed", True
    ),
    "kept_as_tombstone": HazardKind(
        "data kept under a renamed object: drop it in the cleanup part after verifying", False
    ),
    "rewrites_table": HazardKind("rewrites the table", False),
    "access_exclusive_lock": HazardKind("takes an ACCESS EXCLUSIVE lock", False),
    "blocks_writes": HazardKind("takes a SHARE lock: blocks writes while it runs", False),
    "scans_table": HazardKind("scans the table to validate", False),
    "may_fail_on_data": HazardKind("may fail on existing data", False),
    "drops_behaviour": HazardKind("drops behaviour (a function, trigger, policy...)", False),
    "changes_privileges": HazardKind("changes privileges", False),
    "restarts_identity": HazardKind("restarts an identity's or sequence's counter", False),
    "body_names_source_schema": HazardKind(
        "a function body names the source schema: copied as it is", False
    ),
    "text_not_settled": HazardKind(
        "the target may print this text differently: not settled on a shadow server", False
    ),
}

CODES: tuple[HazardCode, ...] = get_args(HazardCode)
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
            if code not in KINDS:
                raise BadInput(
                    f"unknown hazard code {code!r} in --allow-hazards (allow_hazards in Dagster); "
                    "valid codes: " + ", ".join(CODES)
                )
            allowed.add(code)  # type: ignore[arg-type]
    return frozenset(allowed)


def refused(codes: Iterable[HazardCode], allowed: frozenset[HazardCode]) -> list[HazardCode]:
    """The blocking codes among ``codes`` that ``allowed`` does not let through, sorted."""
    return sorted({c for c in codes if c in BLOCKING and c not in allowed})


LOCK = hazard("access_exclusive_lock")
REWRITE = hazard("rewrites_table")
SCAN = hazard("scans_table")
MAY_FAIL = hazard("may_fail_on_data")
BEHAVIOUR = hazard("drops_behaviour")
PRIVILEGES = hazard("changes_privileges")
KEPT = hazard("kept_as_tombstone")
BLOCKS_WRITES = hazard("blocks_writes")
