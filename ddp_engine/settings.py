"""Connection settings for one side (source or target) and how they are resolved.

Resolution order is CLI flag > process environment > ``.env`` file, as the seed spec says.
The password is a ``SecretStr`` so that a stray ``repr`` or log line never shows it, and it is
optional: libpq may authenticate through ``.pgpass``, trust or peer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from ddp_engine.errors import CredentialsMissing, DdpError

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")

#: CLI-name → env-var suffix; the env var is ``{SOURCE|TARGET}_DB_{suffix}``.
ENV_FIELDS = {
    "host": "HOST",
    "port": "PORT",
    "database": "NAME",
    "user": "USER",
    "password": "PASSWORD",
    "schema_name": "SCHEMA",
    "sslmode": "SSLMODE",
}


class ConnectionSettings(BaseModel):
    """Where one side lives: server, database, role and schema."""

    model_config = ConfigDict(frozen=True)

    host: str = "localhost"
    port: int = 5432
    database: str
    user: str
    password: SecretStr | None = None
    schema_name: str = "public"
    sslmode: str | None = None
    connect_timeout: int = Field(default=10, ge=1)

    @field_validator("sslmode")
    @classmethod
    def _known_sslmode(cls, value: str | None) -> str | None:
        if value is not None and value not in SSL_MODES:
            raise ValueError(f"sslmode must be one of {', '.join(SSL_MODES)}")
        return value

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect``; never formatted into a DSN string."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "connect_timeout": self.connect_timeout,
            "application_name": "ddp",
        }
        if self.password is not None and self.password.get_secret_value():
            kwargs["password"] = self.password.get_secret_value()
        if self.sslmode:
            kwargs["sslmode"] = self.sslmode
        return kwargs

    def describe(self) -> str:
        """Where this side is, for people: never includes the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database} schema {self.schema_name}"


def resolve_side(
    side: str,
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
) -> ConnectionSettings:
    """Build the settings of ``side`` ("source" or "target") from flags, then the environment.

    ``flags`` holds CLI values by field name (None when not given); ``environ`` is the process
    environment already merged with the ``.env`` file (the environment winning).
    """
    prefix = f"{side.upper()}_DB_"
    values: dict[str, Any] = {}
    for field, suffix in ENV_FIELDS.items():
        value = flags.get(field)
        if value is None or value == "":
            value = environ.get(prefix + suffix) or None
        if value is not None:
            values[field] = value
    if not values.get("database") or not values.get("user"):
        raise CredentialsMissing(f"Error: {side.capitalize()} database credentials are required.")
    try:
        port = int(values.get("port", 5432))
    except ValueError:
        raise DdpError(f"DDP SYNC failed: {side} port must be a number") from None
    values["port"] = port
    if environ.get("PGCONNECT_TIMEOUT", "").isdigit():
        values["connect_timeout"] = max(2, int(environ["PGCONNECT_TIMEOUT"]))
    try:
        return ConnectionSettings(**values)
    except ValueError as exc:
        first = str(exc).splitlines()[-1].strip()
        raise DdpError(f"DDP SYNC failed: invalid {side} settings: {first}") from None
