"""What a ``--source-sql`` / ``--target-sql`` side may hold: its files, and the psql
meta-commands they may use. Pure rules, no database: :mod:`ddp_engine.embedded` loads.

Schema files are loaded by ddp itself, statement by statement, never by ``psql``: psql would run
``\\!`` and ``\\g |cmd`` (shell commands), expand backticks in ``\\set`` (a shell command again),
switch database with ``\\c`` and read or write any file with ``\\copy`` and ``\\o``, all as the
user running ddp, and it re-reads interpolated variables as input, so no scan of a file could
tell what psql will do with it. Loading understands a short list instead; every other
meta-command is refused with the file and the line, before it could do anything.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ddp_engine.errors import BadInput

__all__ = ["INCLUDES", "MetaCommand", "MetaRefused", "include_target", "parse_meta", "sql_files"]

#: Includes nest at most this deep (a file that includes itself must end somewhere).
MAX_INCLUDE_DEPTH = 16

#: Include another file: relative to the working directory (``\\i``) or to the including file
#: (``\\ir``); either way the file must lie inside the source folder.
INCLUDES = {
    "i": "cwd",
    "include": "cwd",
    "ir": "file",
    "include_relative": "file",
}

#: What is allowed besides includes: variables (no backticks), comments to the reader, and
#: pg_dump's ``\\restrict``/``\\unrestrict`` guards (which only bound a dump's own text).
ALLOWED = frozenset({"set", "unset", "echo", "restrict", "unrestrict", *INCLUDES})

_NAME = re.compile(r"\\([A-Za-z_]*)")
_VARIABLE = re.compile(r"[A-Za-z0-9_]+")


class MetaRefused(Exception):
    """A meta-command loading does not run; the message says which and why."""


@dataclass(frozen=True)
class MetaCommand:
    """One allowed meta-command: its name and its arguments, quotes removed."""

    name: str
    args: tuple[str, ...]


def parse_meta(text: str) -> MetaCommand:
    """Read one meta-command line (``\\set x 'a b'``) or raise :class:`MetaRefused`.

    Refused: any command not in :data:`ALLOWED`; a backtick anywhere (psql runs it as a shell
    command); a second backslash outside single quotes (psql starts another meta-command there,
    ``\\echo x \\! cmd``); a variable reference (``:name``), since psql would read its value as
    input again.
    """
    match = _NAME.match(text)
    if match is None or not match.group(1):
        shown = text.split()[0] if text.split() else text
        raise MetaRefused(f"psql meta-command {shown} is not allowed in a schema file")
    name = match.group(1)
    if name not in ALLOWED:
        raise MetaRefused(f"psql meta-command \\{name} is not allowed in a schema file")
    if "`" in text:
        raise MetaRefused(f"\\{name} with a backtick (a shell command) is not allowed")
    args = _split_args(name, text[match.end() :])
    if name in ("set", "unset") and args and not _VARIABLE.fullmatch(args[0]):
        raise MetaRefused(f"\\{name}: invalid variable name {args[0]!r}")
    if name in INCLUDES and len(args) != 1:
        raise MetaRefused(f"\\{name} takes one file name")
    return MetaCommand(name, tuple(args))


def _split_args(name: str, rest: str) -> list[str]:
    """Whitespace-separated words; ``'...'`` quotes a word (``''`` is a quote inside)."""
    args: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        if rest[i].isspace():
            i += 1
            continue
        word = ""
        while i < n and not rest[i].isspace():
            ch = rest[i]
            if ch == "'":
                j = i + 1
                while True:
                    end = rest.find("'", j)
                    if end < 0:
                        raise MetaRefused(f"\\{name}: unterminated quoted string")
                    if rest.startswith("''", end):
                        j = end + 2
                        continue
                    break
                word += rest[i + 1 : end].replace("''", "'")
                i = end + 1
            elif ch == "\\":
                raise MetaRefused(f"\\{name}: a second backslash command on the line")
            elif ch == ":" and i + 1 < n and (rest[i + 1] in "'\"{_" or rest[i + 1].isalnum()):
                raise MetaRefused(f"\\{name}: variable references are not allowed here")
            else:
                word += ch
                i += 1
        args.append(word)
    return args


#: A folder's load order, one relative path a line, as ``ddp dump`` writes it: when present,
#: the folder's files load in its order instead of their names' order.
ORDER_FILE = "load-order.txt"

_CHUNKS = re.compile(r"(\d+)")
#: A Flyway migration's name: versioned ``V1_2__x.sql`` or repeatable ``R__x.sql``.
_FLYWAY = re.compile(r"(V\d[\d._]*|R_)_", re.IGNORECASE)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """How people number migrations: ``V2__x.sql`` before ``V10__y.sql``, ``2_x`` before
    ``10_y``, ``V1.2`` before ``V1.10``; letters compared without case. Flyway's repeatable
    ``R__`` files come after the versioned ones, as Flyway runs them."""
    chunks = tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _CHUNKS.split(name)
        if part
    )
    return ((1 if name.startswith("R__") else 0, 0), *chunks)


def _checked(entry: Path, folder: Path, top: Path) -> Path:
    """``entry`` if it is a readable file or folder inside ``folder``, else one line why."""
    if not entry.exists():
        raise BadInput(f"{entry} is a dangling symbolic link")
    if not entry.resolve().is_relative_to(folder):
        # as for \i: a symbolic link must not lead out of the folder (a repository could
        # otherwise load ~/.psql_history or any file of the user running ddp)
        raise BadInput(f"{entry} is a symbolic link to a file outside {top}")
    if not os.access(entry, os.R_OK):
        raise BadInput(f"{entry} cannot be read (permission denied)")
    if not entry.is_file() and not entry.is_dir():
        raise BadInput(f"{entry} is not a regular file")
    return entry


def _walk(path: Path, folder: Path, top: Path, depth: int = 0) -> list[Path]:
    """The ``.sql`` files under ``path``, sub-folders read in the same (natural) order."""
    if depth > MAX_INCLUDE_DEPTH:
        raise BadInput(f"{path}: folders nest too deep")
    files: list[Path] = []
    for entry in sorted(path.iterdir(), key=lambda e: natural_key(e.name)):
        if entry.name.startswith("."):
            continue
        if entry.suffix == ".sql":
            files.append(_checked(entry, folder, top))
            if entry.is_dir():
                raise BadInput(f"{entry} is not a regular file")
        elif entry.is_dir() and not entry.is_symlink():
            files += _walk(_checked(entry, folder, top), folder, top, depth + 1)
    return files


def _ordered(path: Path, folder: Path, order: Path) -> list[Path]:
    """The files ``load-order.txt`` lists; a ``.sql`` file it leaves out is refused."""
    listed = [line.strip() for line in order.read_text().splitlines() if line.strip()]
    files = [_checked(path / name, folder, path) for name in listed if not name.startswith("#")]
    missing = set(_walk(path, folder, path)) - set(files)
    if missing:
        raise BadInput(f"{min(missing)} is not listed in {order}: add it or remove it")
    return files


def sql_files(path: Path) -> list[Path]:
    """The files of a side: ``path`` itself, or the ``.sql`` files of a folder and its
    sub-folders in the order migrations are named (:func:`natural_key`; a folder of Flyway
    migrations by version whatever the sub-folder), or in the order of the folder's
    ``load-order.txt`` when it has one.

    Every ``.sql`` entry of a folder must be a readable regular file inside the folder: a
    dangling symbolic link or a file ddp may not read would otherwise drop part of the schema
    without a word, and the sync would offer to "fix" the target accordingly; a symbolic link
    out of the folder would load a file the folder's author does not own.
    """
    if path.is_dir():
        folder = path.resolve()
        order = path / ORDER_FILE
        if order.is_file():
            files = _ordered(path, folder, order)
        else:
            files = _walk(path, folder, path)
            if files and all(_FLYWAY.match(f.name) for f in files):
                # Flyway orders by version whatever the folder a file is in
                files.sort(key=lambda f: natural_key(f.name))
        if not files:
            raise BadInput(f"no .sql files in {path}")
        return files
    if path.is_file():
        return [path]
    if path.is_symlink():
        raise BadInput(f"{path} is a dangling symbolic link")
    raise BadInput(f"{path} does not exist")


def include_target(command: MetaCommand, including: Path, folder: Path) -> Path:
    """The file ``\\i`` / ``\\ir`` names, which must be a file inside ``folder`` (resolved,
    so that neither ``..`` nor a symbolic link leads out of it)."""
    name = Path(command.args[0])
    base = Path.cwd() if INCLUDES[command.name] == "cwd" else including.parent
    target = name if name.is_absolute() else base / name
    try:
        resolved = target.resolve(strict=True)
    except OSError:
        raise MetaRefused(f"\\{command.name}: {target} does not exist") from None
    if not resolved.is_relative_to(folder):
        raise MetaRefused(f"\\{command.name}: {target} is outside the source folder {folder}")
    if not resolved.is_file():
        raise MetaRefused(f"\\{command.name}: {target} is not a regular file")
    return resolved
