"""PostgreSQL connection resources: typed configuration that turns into the engine's settings.

Opening connections stays in the engine; the resource only says where a side lives. Build it
with :meth:`PostgresSchemaResource.from_env` so that every value is a ``dg.EnvVar``: Dagster then
reads it when a run starts and shows the variable's *name* (never its value) in the UI, and the
stored run config holds no connection data at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from pydantic import Field, SecretStr, ValidationError

from ddp_engine.connect import SessionLimits
from ddp_engine.errors import DdpError
from ddp_engine.settings import ENV_FIELDS, ConnectionSettings
from ddp_engine.shadow import SHADOW_URL_ENV
from ddp_engine.sync import SyncOptions

# The resource's field names for the engine's ENV_FIELDS (CLI/env names stay the engine's).
_RESOURCE_FIELD = {
    "host": "host",
    "port": "port",
    "database": "database",
    "user": "username",
    "password": "password",
    "schema_name": "schema_name",
    "sslmode": "sslmode",
}
_REQUIRED = ("database", "user")


class PostgresSchemaResource(dg.ConfigurableResource):
    """One side of a sync: server, database, role and schema.

    Examples:
        .. code-block:: python

            source_db = PostgresSchemaResource(
                database=dg.EnvVar("SOURCE_DB_NAME"),
                username=dg.EnvVar("SOURCE_DB_USER"),
                password=dg.EnvVar("SOURCE_DB_PASSWORD"),
            )
    """

    host: str = Field(default="localhost", description="Server host")
    port: int = Field(default=5432, description="Server port")
    database: str = Field(description="Database name")
    username: str = Field(description="Role to connect as")
    password: str = Field(
        default="",
        description="Password (empty: libpq finds one in .pgpass, or trust/peer auth)",
    )
    schema_name: str = Field(default="public", description="Schema to compare")
    sslmode: str = Field(default="", description="libpq sslmode (empty: libpq default)")
    lock_timeout: str = Field(
        default="10s",
        description="How long ddp's sessions on this side wait for a lock (a blocked read fails "
        "naming the table and the blocking process); on the target also the script's "
        "SET lock_timeout",
    )
    read_timeout: str = Field(
        default="300s", description="How long one query of ddp's reads and data checks may run"
    )
    shadow_url: str = Field(
        default="",
        description="On the target: libpq URL of a server of its major version where ddp may "
        f"create a throwaway database to settle printed texts (default: ${SHADOW_URL_ENV}, else "
        "the embedded or a local PostgreSQL of that version); the target is never written",
    )

    def settings(self) -> ConnectionSettings:
        """The engine's settings; the password travels as a ``SecretStr`` from here on."""
        try:
            return ConnectionSettings(
                host=self.host,
                port=self.port,
                database=self.database,
                user=self.username,
                password=SecretStr(self.password) if self.password else None,
                schema_name=self.schema_name,
                sslmode=self.sslmode or None,
            )
        except ValidationError as exc:  # the field and the rule, never an input value
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise DdpError(f"DDP SYNC failed: invalid {where}: {err['msg']}") from None

    def limits(self) -> SessionLimits:
        """The lock and statement timeouts of every session ddp opens on this side."""
        return SessionLimits(lock_timeout=self.lock_timeout, statement_timeout=self.read_timeout)

    def sync_options(self, options: SyncOptions) -> SyncOptions:
        """``options`` with this (target) side's timeouts and shadow server."""
        return options.model_copy(
            update={
                "lock_timeout": self.lock_timeout,
                "read_timeout": self.read_timeout,
                "shadow_url": self.shadow_url or os.environ.get(SHADOW_URL_ENV) or None,
            }
        )

    def describe(self) -> str:
        """``user@host:port/database schema s``: for metadata and logs (no password)."""
        return f"{self.username}@{self.host}:{self.port}/{self.database} schema {self.schema_name}"

    @classmethod
    def from_env(
        cls, prefix: str, environ: Mapping[str, str] | None = None
    ) -> PostgresSchemaResource:
        """A resource reading ``<prefix>NAME``, ``USER``, ``PASSWORD``, ``HOST``, ``PORT``,
        ``SCHEMA`` and ``SSLMODE`` (the names ``ddp sync`` reads) through ``dg.EnvVar``.

        ``NAME`` and ``USER`` are always bound (a run fails naming the variable when it is
        unset). The optional ones are bound when set at load time and take the engine's
        defaults otherwise; reload the code location after adding one.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, suffix in ENV_FIELDS.items():
            name = prefix + suffix
            if field not in _REQUIRED and name not in environ:
                continue
            values[_RESOURCE_FIELD[field]] = (
                dg.EnvVar.int(name) if field == "port" else dg.EnvVar(name)
            )
        return cls(**values)
