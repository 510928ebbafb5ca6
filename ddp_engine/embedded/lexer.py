"""psql's statement boundaries, for loading schema files without psql.

One lexer, kept for one job: a schema file is loaded statement by statement through psycopg
(psql itself would run the shell commands a file can hold, see :mod:`ddp_engine.sqlfiles`), so
ddp must see the file as psql sees it: where each statement ends, which lines are meta-commands
(each then vetted by :func:`ddp_engine.sqlfiles.parse_meta`), which ``:name`` references psql
would interpolate, and the data lines a ``COPY ... FROM stdin`` carries. The rules follow
psql's own scanner (``psqlscan.l``): quotes, dollar quotes, nested comments, parentheses and
the BEGIN ... END of SQL-standard routine bodies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Statement", "split_sql"]


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its text as psql would send it and where it sits."""

    text: str
    start_line: int
    end_line: int
    #: psql variable references in ``text``: (start, end, quote, name), quote ``'``, ``"`` or "".
    references: tuple[tuple[int, int, str, str], ...] = ()
    #: The lines after ``COPY ... FROM stdin;`` up to ``\.``; None for other statements.
    copy_data: str | None = None

    def interpolated(self, variables: Mapping[str, str]) -> str:
        """The text with every reference to a set variable replaced as psql replaces it: as is
        (``:name``), as a literal (``:'name'``), as an identifier (``:"name"``). References to
        unset variables stay as written (psql's rule too)."""
        parts: list[str] = []
        at = 0
        for start, end, quote, name in self.references:
            if name not in variables:
                continue
            value = variables[name]
            if quote:
                value = quote + value.replace(quote, quote * 2) + quote
            parts += [self.text[at:start], value]
            at = end
        return "".join(parts) + self.text[at:] if parts else self.text


_IDENT_START = re.compile(r"[A-Za-z_\u0080-\uffff]")
_IDENT = re.compile(r"[A-Za-z_0-9$\u0080-\uffff]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$")
_VARIABLE_REF = re.compile(r":(?:'(\w+)'|\"(\w+)\"|(\w+))")
_COPY_FROM_STDIN = re.compile(r"(?is)^copy\b.*\bfrom\s+stdin\b")
_COPY_END = re.compile(r"^\\\.[ \t]*\r?$", re.M)


def split_sql(text: str) -> list[Statement]:
    """Split a script into statements the way psql does.

    A semicolon ends a statement outside quotes, comments and parentheses, and outside the
    BEGIN ... END of a ``CREATE [OR REPLACE] FUNCTION|PROCEDURE`` (SQL-standard bodies); leading
    whitespace and comments are not part of a statement, so a server error position maps back
    to a line. A line starting with a backslash outside a statement is a psql meta-command and
    becomes a statement of its own, for the loader to vet.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    statements: list[Statement] = []
    n = len(text)
    i = 0
    line = 1
    start: int | None = None
    start_line = 0
    paren = 0
    begin_depth = 0
    words: list[str] = []
    references: list[tuple[int, int, str, str]] = []

    def finish(end: int, end_line: int) -> None:
        nonlocal start, paren, begin_depth, words
        if start is not None:
            body = text[start:end].rstrip()
            if body:
                statements.append(Statement(body, start_line, end_line, tuple(references)))
        start, paren, begin_depth, words = None, 0, 0, []
        references.clear()

    def copy_data(at: int) -> int:
        """Attach the data lines after ``COPY ... FROM stdin;`` to it; returns where SQL resumes."""
        nonlocal line
        newline = text.find("\n", at)
        if newline < 0:
            return n
        end = _COPY_END.search(text, newline + 1)
        data = text[newline + 1 : end.start() if end else n]
        statements[-1] = dataclasses.replace(statements[-1], copy_data=data)
        resume = n if end is None else end.end()
        line += text.count("\n", at, resume)
        return resume

    def begin(at: int) -> None:
        nonlocal start, start_line
        if start is None:
            start, start_line = at, line

    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            line += text.count("\n", i, j)
            i = j
        elif ch == "\\" and start is None:
            j = text.find("\n", i)
            j = n if j < 0 else j
            start, start_line = i, line
            finish(j, line)
            i = j
        elif ch == "'":
            begin(i)
            escapes = i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_ident_char(text[i - 2]))
            j = i + 1
            while j < n:
                if escapes and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            j = min(j + 1, n)
            line += text.count("\n", i, j)
            i = j
        elif ch == '"':
            begin(i)
            j = text.find('"', i + 1)
            while j >= 0 and text.startswith('""', j):
                j = text.find('"', j + 2)
            j = n if j < 0 else j + 1
            line += text.count("\n", i, j)
            i = j
        elif ch == "$" and (match := _DOLLAR_TAG.match(text, i)) and not _after_ident(text, i):
            begin(i)
            tag = match.group(0)
            j = text.find(tag, match.end())
            j = n if j < 0 else j + len(tag)
            line += text.count("\n", i, j)
            i = j
        elif _IDENT_START.match(ch) and not _after_ident(text, i):
            begin(i)
            match = _IDENT.match(text, i + 1)
            end = match.end() if match else i + 1
            word = text[i:end].lower()
            if len(words) < 4:
                words.append(word)
            if _in_routine_header(words) and paren == 0:
                if word == "begin" or (word == "case" and begin_depth >= 1):
                    begin_depth += 1
                elif word == "end" and begin_depth > 0:
                    begin_depth -= 1
            i = end
        elif ch == "(":
            begin(i)
            paren += 1
            i += 1
        elif ch == ")":
            begin(i)
            paren = max(paren - 1, 0)
            i += 1
        elif ch == ";":
            begin(i)
            i += 1
            if paren == 0 and begin_depth == 0:
                finish(i, line)
                if _COPY_FROM_STDIN.match(statements[-1].text):
                    i = copy_data(i)
        elif ch == ":" and (match := _VARIABLE_REF.match(text, i)) and text[i - 1 : i] != ":":
            begin(i)
            assert start is not None
            quote = "'" if match.group(1) else '"' if match.group(2) else ""
            name = match.group(1) or match.group(2) or match.group(3)
            references.append((i - start, match.end() - start, quote, name))
            i = match.end()
        else:
            begin(i)
            i += 1
    finish(n, line)
    return statements


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or ord(ch) >= 0x80


def _after_ident(text: str, i: int) -> bool:
    return i > 0 and _is_ident_char(text[i - 1])


def _in_routine_header(words: list[str]) -> bool:
    """psql's test: the statement starts CREATE [OR REPLACE] FUNCTION|PROCEDURE."""
    if len(words) >= 2 and words[0] == "create" and words[1] in ("function", "procedure"):
        return True
    return (
        len(words) >= 4
        and words[:3] == ["create", "or", "replace"]
        and words[3] in ("function", "procedure")
    )
