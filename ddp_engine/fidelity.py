"""Whether the server that read the SQL files is the one the script will run on.

A side given as SQL files (``--source-sql`` / ``--target-sql``) is loaded into a throwaway
database and read like a live one (ddp_engine.sources). The server it is loaded on decides what
the files may use: PostgreSQL 18 accepts ``GENERATED ALWAYS AS (...)`` without ``STORED`` (a
virtual column), 15 refuses it. Files loaded on another major version than the target's plan
fine and fail on the target, so the plan says where they were loaded, and carries the blocking
hazard ``shadow_version_differs`` when that was not the target's major version.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ddp_engine.hazards import HazardCode, hazard
from ddp_engine.plan_model import Plan

#: How a side's SQL files are named in the notes.
_WHOSE = {"source": "the source's", "target": "the target's"}


class LoadedOn(BaseModel):
    """Where the SQL-file sides of a sync were loaded, and what the target runs."""

    model_config = ConfigDict(frozen=True)

    #: "source", "target" or both: the sides given as SQL files.
    sides: tuple[str, ...]
    #: The major version of the server they were loaded on.
    major: int
    #: That server, for people: "the embedded PostgreSQL", a folder of binaries, the
    #: ``--shadow-url`` server.
    where: str
    #: The target's major version: its server's (a live target) or ``--target-version``;
    #: None when neither says it (the target is SQL files and no version was given).
    target_major: int | None = None


def files_of(sides: tuple[str, ...]) -> str:
    """``the source's SQL files``, ``the source's and the target's SQL files``."""
    return " and ".join(_WHOSE[side] for side in sides) + " SQL files"


def noted(plan: Plan, loaded: LoadedOn | None) -> Plan:
    """The plan with a note saying where the SQL files were loaded, and the hazard
    ``shadow_version_differs`` when that server's major version is not the target's."""
    if loaded is None:
        return plan
    files = files_of(loaded.sides)
    notes = [f"{files} were loaded on PostgreSQL {loaded.major} ({loaded.where})"]
    hazards = []
    wanted = loaded.target_major
    if wanted is None:
        notes.append(
            "the target's PostgreSQL version is not known: give --target-version N to load the "
            "SQL files on a server of the version the script will run on"
        )
    elif wanted != loaded.major:
        hazards.append(
            hazard(
                HazardCode.SHADOW_VERSION_DIFFERS,
                f"{files} were loaded on PostgreSQL {loaded.major}, the target runs "
                f"{wanted}: the script may use what {wanted} lacks. Give --shadow-url of a "
                f"PostgreSQL {wanted} server, or the folder of its binaries in "
                "DDP_SHADOW_BIN_DIRS",
            )
        )
    return plan.model_copy(
        update={"notes": (*plan.notes, *notes), "plan_hazards": (*plan.plan_hazards, *hazards)}
    )
