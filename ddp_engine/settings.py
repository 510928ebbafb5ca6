"""Connection settings for one side (source or target) and how they are resolved.

One order for every value: the ``--source-*`` flag > the ``SOURCE_DB_*`` variable (process
environment over the ``.env`` file) > that part of the ``--source`` / ``SOURCE_DB_URL`` URL or
``key=value`` string > libpq's own sources (``PG*`` variables, the service file, ``.pgpass``) >
``localhost`` and 5432. libpq's sources are left to libpq: a host, port, password or sslmode
that none of ddp's own sources gives is not passed at all when libpq has one, so that a
``PGHOST`` of ``/var/run/postgresql`` (the Unix socket, peer authentication) or a service's
host works as it does for psql. The ``.env`` file is found within the project and read only
when no other user can have written it. The password is a ``SecretStr`` so that a stray
``repr`` or log line never shows it, and it is optional: libpq may authenticate through
``.pgpass``, trust or peer.
"""

from __future__ import annotations

import contextlib
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


#: The URL's or libpq's name of each field that a URL/DSN may carry.
LIBPQ_KEYS = {
    "host": "host",
    "port": "port",
    "database": "dbname",
    "user": "user",
    "password": "password",
    "sslmode": "sslmode",
}


class ConnectionSettings(BaseModel):
    """Where one side lives: server, database, role and schema.

    ``host`` or ``port`` None means libpq chooses (``PGHOST``, ``PGPORT``, a service);
    ``params`` are the other libpq keywords a URL/DSN gave (``service``, ``sslrootcert``,
    ``options``, ...), passed on as they are.
    """

    model_config = ConfigDict(frozen=True)

    host: str | None = "localhost"
    port: int | None = Field(default=5432, ge=1, le=65535)
    database: str
    user: str
    password: SecretStr | None = None
    schema_name: str = "public"
    sslmode: str | None = None
    connect_timeout: int = Field(default=10, ge=1)
    params: dict[str, str] = Field(default_factory=dict)

    @field_validator("sslmode")
    @classmethod
    def _known_sslmode(cls, value: str | None) -> str | None:
        if value is not None and value not in SSL_MODES:
            raise ValueError(f"sslmode must be one of {', '.join(SSL_MODES)}")
        return value

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect``; never formatted into a DSN string."""
        kwargs: dict[str, Any] = {"application_name": "ddp", **self.params}
        if self.host is not None:
            kwargs["host"] = self.host
        if self.port is not None:
            kwargs["port"] = self.port
        kwargs.update(dbname=self.database, user=self.user, connect_timeout=self.connect_timeout)
        if self.password is not None and self.password.get_secret_value():
            kwargs["password"] = self.password.get_secret_value()
        if self.sslmode:
            kwargs["sslmode"] = self.sslmode
        return kwargs

    def address(self) -> str:
        """``host:port`` for people; where libpq chooses, what it reads (a service, ``PGHOST``,
        else its default socket folder)."""
        if self.host is None and "service" in self.params:
            return f"service {self.params['service']}"
        host = self.host or os.environ.get("PGHOST") or os.environ.get("PGHOSTADDR")
        port = self.port or os.environ.get("PGPORT") or 5432
        return f"{host or 'the local socket'}:{port}"

    def describe(self) -> str:
        """Where this side is, for people: never includes the password."""
        return f"{self.user}@{self.address()}/{self.database} schema {self.schema_name}"


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


#: What ddp uses when no source at all names a host or port (libpq's own default host would be
#: its socket folder; ddp's documented default is ``localhost``).
DEFAULTS = {"host": "localhost", "port": 5432}
#: The variables libpq reads for each field, in its order (a service's entries come first).
LIBPQ_ENV = {
    "host": ("PGHOST", "PGHOSTADDR"),
    "port": ("PGPORT",),
    "database": ("PGDATABASE",),
    "user": ("PGUSER",),
}


def parse_url(url: str, origin: str) -> tuple[dict[str, str], dict[str, str]]:
    """The fields a libpq URL or ``key=value`` string gives, and its other keywords.

    A string libpq cannot read is one line naming where it came from, never repeating it (it
    may hold a password).
    """
    import psycopg  # only for a URL: the driver loads later anyway, when ddp connects

    try:
        parts = {k: str(v) for k, v in psycopg.conninfo.conninfo_to_dict(url).items()}
    except psycopg.Error:
        raise BadInput(
            f"DDP SYNC failed: {origin} is neither a URL such as postgresql://user@host:5432/db "
            "nor a string such as 'host=db.example.com dbname=shop user=deploy'"
        ) from None
    fields = {field: parts.pop(key) for field, key in LIBPQ_KEYS.items() if parts.get(key)}
    if parts.get("connect_timeout", "").isdigit():
        fields["connect_timeout"] = parts.pop("connect_timeout")
    return fields, parts


def service_entries(name: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The keywords of service ``name`` where libpq looks for it: ``PGSERVICEFILE`` (else
    ``~/.pg_service.conf``), then ``PGSYSCONFDIR/pg_service.conf``.

    ddp reads them only to know what libpq will use (a service that gives the database and the
    role is enough; one that gives a host keeps ddp's ``localhost`` out); libpq reads the file
    itself when it connects.
    """
    files = []
    if environ.get("PGSERVICEFILE"):
        files.append(Path(environ["PGSERVICEFILE"]))
    else:
        with contextlib.suppress(RuntimeError):  # no home directory: no user service file
            files.append(Path.home() / ".pg_service.conf")
    if environ.get("PGSYSCONFDIR"):
        files.append(Path(environ["PGSYSCONFDIR"]) / "pg_service.conf")
    for path in files:
        entries = _service_section(path, name)
        if entries is not None:
            return entries
    raise BadInput(
        f"DDP SYNC failed: service {name} is not defined in PGSERVICEFILE, "
        "~/.pg_service.conf or PGSYSCONFDIR/pg_service.conf"
    )


