"""One exception type for everything a person must act on.

The CLI and the Dagster assets print ``DdpError.message`` as one line; nothing else
leaks (no traceback, no DSN, no password).
"""

from __future__ import annotations


class DdpError(Exception):
    """An error whose message is fit to show a person as one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())


class CredentialsMissing(DdpError):
    """Database or user missing for one side (the seed's own message)."""
