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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from ddp_engine.cache import CACHE_ENV
from ddp_engine.errors import BadInput, CredentialsMissing, DdpError
from ddp_engine.settings import ENV_FIELDS, ConnectionSettings, resolve_side
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
#: The settings a side needs (without a URL); a fleet's target needs no database (a
#: partition names it) and, with a URL template, nothing at all.
REQUIRED = ("database", "user")


class PostgresSchemaResource(dg.ConfigurableResource):
    """One side of a sync: server, database, role and schema (build it with
    :meth:`from_env`, as ``PostgresSchemaResource.from_env("SOURCE_DB_")``, so that every value
    is a ``dg.EnvVar``)."""

    url: str = Field(
        default="",
        description="libpq URL or key=value string (as SOURCE_DB_URL / TARGET_DB_URL); the "
        "fields below, when set, win over its parts",
    )
    host: str = Field(
        default="", description="Server host (empty: the url's, else libpq's, else localhost)"
    )
    port: int = Field(default=0, description="Server port (0: the url's, else libpq's, else 5432)")
    database: str = Field(default="", description="Database name (empty: the url's)")
    username: str = Field(default="", description="Role to connect as (empty: the url's)")
    password: str = Field(
        default="",
        description="Password (empty: the url's, else libpq finds one in .pgpass, or trust/peer)",
    )
    schema_name: str = Field(default="public", description="Schema to compare")
    sslmode: str = Field(default="", description="libpq sslmode (empty: libpq default)")
    unset: str = Field(
        default="",
        description="Required variables that were not set when the code location loaded "
        "(this side's runs fail, naming them, until they are set and the location reloaded)",
    )

    def settings(self, database: str = "", url: str = "") -> ConnectionSettings:
        """The engine's settings, resolved as ``ddp sync`` resolves a side (a field, then the
        url's part, then libpq's ``PG*`` variables and services, then the defaults); the
        password travels as a ``SecretStr`` from here on. ``database`` or ``url``, when given,
        replace the resource's own (a fleet's target: one database per partition)."""
        if self.unset:
            them = "them" if "," in self.unset else "it"
            raise BadInput(
                f"{self.unset} not set when the code location loaded: set {them}, then reload "
                "the code location"
            )
        flags = {
            "url": url or self.url,
            "host": self.host,
            "port": self.port or None,
            "database": database or ("" if url else self.database),
            "user": self.username,
            "password": self.password,
            "schema_name": self.schema_name,
            "sslmode": self.sslmode,
        }
        try:
            return resolve_side("resource", {k: v or None for k, v in flags.items()}, {})
        except CredentialsMissing:
            raise BadInput("no database or role: set database and username, or a url") from None
        except BadInput as exc:  # the field and the rule, never an input value
            raise BadInput(
                exc.reason.replace("--resource-", "").replace("--resource", "url")
            ) from None

    def describe(self) -> str:
        """``user@host:port/database schema s``: for metadata and logs (no password)."""
        try:
            return self.settings().describe()
        except DdpError:
            where = f"{self.host or 'localhost'}:{self.port or 5432}/{self.database}"
            return f"{self.username}@{where} schema {self.schema_name}"

    @classmethod
    def from_env(
        cls,
        prefix: str,
        environ: Mapping[str, str] | None = None,
        required: Sequence[str] = REQUIRED,
    ) -> PostgresSchemaResource:
        """A resource reading ``<prefix>URL``, ``NAME``, ``USER``, ``PASSWORD``, ``HOST``,
        ``PORT``, ``SCHEMA`` and ``SSLMODE`` (the names ``ddp sync`` reads) through
        ``dg.EnvVar``.

        ``NAME`` and ``USER`` are required unless ``URL`` is set: when one is unset at load time,
        the resource says so (``unset``) and this side's runs fail naming it, while other pairs,
        whose resources are complete, launch and run (an unset ``dg.EnvVar`` would fail every run
        that binds the resource, at launch). The optional ones are bound when set at load time and
        take the engine's defaults otherwise; reload the code location after adding one.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if prefix + "URL" in environ:
            values["url"] = dg.EnvVar(prefix + "URL")
        for field, suffix in ENV_FIELDS.items():
            name = prefix + suffix
            if name not in environ:
                continue
            values[_RESOURCE_FIELD[field]] = (
                dg.EnvVar.int(name) if field == "port" else dg.EnvVar(name)
            )
        unset = missing_variables(prefix, environ, required)
        for field in required:
            if prefix + ENV_FIELDS[field] in unset:
                values[_RESOURCE_FIELD[field]] = ""
        return cls(**values, unset=", ".join(unset))


def missing_variables(
    prefix: str, environ: Mapping[str, str] | None = None, required: Sequence[str] = REQUIRED
) -> list[str]:
    """The required variables of a side (``<prefix>NAME``, ``<prefix>USER``) that are unset."""
    environ = os.environ if environ is None else environ
    if environ.get(prefix + "URL"):  # the URL may name them, or libpq's defaults fill them in
        return []
    return [prefix + ENV_FIELDS[f] for f in required if not environ.get(prefix + ENV_FIELDS[f])]


#: The option's field → the suffix of its environment variable (``DDP_`` + suffix by default).
OPTION_ENV = {
    "online": "ONLINE",
    "lock_timeout": "LOCK_TIMEOUT",
    "statement_timeout": "STATEMENT_TIMEOUT",
    "read_timeout": "READ_TIMEOUT",
    "data_checks": "DATA_CHECKS",
    "data_check_budget": "DATA_CHECK_BUDGET",
    "shadow_url": "SHADOW_URL",
    "cache": "CACHE",
    "cache_dir": "CACHE_DIR",
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

    cache: bool = Field(
        default=True,
        description="Keep each side's last snapshot and reuse it while the side's catalog "
        "epoch has not moved (as ddp sync --cache): a drift check of an unchanged schema "
        "deparses nothing",
    )
    cache_dir: str = Field(
        default="",
        description="The cache's folder (default: $DDP_CACHE_DIR, else ddp_cache in the "
        "Dagster instance's storage folder)",
    )
    using: list[str] = Field(
        default=[],
        description="As ddp sync --using: SCHEMA.TABLE.COLUMN=EXPRESSION, the SQL conversion of "
        "a column whose new type no cast reaches (else its values stay in a renamed column)",
    )

    def sync_options(
        self,
        *,
        all_schemas: bool,
        privileges: bool,
        allow_hazards: list[str] | None = None,
        storage_dir: str | None = None,
    ) -> SyncOptions:
        """The engine's options for one pair's scope (and, to apply, the consent given);
        ``storage_dir`` (the instance's storage folder) holds the cache unless told where."""
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
                "using": self.using,  # checked: a malformed one is bad input
                "cache_dir": self.cache_folder(storage_dir),
            }
        )

    def cache_folder(self, storage_dir: str | None) -> str | None:
        """Where the snapshots are kept (None: no cache)."""
        if not self.cache:
            return None
        folder = self.cache_dir or os.environ.get(CACHE_ENV)
        if folder:
            return folder
        return str(Path(storage_dir) / "ddp_cache") if storage_dir else None

    @classmethod
    def from_env(
        cls, prefix: str = "DDP_", environ: Mapping[str, str] | None = None
    ) -> SyncOptionsResource:
        """The options from ``<prefix>ONLINE``, ``LOCK_TIMEOUT``, ``STATEMENT_TIMEOUT``,
        ``READ_TIMEOUT``, ``DATA_CHECKS``, ``DATA_CHECK_BUDGET``, ``SHADOW_URL``, ``CACHE`` and
        ``CACHE_DIR`` (``DDP_CACHE_DIR`` is also the CLI's); unset ones
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
