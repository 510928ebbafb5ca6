"""Opening a connection, and turning libpq's failures into one line a person can act on."""

from __future__ import annotations

import re

import psycopg

from ddp_engine.errors import DdpError
from ddp_engine.settings import ConnectionSettings

_HINTS = [
    (
        re.compile(r"password authentication failed|no password supplied", re.I),
        "authentication failed for user {user}: check the {side} password "
        "(flag, env, .env or .pgpass)",
    ),
    (
        re.compile(r"Connection refused", re.I),
        "connection refused at {host}:{port}: is PostgreSQL running there? "
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
        "connection to {host}:{port} timed out: check the {side} host, port and firewall",
    ),
    (
        re.compile(r"database \".*\" does not exist", re.I),
        "database {database} does not exist on {host}:{port}: check the {side} database name",
    ),
    (
        re.compile(r"role \".*\" does not exist", re.I),
        "role {user} does not exist on {host}:{port}: check the {side} username",
    ),
    (
        re.compile(r"server does not support SSL|SSL .*required|no pg_hba.conf entry.*SSL", re.I),
        "SSL negotiation failed at {host}:{port}: check the {side} sslmode",
    ),
    (
        re.compile(r"no pg_hba.conf entry", re.I),
        "the server at {host}:{port} does not accept user {user} "
        "for database {database} (pg_hba.conf)",
    ),
]


def describe_connection_error(exc: BaseException, settings: ConnectionSettings, side: str) -> str:
    """One line for a failed connection, never containing the password."""
    text = " ".join(str(exc).split())
    values = {
        "side": side,
        "host": settings.host,
        "port": settings.port,
        "user": settings.user,
        "database": settings.database,
    }
    for pattern, message in _HINTS:
        if pattern.search(text):
            return f"DDP SYNC failed: {message.format(**values)}"
    return f"DDP SYNC failed: cannot connect to the {side} database: {scrub(text, settings)}"


def scrub(text: str, settings: ConnectionSettings) -> str:
    """Remove the password from a server or driver message, whatever quoted it."""
    if settings.password is not None:
        secret = settings.password.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return text


def connect(settings: ConnectionSettings, side: str) -> psycopg.Connection:
    """Open a connection for ``side`` ("source" or "target") or raise a one-line DdpError."""
    try:
        return psycopg.connect(**settings.connect_kwargs())
    except psycopg.Error as exc:
        raise DdpError(describe_connection_error(exc, settings, side)) from None
