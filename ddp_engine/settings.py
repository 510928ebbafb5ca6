"""Connection settings for one side (source or target) and how they are resolved.

Resolution order is CLI flag > process environment > ``.env`` file, as the seed spec says; the
``.env`` file is found within the project and read only when no other user can have written it.
The password is a ``SecretStr`` so that a stray ``repr`` or log line never shows it, and it is
optional: libpq may authenticate through ``.pgpass``, trust or peer.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from ddp_engine.errors import BadInput, CredentialsMissing, SeedWording

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


#: Field name → the flag's own name (``--{side}-{flag}``).
FLAG_NAMES = {
    "host": "host",
    "port": "port",
    "database": "database",
    "user": "username",
    "password": "password",
    "schema_name": "schema",
    "sslmode": "sslmode",
}


def resolve_side(
    side: str,
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
) -> ConnectionSettings:
    """Build the settings of ``side`` ("source" or "target") from flags, then the environment.

    ``flags`` holds CLI values by field name (None when not given); ``environ`` is the process
    environment already merged with the ``.env`` file (the environment winning). A bad value
    is a :class:`BadInput` naming where it came from (``--target-port`` or
    ``TARGET_DB_SSLMODE``), since that is what the person has to fix.
    """
    prefix = f"{side.upper()}_DB_"
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for field, suffix in ENV_FIELDS.items():
        value = flags.get(field)
        origin[field] = f"--{side}-{FLAG_NAMES[field]}"
        if value is None or value == "":
            value = environ.get(prefix + suffix) or None
            origin[field] = prefix + suffix
        if value is not None:
            values[field] = value
    if not values.get("database") or not values.get("user"):
        raise CredentialsMissing(f"Error: {side.capitalize()} database credentials are required.")
    try:
        values["port"] = int(values.get("port", 5432))
    except ValueError:
        raise BadInput(f"{origin['port']} must be a number") from None
    if values.get("sslmode") is not None and values["sslmode"] not in SSL_MODES:
        raise BadInput(f"{origin['sslmode']} must be one of {', '.join(SSL_MODES)}")
    if environ.get("PGCONNECT_TIMEOUT", "").isdigit():
        values["connect_timeout"] = max(2, int(environ["PGCONNECT_TIMEOUT"]))
    try:
        return ConnectionSettings(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = origin.get(str(error["loc"][0]), side) if error["loc"] else side
        raise BadInput(f"{where}: {error['msg']}") from None


def find_env_file(start: Path, home: Path | None = None) -> Path | None:
    """The nearest ``.env`` in ``start`` or a folder above it, within the project.

    The search stops at the project root (a folder holding ``.git`` or ``pyproject.toml``) or
    at the home directory, and never reads ``/.env``: a ``.env`` above the project belongs to
    something else, and one in ``/`` or ``/tmp`` may have been put there by any user of the
    machine (a scheduled ddp often runs with ``/`` as its working directory).
    """
    if home is None:
        try:
            home = Path.home().resolve()  # compared with the resolved working directory
        except RuntimeError:  # no HOME and no passwd entry: only the project bounds the search
            home = None
    for folder in (start, *start.parents):
        if folder == folder.parent:
            break
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
        if folder == home or (folder / ".git").exists() or (folder / "pyproject.toml").exists():
            break
    return None


def read_env_file(path: Path) -> dict[str, str]:
    """The values of ``path``, once it is known that no other user can have written them.

    A ``.env`` holds passwords and hosts: one that another user may write (group or other
    write bits, or owned by somebody else; root's files excepted) could point ddp, and its
    passwords, at a server of theirs. The file is opened once and checked through that handle.
    """
    from dotenv import dotenv_values  # only when there is a file: a sixtieth of start-up

    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        info = os.fstat(handle.fileno())
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise BadInput(
                f"{path} is writable by other users; make it yours alone: chmod go-w {path}"
            )
        if hasattr(os, "geteuid") and info.st_uid not in (os.geteuid(), 0):
            raise BadInput(
                f"{path} belongs to another user (uid {info.st_uid}); "
                f"use a copy of your own: cp {path} {path}.mine && chmod 600 {path}.mine, "
                "then --env"
            )
        values = dotenv_values(stream=handle)
    return {k: v for k, v in values.items() if v is not None}


def load_environment(env_path: str | None) -> dict[str, str]:
    """Process environment over the ``.env`` file (explicit ``--env`` path, else discovered)."""
    path: Path | None
    if env_path is not None:
        path = Path(env_path)
        if not path.is_file():
            raise SeedWording(f"Error: .env file not found: {env_path}")
    else:
        path = find_env_file(Path.cwd())
    values = read_env_file(path) if path is not None else {}
    values.update(os.environ)
    return values
