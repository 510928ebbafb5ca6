"""Dagster's own storage (runs, event log, schedules) in PostgreSQL, configured from env vars.

``dagster.yaml`` names :class:`DdpPostgresStorage`, a thin subclass of dagster-postgres'
``DagsterPostgresStorage`` that takes its connection from the environment *with defaults*,
which plain ``{env: ...}`` entries in dagster.yaml cannot have:

- ``DAGSTER_PG_URL`` (e.g. ``postgresql://user:pw@host:5432/dagster``) wins when set; otherwise
- ``DAGSTER_PG_HOST`` (``localhost``), ``DAGSTER_PG_PORT`` (``5432``), ``DAGSTER_PG_DB``
  (``dagster``), ``DAGSTER_PG_USERNAME`` (``postgres``), ``DAGSTER_PG_PASSWORD`` (empty).

The URL is read in each Dagster process when the instance loads, so the password is never
written into dagster.yaml, the instance reference handed to run workers, or the event log.
The database is Dagster's own (never a database DDP syncs, so Dagster's tables never show up
as drift) and is created on first use when missing (``create_database: false`` turns that off).
URLs are given the ``postgresql+psycopg2`` driver that dagster-postgres is built for, so that a
SQLAlchemy that prefers psycopg 3 for plain ``postgresql://`` cannot pick the wrong one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import psycopg
from dagster import Field
from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from psycopg import sql
from pydantic import SecretStr, ValidationError

from ddp_engine.connect import connect
from ddp_engine.errors import ConnectionFailed, DdpError
from ddp_engine.settings import ConnectionSettings

DRIVER = "postgresql+psycopg2"
DEFAULTS = {
    "DAGSTER_PG_HOST": "localhost",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_PG_USERNAME": "postgres",
    "DAGSTER_PG_PASSWORD": "",
}


def dagster_pg_url(environ: Mapping[str, str] | None = None) -> str:
    """The storage URL from ``DAGSTER_PG_URL`` or the ``DAGSTER_PG_*`` parts (with defaults)."""
    environ = os.environ if environ is None else environ
    url = environ.get("DAGSTER_PG_URL")
    if url:
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return DRIVER + "://" + url[len(plain) :]
        return url
    value = {name: environ.get(name) or default for name, default in DEFAULTS.items()}
    # written here, not by dagster-postgres' helper, whose output changed within 0.29
    # (``user:@host`` for an empty password, later ``user@host``)
    userinfo = quote(value["DAGSTER_PG_USERNAME"], safe="")
    if value["DAGSTER_PG_PASSWORD"]:
        userinfo += ":" + quote(value["DAGSTER_PG_PASSWORD"], safe="")
    host, port, db = (value[f"DAGSTER_PG_{k}"] for k in ("HOST", "PORT", "DB"))
    return f"{DRIVER}://{userinfo}@{host}:{port}/{quote(db, safe='')}"


def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist (connecting to ``postgres`` for that).

    libpq reads the URL once its SQLAlchemy driver name is taken off (``postgresql+psycopg2://``
    is the same URL to it), percent-escapes and query keywords included; the session is opened
    through the engine's one session opener, with ddp's session settings like every session it
    opens. Whatever goes wrong here, dagster-postgres reports it in its own words when it
    connects.
    """
    settings = _storage_settings(url)
    if settings is None:
        return
    try:
        with connect(settings, "Dagster storage"):
            return
    except ConnectionFailed as exc:
        if "does not exist" not in exc.reason:
            return  # let dagster-postgres report the real problem
    # Another process may be quicker (DuplicateDatabase); a role without CREATEDB gets
    # dagster-postgres' own "database does not exist" error.
    admin = settings.model_copy(update={"database": "postgres"})
    with contextlib.suppress(psycopg.Error, DdpError), connect(admin, "Dagster storage") as conn:
        conn.autocommit = True
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.database)))


def _storage_settings(url: str) -> ConnectionSettings | None:
    """The storage URL's connection, or None where it is not one (dagster-postgres says why)."""
    scheme, sep, rest = url.partition("://")
    try:
        kwargs: dict[str, Any] = psycopg.conninfo.conninfo_to_dict(f"postgresql://{rest}")
    except psycopg.Error:
        return None
    database, user = kwargs.pop("dbname", None), kwargs.pop("user", None)
    if not sep or not scheme.startswith("postgres") or not database or not user:
        return None
    password = kwargs.pop("password", None)
    try:
        return ConnectionSettings(
            host=kwargs.pop("host", "localhost"),
            port=int(kwargs.pop("port", 5432)),
            user=str(user),
            password=SecretStr(str(password)) if password else None,
            database=str(database),
            sslmode=kwargs.pop("sslmode", None),
            params={k: str(v) for k, v in kwargs.items()},
        )
    except (ValidationError, ValueError):
        return None


class DdpPostgresStorage(DagsterPostgresStorage):
    """dagster-postgres storage whose connection comes from ``DAGSTER_PG_*`` (see module doc)."""

    @classmethod
    def config_type(cls) -> dict[str, Field]:  # ty: ignore[invalid-method-override]
        return {
            "create_database": Field(bool, is_required=False, default_value=True),
            "should_autocreate_tables": Field(bool, is_required=False, default_value=True),
        }

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> DdpPostgresStorage:
        url = dagster_pg_url()
        if config_value.get("create_database", True):
            ensure_database(url)
        return cls(
            postgres_url=url,
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            inst_data=inst_data,
        )
