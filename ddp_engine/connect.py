"""The one way ddp opens a session, and libpq's failures as one line a person can act on.

Every session ddp opens on a server, for either side, for reading, data checks, apply, the
shadow, the demo or Dagster's own storage, goes through :func:`connect`: the settings every
session needs (the empty ``search_path``, the timeouts, how values print) are written once,
in :func:`session_options`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import psycopg

from ddp_engine.errors import BadInput, ConnectionFailed
from ddp_engine.proctitle import without_password
from ddp_engine.settings import ConnectionSettings

#: What a connection error says when its cause may pass by itself (the server down or
#: restarting, the network, no connection slot free): schedulers may try again later.
_TRANSIENT = re.compile(
    r"Connection refused|timeout expired|timed out|Connection reset|No route to host"
    r"|Network is unreachable|server closed the connection unexpectedly|too many clients"
    r"|the database system is (?:starting up|shutting down|in recovery mode)"
    r"|remaining connection slots are reserved",
    re.I,
)

_HINTS = [
    (
        re.compile(r"password authentication failed|no password supplied", re.I),
        "authentication failed for user {user}: check the {side} password "
        "(flag, env, .env or .pgpass)",
    ),
    (
        re.compile(r"Connection refused", re.I),
        "connection refused at {address}: is PostgreSQL running there? "
        "check the {side} host and port",
    ),
    (
        re.compile(
            r"could not translate host name|Name or service not known|nodename nor servname", re.I
        ),
        "unknown host {host}: check the {side} host name",
    ),
    (
        re.compile(r"timeout expired|timed out", re.I),
        "connection to {address} timed out: check the {side} host, port and firewall",
    ),
    (
        re.compile(r"database \".*\" does not exist", re.I),
        "database {database} does not exist on {address}: check the {side} database name",
    ),
    (
        re.compile(r"role \".*\" does not exist", re.I),
        "role {user} does not exist on {address}: check the {side} username",
    ),
    (
        re.compile(r"server does not support SSL|SSL .*required|no pg_hba.conf entry.*SSL", re.I),
        "SSL negotiation failed at {address}: check the {side} sslmode",
    ),
    (
        re.compile(r"no pg_hba.conf entry", re.I),
        "the server at {address} does not accept user {user} for database {database} (pg_hba.conf)",
    ),
]


def describe_connection_error(exc: BaseException, settings: ConnectionSettings, side: str) -> str:
    """One line for a failed connection (the reason, without a prefix), never the password."""
    text = " ".join(str(exc).split())
    values = {
        "side": side,
        "address": settings.address(),
        "host": settings.host or settings.address(),
        "user": settings.user,
        "database": settings.database,
    }
    for pattern, message in _HINTS:
        if pattern.search(text):
            # the names shown may spell the password too (a user named like it): scrub them
            return scrub(message.format(**values), settings)
    return scrub(f"cannot connect to the {side} database: {text}", settings)


def scrub(text: str, settings: ConnectionSettings) -> str:
    """Remove the password from a server or driver message, whatever quoted it, and any
    password a URL in it carries (a connection URL given where a host or database name
    belongs comes back in the message)."""
    if settings.password is not None:
        secret = settings.password.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return without_password(text)


#: A PostgreSQL interval as the timeout settings take it: ``10s``, ``500ms``, ``5min``, ``0``.
_INTERVAL = re.compile(r"^\d+(?:\.\d+)?\s?(?:us|ms|s|min|h|d)?$")


def duration(value: str, what: str) -> str:
    """``value`` when it is a timeout PostgreSQL takes (it goes into a session's options and
    a script's ``SET``), else a :class:`BadInput` naming ``what`` was given."""
    if not _INTERVAL.match(value):
        raise BadInput(f"{what} must be a duration such as 10s, 500ms or 5min (got {value!r})")
    return value


class SessionLimits(NamedTuple):
    """How long a session of ddp may wait for a lock and run one statement.

    Both are set when the session starts, so that no read, data check or apply of ddp can wait
    forever behind a lock another session holds (the deparse functions lock each relation they
    are given). A script's own ``SET`` statements override them for what the script runs.
    """

    lock_timeout: str = "10s"
    statement_timeout: str = "300s"


def session_options(limits: SessionLimits) -> str:
    """libpq's ``options`` for every session ddp opens.

    ``search_path`` is empty (pg_dump's discipline): pg_catalog alone is searched, implicitly,
    so no function, operator, type or view planted in a schema another role can write to can be
    picked up by ddp's own SQL, which runs with the rights of an owner or superuser; deparsed
    text comes out with every user object qualified. Values print the same on every server
    and every session, so that a text read on one side means the same value on the other.
    """
    duration(limits.lock_timeout, "the lock timeout")
    duration(limits.statement_timeout, "the read timeout")
    return (
        "-c search_path= "
        # how values print, whatever the role or database sets (pg_dump's settings): a date
        # printed under DMY and read back under MDY is another date, a float printed with
        # fewer digits another number
        "-c DateStyle=ISO,MDY -c IntervalStyle=postgres -c extra_float_digits=3 "
        # a script or query is parsed whole before its first SET runs: with the database's
        # standard_conforming_strings off, 'C:\new' would hold a newline
        "-c standard_conforming_strings=on "
        f"-c lock_timeout={limits.lock_timeout.replace(' ', '')} "
        f"-c statement_timeout={limits.statement_timeout.replace(' ', '')}"
    )


def connect(
    settings: ConnectionSettings, side: str, limits: SessionLimits | None = None
) -> psycopg.Connection:
    """Open a session for ``side`` ("source", "target", "shadow", ...) with ddp's session
    settings (see ``session_options``), or raise :class:`ConnectionFailed`.

    Every session ddp opens on a user's server goes through here.
    """
    kwargs = settings.connect_kwargs()
    # a URL's own options go first: ddp's settings, later on the same line, win over them
    options = f"{kwargs.pop('options', '')} {session_options(limits or SessionLimits())}"
    try:
        return psycopg.connect(**kwargs, options=options.strip())
    except psycopg.Error as exc:
        transient = bool(_TRANSIENT.search(str(exc)))
        raise ConnectionFailed(
            describe_connection_error(exc, settings, side), transient=transient
        ) from None
