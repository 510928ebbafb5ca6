"""Errors typed by cause, each worded for the face that shows it.

An error holds the *reason* (one line, no prefix, no traceback, no DSN, no password). The face
that shows it (the ``ddp`` command, the demo, Dagster) adds its own prefix and, where the
remedy differs between faces, its own advice: a ``ddp sync`` user makes a fresh plan by
running ``ddp sync`` again, a Dagster user by materialising the pair's assets again. The CLI's
exit code is the type's: 64 for bad input, 1 for the rest (2 stays "drift" under
``--exit-code``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Face(NamedTuple):
    """How one front end words an error: its prefix and the remedies that differ by face."""

    #: ``DDP SYNC failed``: what the line starts with.
    prefix: str
    #: How a person makes a fresh plan (after the target changed, or to finish an apply).
    replan: str
    #: How a person lets blocking hazard codes through; ``{codes}`` is ``a,b``.
    allow: str
    #: How a person sees what still differs between source and target.
    show_diff: str = "run ddp sync --dry-run"
    #: How a person makes a fresh plan file (after one was edited by hand).
    fresh_plan_file: str = "make a fresh one with ddp plan"


#: The ``ddp sync`` command's words (also the default of :attr:`DdpError.message`).
COMMAND = Face(
    prefix="DDP SYNC failed", replan="run ddp sync again", allow="--allow-hazards {codes}"
)

#: What modules still write in front of a reason themselves; taken off, so that every face
#: puts its own prefix in front.
_COMMAND_PREFIX = COMMAND.prefix + ": "


class DdpError(Exception):
    """An error whose reason is fit to show a person as one line."""

    #: The process exit code the CLI ends with.
    exit_code = 1

    def __init__(self, reason: str) -> None:
        self.reason = " ".join(reason.split()).removeprefix(_COMMAND_PREFIX)
        super().__init__(self.line())

    def advice(self, face: Face) -> str:
        """What to do next, in the face's words ("" when the reason says it all)."""
        return ""

    def line(self, face: Face = COMMAND) -> str:
        """The whole line ``face`` shows."""
        return f"{face.prefix}: {self.reason}{self.advice(face)}"

    @property
    def message(self) -> str:
        """The line as the ``ddp`` command shows it."""
        return self.line()


class BadInput(DdpError):
    """The way ddp was called is wrong: a flag, a setting from the environment or ``.env``, a
    file named on the command line. Exit code 64 (EX_USAGE), never 2, which ``--exit-code``
    keeps for drift: a CI gate must not read a typo as "the schemas differ"."""

    exit_code = 64


class SeedWording(BadInput):
    """A usage error in the seed's own words (``Error: ...``), shown as it is on every face."""

    def line(self, face: Face = COMMAND) -> str:
        return self.reason


class CredentialsMissing(SeedWording):
    """Database or user missing for one side."""


class ConnectionFailed(DdpError):
    """A side's server could not be reached or refused the login."""

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        #: The cause may pass by itself (refused, timed out, the server starting up or out of
        #: connection slots), unlike a wrong password or database name: worth a retry later.
        self.transient = transient
        super().__init__(reason)


class SourceSqlFailed(DdpError):
    """A side given as SQL files did not load (the file, the line, the server's message)."""


class PlanRefused(DdpError):
    """The plan holds blocking hazard codes the person did not allow; nothing was applied."""

    def __init__(self, codes: Sequence[str], when: str = "") -> None:
        self.codes = list(codes)
        super().__init__(
            f"the plan has blocking hazard(s) {', '.join(codes)}{when}; nothing was applied"
        )

    def advice(self, face: Face) -> str:
        allow = face.allow.format(codes=",".join(self.codes))
        return f" (review the script, then allow them with {allow})"


class StepsWouldFail(DdpError):
    """The plan's data checks counted rows on which a step fails (a NOT NULL over NULLs, a
    new key over duplicates): the apply would only end in an error, so it does not start."""

    def __init__(self, note: str, finding: str, more: int) -> None:
        others = f" (and {more} more step(s))" if more else ""
        super().__init__(
            f"the plan would fail on the target's rows, nothing was applied: {note}: "
            f"{finding}{others}"
        )

    def advice(self, face: Face) -> str:
        return f"; change those rows or the source, then {face.replan}"


class PlanEdited(BadInput):
    """A plan file's content no longer matches its digest: it was edited after it was made."""

    def advice(self, face: Face) -> str:
        return f"; a plan is applied only as reviewed: {face.fresh_plan_file}"


class TargetChanged(DdpError):
    """The target is no longer what the plan was made from; nothing was applied."""

    def advice(self, face: Face) -> str:
        return f"; {face.replan} to make a fresh plan"


class ApplyFailed(DdpError):
    """Applying the script failed: the reason says what was changed (nothing, or the main part
    when an online statement failed)."""

    def __init__(self, reason: str, *, finish: bool = False, differs: bool = False) -> None:
        #: True when the main part was applied and a fresh plan would finish the rest.
        self.finish = finish
        #: True when the target, read after the apply, still differs from the source.
        self.differs = differs
        super().__init__(reason)

    def advice(self, face: Face) -> str:
        if self.differs:
            return f"; {face.show_diff} to see what differs"
        return f" ({face.replan} to finish)" if self.finish else ""