def _service_section(path: Path, name: str) -> dict[str, str] | None:
    """The ``key=value`` lines of section ``[name]`` of a service file (None if absent)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    entries: dict[str, str] | None = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if entries is not None:
                break
            entries = {} if line == f"[{name}]" else None
        elif entries is not None:
            key, _, value = line.partition("=")
            entries[key.strip()] = value.strip()
    return entries


def libpq_values(service: str | None, environ: Mapping[str, str]) -> dict[str, str]:
    """What libpq itself would use for each field: the service's entries, then ``PG*``."""
    found: dict[str, str] = {}
    if service:
        entries = service_entries(service, environ)
        found = {field: entries[key] for field, key in LIBPQ_KEYS.items() if entries.get(key)}
        if entries.get("hostaddr"):
            found.setdefault("host", entries["hostaddr"])
    for field, names in LIBPQ_ENV.items():
        for name in names:
            if environ.get(name):
                found.setdefault(field, environ[name])
    return found


def resolve_side(
    side: str,
    flags: Mapping[str, Any],
    environ: Mapping[str, str],
    libpq_env: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Build the settings of ``side`` ("source" or "target") in the order of the module doc.

    ``flags`` holds CLI values by field name (None when not given), ``url`` for ``--source`` /
    ``--target``; ``environ`` is the process environment already merged with the ``.env`` file
    (the environment winning); ``libpq_env`` is what libpq reads (the process environment).
    A bad value is a :class:`BadInput` naming where it came from (``--target-port`` or
    ``TARGET_DB_SSLMODE``), since that is what the person has to fix.
    """
    prefix = f"{side.upper()}_DB_"
    libpq_env = os.environ if libpq_env is None else libpq_env
    url, url_origin = flags.get("url"), f"--{side}"
    if not url:
        url, url_origin = environ.get(prefix + "URL"), prefix + "URL"
    from_url, params = parse_url(url, url_origin) if url else ({}, {})
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for field, suffix in ENV_FIELDS.items():
        for value, where in (
            (flags.get(field), f"--{side}-{FLAG_NAMES[field]}"),
            (environ.get(prefix + suffix), prefix + suffix),
            (from_url.get(field), f"the {LIBPQ_KEYS.get(field)} in {url_origin}"),
        ):
            if value is not None and value != "":
                values[field], origin[field] = value, where
                break
    service = params.get("service") or libpq_env.get("PGSERVICE")
    if service:
        params["service"] = service
    from_libpq = libpq_values(service, libpq_env)
    for field in ("database", "user"):
        values.setdefault(field, from_libpq.get(field))
    if not values.get("database") or not values.get("user"):
        raise CredentialsMissing(f"Error: {side.capitalize()} database credentials are required.")
    for field, default in DEFAULTS.items():  # left to libpq where it has a value
        values.setdefault(field, None if field in from_libpq else default)
    try:
        values["port"] = None if values["port"] is None else int(values["port"])
    except ValueError:
        raise BadInput(f"{origin['port']} must be a number") from None
    if values.get("sslmode") is not None and values["sslmode"] not in SSL_MODES:
        raise BadInput(f"{origin['sslmode']} must be one of {', '.join(SSL_MODES)}")
    if environ.get("PGCONNECT_TIMEOUT", "").isdigit():
        values["connect_timeout"] = max(2, int(environ["PGCONNECT_TIMEOUT"]))
    if "connect_timeout" in from_url:
        values["connect_timeout"] = max(2, int(from_url["connect_timeout"]))
    try:
        return ConnectionSettings(**values, params=params)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = origin.get(str(error["loc"][0]), side) if error["loc"] else side
        raise BadInput(f"{where}: {error['msg']}") from None


def find_env_file(start: Path, home: Path | None = None, name: str = ".env") -> Path | None:
    """The nearest ``.env`` (or ``name``: ``.ddpignore``) in ``start`` or a folder above it,
    within the project.

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
        candidate = folder / name
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


def settings_for(side: str, values: dict[str, Any], environ: dict[str, str]) -> ConnectionSettings:
    """One side's settings from the command's option values (``<side>_host``, ...) and the
    environment, in the documented order (``resolve_side``)."""
    flags = {
        "url": values[f"{side}_url"],
        "host": values[f"{side}_host"],
        "port": values[f"{side}_port"],
        "database": values[f"{side}_database"],
        "user": values[f"{side}_username"],
        "password": values[f"{side}_password"],
        "schema_name": values[f"{side}_schema"],
        "sslmode": values[f"{side}_sslmode"],
    }
    return resolve_side(side, flags, environ)
