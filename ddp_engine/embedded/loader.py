"""Databases and SQL files on a server ddp started (or any server reachable without a prompt).

Loading SQL files never goes through ``psql``, which would run the shell commands a file can
hold (``\\!``, backticks, ``\\g |cmd``): statements are split as psql splits them
(:mod:`ddp_engine.embedded.lexer`) and run with psycopg, meta-commands limited to
:mod:`ddp_engine.sqlfiles`' short list, as a role that owns the database and is no superuser.
A failure is one line naming the file, the line and the server's message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql

from ddp_engine.embedded.lexer import Statement, split_sql
from ddp_engine.errors import DdpError
from ddp_engine.sqlfiles import (
    INCLUDES,
    MAX_INCLUDE_DEPTH,
    MetaRefused,
    include_target,
    parse_meta,
    sql_files,
)

__all__ = [
    "LOADER_ROLE",
    "ServerAddress",
    "StatementFailed",
    "create_database",
    "create_loader_role",
    "load_sql",
]


class StatementFailed(DdpError):
    """The server refused a statement of a file (what it takes may depend on its version)."""


class ServerAddress(Protocol):
    """What the loading helpers need: any server reachable with these (trust or .pgpass auth)."""

    @property
    def host(self) -> str | None: ...

    @property
    def port(self) -> int | None: ...

    @property
    def user(self) -> str: ...


#: The role SQL files are loaded as: it owns the shadow databases and is no superuser, so a file
#: cannot reach the server's machine (``COPY ... TO PROGRAM``, ``ALTER SYSTEM``, untrusted
#: languages fail with the server's own error) nor anything outside its databases.
LOADER_ROLE = "ddp_loader"

#: pg_dump's ``ALTER ... OWNER TO postgres``, which the loader may not perform (see _Loader).
_OWNER_TO = re.compile(r"(?is)^alter\s.+\sowner\s+to\s+[^\s;]+\s*;?$")

#: The server's message for a role a statement names that does not exist.
_MISSING_ROLE = re.compile(r'role "(.+)" does not exist', re.DOTALL)

#: Since PostgreSQL 16 a CREATEROLE role manages only the roles it created and cannot grant
#: membership in others (pg_execute_server_program, pg_write_server_files), so files may create
#: the roles they GRANT to; before 16 CREATEROLE could grant itself those, and is withheld.
_SAFE_CREATEROLE = 160000


def _connect_kwargs(server: ServerAddress, dbname: str, user: str | None = None) -> dict[str, Any]:
    settings = getattr(server, "connect_kwargs", None)
    if user is None and callable(settings):
        # a server given by URL (ConnectionSettings): its own keywords (sslmode, a service...)
        return {**settings(), "dbname": dbname}
    kwargs: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "user": user or server.user,
        "dbname": dbname,
        "connect_timeout": 10,
        "application_name": "ddp",
    }
    password = getattr(server, "password", None)
    if password and user is None:
        kwargs["password"] = password
    return kwargs


def _admin(server: ServerAddress, what: str, statement_for: Callable[[int], sql.Composed]) -> None:
    """Run one statement (made for the server's version) as the server's superuser."""
    try:
        with psycopg.connect(**_connect_kwargs(server, "postgres"), autocommit=True) as conn:
            conn.execute(statement_for(int(conn.info.server_version)))
    except psycopg.Error as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise DdpError(f"DDP SYNC failed: cannot create {what}: {message}") from None


def create_loader_role(server: ServerAddress, name: str = LOADER_ROLE) -> str:
    """Create the login role SQL files are loaded as (see :data:`LOADER_ROLE`); returns it."""

    def statement(version: int) -> sql.Composed:
        createrole = "CREATEROLE" if version >= _SAFE_CREATEROLE else "NOCREATEROLE"
        return sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS " + createrole
        ).format(sql.Identifier(name))

    _admin(server, f'role "{name}"', statement)
    return name


def _create_role(server: ServerAddress, name: str) -> None:
    """A role that SQL files grant to or make an owner: NOLOGIN, no rights (see _Loader)."""
    statement = sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name))
    _admin(server, f'role "{name}"', lambda version: statement)


def create_database(server: ServerAddress, name: str, owner: str | None = None) -> None:
    """Create database ``name`` on ``server`` (e.g. the shadow database for SQL-file sources),
    owned by ``owner`` when given (then the owner may create in its ``public`` schema)."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if owner is not None:
        statement = sql.SQL("{} OWNER {}").format(statement, sql.Identifier(owner))
    _admin(server, f'database "{name}"', lambda version: statement)


def load_sql(
    server: ServerAddress,
    dbname: str,
    path_or_dir: str | os.PathLike[str],
    *,
    user: str | None = None,
    roles_by: ServerAddress | None = None,
) -> None:
    """Run one .sql file, or every .sql file of a folder in migration order (see
    sqlfiles.sql_files), in ``dbname``.

    Statements run one by one in autocommit, as ``psql -v ON_ERROR_STOP=1 -f`` would send them
    (``COPY ... FROM stdin`` with its data included), as ``user`` (default: the server's
    user). Meta-commands are limited to :mod:`ddp_engine.sqlfiles`' list: ``\\set`` and
    ``\\unset`` (``:name`` in SQL is replaced), ``\\i``/``\\ir`` inside the folder of
    ``path_or_dir``, ``\\echo``; any other is refused before it runs. A failure raises
    DdpError naming the file, the line (where the server points, else where the failing
    statement starts) and the server's message. Roles the files grant to or make owners that
    the server lacks are created NOLOGIN through ``roles_by`` (default ``server``): the role
    that loads may not create roles (before PostgreSQL 16 it is not given CREATEROLE).
    """
    path = Path(path_or_dir)
    files = sql_files(path)
    folder = (path if path.is_dir() else path.parent).resolve()
    try:
        conn = psycopg.connect(**_connect_kwargs(server, dbname, user), autocommit=True)
    except psycopg.Error as exc:
        message = " ".join(str(exc).split())
        raise DdpError(f"DDP SYNC failed: {path}: cannot connect: {message}") from None
    with conn:
        loader = _Loader(conn, folder, lambda role: _create_role(roles_by or server, role))
        for file in files:
            loader.run(file, file)


class _Loader:
    """Runs the statements of files on one connection; holds the ``\\set`` variables."""

    def __init__(
        self, conn: psycopg.Connection, folder: Path, create_role: Callable[[str], None]
    ) -> None:
        self.conn = conn
        #: Creates a role a file grants to or makes an owner, missing on this server.
        self.create_role = create_role
        self.roles_made: set[str] = set()
        self.folder = folder
        self.variables: dict[str, str] = {}
        self.depth = 0

    def run(self, file: Path, shown: Path) -> None:
        """Run ``file``; errors name it as ``shown`` (the path as the person gave it)."""
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DdpError(f"DDP SYNC failed: cannot read {shown}: {exc}") from None
        for stmt in split_sql(text):
            if stmt.text.startswith("\\"):
                self.meta(file, shown, stmt)
            else:
                self.execute(shown, stmt)

    def meta(self, file: Path, shown: Path, stmt: Statement) -> None:
        try:
            command = parse_meta(stmt.text)
            if command.name in INCLUDES:
                target = include_target(command, file, self.folder)
                if self.depth >= MAX_INCLUDE_DEPTH:
                    raise MetaRefused(f"\\{command.name}: includes nest too deep")
        except MetaRefused as exc:
            raise DdpError(f"DDP SYNC failed: {shown} line {stmt.start_line}: {exc}") from None
        if command.name == "set" and command.args:
            self.variables[command.args[0]] = "".join(command.args[1:])
        elif command.name == "unset" and command.args:
            self.variables.pop(command.args[0], None)
        elif command.name in INCLUDES:
            self.depth += 1
            try:
                self.run(target, target)
            finally:
                self.depth -= 1
        # \echo, \restrict, \unrestrict: nothing to do for a load

    def execute(self, shown: Path, stmt: Statement) -> None:
        text = stmt.interpolated(self.variables)
        try:
            if stmt.copy_data is None:
                self.conn.execute(text.encode("utf-8"))
            else:
                with self.conn.cursor().copy(text.encode("utf-8")) as copy:
                    copy.write(stmt.copy_data.encode("utf-8"))
        except psycopg.errors.InsufficientPrivilege as exc:
            if _OWNER_TO.match(text):
                # pg_dump writes ``ALTER ... OWNER TO postgres``: the loader may not give its
                # objects away to a superuser, and owners are not compared, so it keeps them.
                return
            raise self.failed(shown, stmt, text, exc) from None
        except psycopg.errors.UndefinedObject as exc:
            # a migration folder grants to its application's roles or makes them owners:
            # each is made here (NOLOGIN, no rights) and the statement runs again
            missing = _MISSING_ROLE.fullmatch(exc.diag.message_primary or "")
            if missing is None or missing.group(1) in self.roles_made:
                raise self.failed(shown, stmt, text, exc) from None
            self.roles_made.add(missing.group(1))
            self.create_role(missing.group(1))
            self.execute(shown, stmt)
        except psycopg.Error as exc:
            raise self.failed(shown, stmt, text, exc) from None

    @staticmethod
    def failed(shown: Path, stmt: Statement, text: str, exc: psycopg.Error) -> StatementFailed:
        """The server's refusal as one line: file, line (where the server points), message."""
        diag = exc.diag
        line = stmt.start_line
        position = diag.statement_position
        if position and position.isdigit():
            line += text[: int(position) - 1].count("\n")
        message = diag.message_primary or " ".join(str(exc).split())
        message = f"DDP SYNC failed: {shown} line {line}: {message}"
        if diag.message_detail:
            message += f" ({diag.message_detail})"
        return StatementFailed(message)
