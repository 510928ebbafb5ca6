"""Resources: where each side lives, and how a pair is synced (the options ``ddp sync`` has).

Opening connections stays in the engine; :class:`PostgresSchemaResource` only says where a side
lives. Build it with :meth:`PostgresSchemaResource.from_env` so that every value is a
``dg.EnvVar``: Dagster then reads it when a run starts and shows the variable's *name* (never
its value) in the UI, and the stored run config holds no connection data at all.
:class:`SyncOptionsResource` holds the options every face shares (online, timeouts, data checks,
shadow server): the engine's ``SyncOptions`` as Dagster configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from pydantic import Field, SecretStr, ValidationError

from ddp_engine.errors import BadInput
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
    unset: str = Field(
        default="",
        description="Required variables that were not set when the code location loaded "
        "(this side's runs fail, naming them, until they are set and the location reloaded)",
    )

    def settings(self) -> ConnectionSettings:
        """The engine's settings; the password travels as a ``SecretStr`` from here on."""
        if self.unset:
            them = "them" if "," in self.unset else "it"
            raise BadInput(
                f"{self.unset} not set when the code location loaded: set {them}, then reload "
                "the code location"
            )
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
            raise BadInput(f"invalid {where}: {err['msg']}") from None

    def describe(self) -> str:
        """``user@host:port/database schema s``: for metadata and logs (no password)."""
        return f"{self.username}@{self.host}:{self.port}/{self.database} schema {self.schema_name}"

    @classmethod
    def from_env(
        cls, prefix: str, environ: Mapping[str, str] | None = None
    ) -> PostgresSchemaResource:
        """A resource reading ``<prefix>NAME``, ``USER``, ``PASSWORD``, ``HOST``, ``PORT``,
        ``SCHEMA`` and ``SSLMODE`` (the names ``ddp sync`` reads) through ``dg.EnvVar``.

        ``NAME`` and ``USER`` are required: when one is unset at load time, the resource says so
        (``unset``) and this side's runs fail naming it, while other pairs, whose resources
        are complete, launch and run (an unset ``dg.EnvVar`` would fail every run that binds
        the resource, at launch). The optional ones are bound when set at load time and take
        the engine's defaults otherwise; reload the code location after adding one.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, suffix in ENV_FIELDS.items():
            name = prefix + suffix
            if name not in environ:
                continue
            values[_RESOURCE_FIELD[field]] = (
                dg.EnvVar.int(name) if field == "port" else dg.EnvVar(name)
            )
        unset = missing_variables(prefix, environ)
        for field in _REQUIRED:
            if prefix + ENV_FIELDS[field] in unset:
                values[_RESOURCE_FIELD[field]] = ""
        return cls(**values, unset=", ".join(unset))


def missing_variables(prefix: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The required variables of a side (``<prefix>NAME``, ``<prefix>USER``) that are unset."""
    environ = os.environ if environ is None else environ
    return [prefix + ENV_FIELDS[f] for f in _REQUIRED if not environ.get(prefix + ENV_FIELDS[f])]


#: The option's field → the suffix of its environment variable (``DDP_`` + suffix by default).
OPTION_ENV = {
    "online": "ONLINE",
    "lock_timeout": "LOCK_TIMEOUT",
    "statement_timeout": "STATEMENT_TIMEOUT",
    "read_timeout": "READ_TIMEOUT",
    "data_checks": "DATA_CHECKS",
    "data_check_budget": "DATA_CHECK_BUDGET",
    "shadow_url": "SHADOW_URL",
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SyncOptionsResource(dg.ConfigurableResource):
    """How a pair is synced: the options ``ddp sync`` takes as flags, for the assets.

    Examples:
        .. code-block:: python

            ddp_options = SyncOptionsResource(
                online=True, lock_timeout=dg.EnvVar("DDP_LOCK_TIMEOUT")
            )
    """

    online: bool = Field(
        default=False,
        description="As ddp sync --online: indexes CONCURRENTLY, checks and foreign keys NOT "
        "VALID then validated, NOT NULL through a validated check (an online part after the "
        "transaction)",
    )
    lock_timeout: str = Field(
        default="10s",
        description="How long ddp's sessions (reads, data checks, apply) wait for a lock; also "
        "the script's SET lock_timeout (as --lock-timeout)",
    )
    statement_timeout: str = Field(
        default="0", description="The script's SET statement_timeout, 0: none"
    )
    read_timeout: str = Field(
        default="300s",
        description="How long one query of ddp's reads, data checks and shadow loading may run",
    )
    data_checks: bool = Field(
        default=True, description="Count the target rows a change would fail on or change"
    )
    data_check_budget: float = Field(
        default=30.0, description="Seconds the data checks of one plan may take in all"
    )
    shadow_url: str = Field(
        default="",
        description="libpq URL of a server of the target's major version where ddp may create "
        f"a throwaway database to settle printed texts (default: ${SHADOW_URL_ENV}, else the "
        "embedded or a local PostgreSQL of that version); the target is never written",
    )

    def sync_options(
        self, *, all_schemas: bool, privileges: bool, allow_hazards: list[str] | None = None
    ) -> SyncOptions:
        """The engine's options for one pair's scope (and, to apply, the consent given)."""
        return SyncOptions.model_validate(
            {
                "all_schemas": all_schemas,
                "privileges": privileges,
                "online": self.online,
                "lock_timeout": self.lock_timeout,
                "statement_timeout": self.statement_timeout,
                "read_timeout": self.read_timeout,
                "shadow_url": self.shadow_url or os.environ.get(SHADOW_URL_ENV) or None,
                "data_checks": self.data_checks,
                "data_check_budget": self.data_check_budget,
                "allow_hazards": allow_hazards or [],  # checked: an unknown code is bad input
            }
        )

    @classmethod
    def from_env(
        cls, prefix: str = "DDP_", environ: Mapping[str, str] | None = None
    ) -> SyncOptionsResource:
        """The options from ``<prefix>ONLINE``, ``LOCK_TIMEOUT``, ``STATEMENT_TIMEOUT``,
        ``READ_TIMEOUT``, ``DATA_CHECKS``, ``DATA_CHECK_BUDGET`` and ``SHADOW_URL``; unset ones
        keep the defaults of ``ddp sync``.

        Texts are bound as ``dg.EnvVar`` (read when a run starts); Dagster binds no other
        types, so the yes/no options and the budget are read when the code location loads
        (reload it after changing one). A value that is not one is a definition error naming
        the variable.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, suffix in OPTION_ENV.items():
            name = prefix + suffix
            raw = environ.get(name)
            if raw is None:
                continue
            annotation = cls.model_fields[field].annotation
            if annotation is str:
                values[field] = dg.EnvVar(name)
            elif annotation is bool:
                values[field] = _yes_no(name, raw)
            else:
                values[field] = _seconds(name, raw)
        return cls(**values)


def _yes_no(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE + _FALSE:
        raise dg.DagsterInvalidDefinitionError(f"{name} must be true or false, not {raw!r}")
    return value in _TRUE


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise dg.DagsterInvalidDefinitionError(f"{name} must be a number of seconds, not {raw!r}")
    return value
