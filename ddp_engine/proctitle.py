"""Passwords given as flags, hidden from the process title.

``--source-password`` / ``--target-password``, and a password inside the URL or ``key=value``
string of ``--source`` / ``--target`` / ``--shadow-url``, are part of the command line, which
every user of the machine can read (``ps``, ``/proc/<pid>/cmdline``) for as long as ddp runs:
a sync waiting on a lock or reading a big catalog shows them for minutes. At start-up ddp
rewrites its title (``setproctitle`` overwrites the memory the kernel shows) with the values
replaced. The interpreter's own start-up, before ddp's first line runs, still shows them: the
README says to pass passwords through ``PGPASSWORD``, ``.pgpass`` or ``*_DB_PASSWORD`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SECRET_FLAGS = ("--source-password", "--target-password")
#: Flags whose value is a libpq URL or ``key=value`` string that may hold a password.
URL_FLAGS = ("--source", "--target", "--shadow-url")
HIDDEN = "***"

#: The password of a URL's user info (``//user:password@``), of a ``password=`` key (a
#: ``key=value`` string or a URL's query), quoted or not.
_URL_SECRETS = (
    re.compile(r"(//[^/?#@:]*:)[^/?#@]*(@)"),
    re.compile(r"(\bpassword\s*=\s*)'(?:[^'\\]|\\.)*'()", re.I),
    re.compile(r"(\bpassword\s*=\s*)[^\s&']+()", re.I),
)


def without_password(url: str) -> str:
    """A libpq URL or ``key=value`` string with any password in it replaced."""
    for pattern in _URL_SECRETS:
        url = pattern.sub(lambda m: f"{m.group(1)}{HIDDEN}{m.group(2)}", url)
    return url


def masked(argv: Sequence[str]) -> list[str] | None:
    """``argv`` with the value of every password flag replaced, and the password inside every
    URL flag's value, or None when there is nothing to hide."""
    out: list[str] = []
    hide_next: str | None = None
    found = False
    for arg in argv:
        if hide_next is not None:
            hidden = HIDDEN if hide_next in SECRET_FLAGS else without_password(arg)
            found = found or hidden != arg
            out.append(hidden)
            hide_next = None
            continue
        flag, equals, value = arg.partition("=")
        if flag in SECRET_FLAGS or flag in URL_FLAGS:
            if not equals:
                hide_next = flag
                out.append(arg)
                continue
            hidden = HIDDEN if flag in SECRET_FLAGS else without_password(value)
            found = found or hidden != value
            out.append(f"{flag}={hidden}")
            continue
        out.append(arg)
    return out if found else None


def hide_passwords(argv: Sequence[str]) -> None:
    """Rewrite the process title when ``argv`` holds a password flag (else nothing to do)."""
    title = masked(argv)
    if title is None:
        return
    from setproctitle import setproctitle  # only when needed: most runs pass no password flag

    setproctitle(" ".join(title))
