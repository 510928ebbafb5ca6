"""One exception type for everything a person must act on.

The CLI and the Dagster assets print ``DdpError.message`` as one line; nothing else
leaks (no traceback, no DSN, no password).
"""

from __future__ import annotations


class DdpError(Exception):
    """An error whose message is fit to show a person as one line."""

    #: The process exit code the CLI ends with.
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())


class BadInput(DdpError):
    """The way ddp was called is wrong: a flag, a setting from the environment or ``.env``, a
    file named on the command line. Exit code 64 (EX_USAGE), never 2, which ``--exit-code``
    keeps for drift: a CI gate must not read a typo as "the schemas differ"."""

    exit_code = 64


class CredentialsMissing(BadInput):
    """Database or user missing for one side (the seed's own message)."""
