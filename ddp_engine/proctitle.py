"""Passwords given as flags, hidden from the process title.

``--source-password`` / ``--target-password`` are part of the command line, which every user of
the machine can read (``ps``, ``/proc/<pid>/cmdline``) for as long as ddp runs: a sync waiting on
a lock or reading a big catalog shows them for minutes. At start-up ddp rewrites its title
(``setproctitle`` overwrites the memory the kernel shows) with the values replaced. The
interpreter's own start-up, before ddp's first line runs, still shows them: the README says to
pass passwords through ``PGPASSWORD``, ``.pgpass`` or ``*_DB_PASSWORD`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

SECRET_FLAGS = ("--source-password", "--target-password")
HIDDEN = "***"


def masked(argv: Sequence[str]) -> list[str] | None:
    """``argv`` with the value of every password flag replaced, or None when none is given."""
    out: list[str] = []
    hide_next = found = False
    for arg in argv:
        if hide_next:
            out.append(HIDDEN)
            hide_next = False
            continue
        flag, equals, _ = arg.partition("=")
        if flag in SECRET_FLAGS:
            found = True
            if equals:
                out.append(f"{flag}={HIDDEN}")
                continue
            hide_next = True
        out.append(arg)
    return out if found else None


def hide_passwords(argv: Sequence[str]) -> None:
    """Rewrite the process title when ``argv`` holds a password flag (else nothing to do)."""
    title = masked(argv)
    if title is None:
        return
    from setproctitle import setproctitle  # only when needed: most runs pass no password flag

    setproctitle(" ".join(title))
