"""The options that name one side's database: ``--<side>`` (a URL or DSN) and ``--<side>-*``.

``ddp sync``, ``ddp plan`` and ``ddp dump`` take them the same way; how a side is resolved from
them (flag, then environment, then the URL's part, then libpq) is ddp_engine.settings'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from ddp_engine.errors import BadInput
from ddp_engine.settings import SSL_MODES

__all__ = ["SIDE_OPTIONS", "TARGET_VERSION_ENV", "side_options", "target_version"]

#: The environment's (or .env's) ``--target-version``.
TARGET_VERSION_ENV = "DDP_TARGET_VERSION"

SIDE_OPTIONS = ("host", "port", "database", "username", "password", "schema", "sslmode")

#: The help of each ``--<side>-*`` option; ``{side}`` is "source" or "target".
SIDE_HELP = {
    "host": "{Side} server: host name, address, or the folder of its Unix socket such as "
    "/var/run/postgresql (peer authentication) [first of: {SIDE}_DB_HOST, --{side}, PGHOST, "
    "localhost]",
    "port": "{Side} server port [first of: {SIDE}_DB_PORT, --{side}, PGPORT, 5432]",
    "database": "{Side} database [or {SIDE}_DB_NAME, --{side}, PGDATABASE]",
    "username": "Role to log in to the {side} as [or {SIDE}_DB_USER, --{side}, PGUSER]",
    "password": "{Side} password; better {SIDE}_DB_PASSWORD, PGPASSWORD or ~/.pgpass: a command "
    "line is visible to every user of the machine",
    "schema": "Schema of the {side} to compare [or {SIDE}_DB_SCHEMA, public]",
    "sslmode": "SSL for the {side} connection [or {SIDE}_DB_SSLMODE, --{side}, PGSSLMODE, "
    "libpq's prefer]",
}
METAVARS = {"database": "NAME", "username": "ROLE", "sslmode": None}  # None: click's choices


class PortNumber(click.ParamType):
    """A server port; a bad one is refused naming the option, as a bad ``SOURCE_DB_PORT`` is."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) or (str(value).isdigit() and 1 <= int(value) <= 65535):
            return int(value)
        flag = param.opts[0] if param is not None else "The port"
        raise click.UsageError(f"{flag} must be a number from 1 to 65535", ctx)


def side_options(side: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--<side>`` (a URL or ``key=value`` string) and the seed's ``--<side>-*`` options."""
    types: dict[str, Any] = {"port": PortNumber(), "sslmode": click.Choice(SSL_MODES)}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(SIDE_OPTIONS):
            func = click.option(
                f"--{side}-{name}",
                type=types.get(name),
                default=None,
                metavar=METAVARS.get(name, name.upper()),
                help=SIDE_HELP[name].format(side=side, Side=side.capitalize(), SIDE=side.upper()),
            )(func)
        return click.option(
            f"--{side}",
            f"{side}_url",
            metavar="URL_OR_DSN",
            help=f"The {side} database as a libpq URL (postgresql://user@host:5432/db) or "
            f"key=value string ('service=prod dbname=shop'); the --{side}-* options and "
            f"{side.upper()}_DB_* variables override its parts (default: {side.upper()}_DB_URL)",
        )(func)

    return decorate


def target_version(given: int | None, environ: Mapping[str, str]) -> int | None:
    """The major version the script will run on: ``--target-version``, else
    ``DDP_TARGET_VERSION`` (from the environment or .env), else not given."""
    if given is not None:
        return given
    text = environ.get(TARGET_VERSION_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 10 <= int(text) <= 99:
        raise BadInput(
            f"{TARGET_VERSION_ENV} must be a PostgreSQL major version such as 17, not {text!r}"
        )
    return int(text)
