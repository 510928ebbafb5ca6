"""Look at the target's rows before anyone runs the script: will a step fail on existing data?

Read-only and bounded: one REPEATABLE READ READ ONLY transaction, each count under a statement
timeout taken from a total budget; a check that runs out of time says so instead of guessing.
Counts: NULLs before SET NOT NULL, duplicate keys before a unique index or constraint, values
that do not cast before a type change, rows that break a new CHECK or foreign key, and rows of
a table that gets a NOT NULL column without a default.
"""

from __future__ import annotations

import time

import psycopg

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.plan import DataFinding, Plan, Step
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sqltext import ident, literal, qualified


def count_query(check: tuple[str, ...], server_version: int) -> tuple[str, str] | None:
    """(SQL returning one count, what the count means) for a step's check, or None."""
    kind, schema, table, *rest = check
    q = qualified(schema, table)
    if kind == "not_null":
        (column,) = rest
        return (
            f"SELECT count(*) FROM {q} WHERE {ident(column)} IS NULL",
            f"row(s) hold NULL in {column}",
        )
    if kind == "rows":
        return (f"SELECT count(*) FROM {q}", "existing row(s) would get NULL in a NOT NULL column")
    if kind == "unique":
        predicate, *columns = rest
        cols = ", ".join(ident(c) for c in columns)
        where = " AND ".join(f"{ident(c)} IS NOT NULL" for c in columns)
        if predicate:
            where += f" AND ({predicate})"
        return (
            f"SELECT count(*) FROM (SELECT 1 FROM {q} WHERE {where} GROUP BY {cols} "
            "HAVING count(*) > 1) AS duplicates",
            f"duplicated key(s) in ({', '.join(columns)})",
        )
    if kind == "check":
        (expression,) = rest
        return (f"SELECT count(*) FROM {q} WHERE NOT {expression}", "row(s) violate the check")
    if kind == "fk":
        ref_schema, ref_table, column_list, ref_list = rest
        pairs = list(zip(column_list.split(","), ref_list.split(","), strict=True))
        present = " AND ".join(f"c.{ident(mine)} IS NOT NULL" for mine, _ in pairs)
        match = " AND ".join(f"r.{ident(theirs)} = c.{ident(mine)}" for mine, theirs in pairs)
        return (
            f"SELECT count(*) FROM {q} AS c WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM {qualified(ref_schema, ref_table)} AS r WHERE {match})",
            "row(s) reference no existing key",
        )
    if kind == "cast":
        column, data_type = rest
        if server_version >= 160000:
            return (
                f"SELECT count(*) FROM {q} WHERE {ident(column)} IS NOT NULL AND NOT "
                f"pg_input_is_valid({ident(column)}::text, {literal(data_type)})",
                f"value(s) of {column} do not convert to {data_type}",
            )
        return (
            # Before PostgreSQL 16: cast every value; the first that fails stops the probe.
            f"SELECT count(({ident(column)}::text)::{data_type}) * 0 FROM {q}",
            f"value(s) of {column} do not convert to {data_type}",
        )
    return None


#: Checks sent to the server in one round trip. A plan at 10,000 tables counts hundreds of
#: things, most of them in a millisecond: the round trips were most of the checks' time.
BATCH = 64


def run_data_checks(
    settings: ConnectionSettings,
    plan: Plan,
    budget_seconds: float = 30.0,
    limits: SessionLimits | None = None,
) -> Plan:
    """The plan with a DataFinding for every step whose check could be counted."""
    checked = [(i, step) for i, step in enumerate(plan.steps) if step.check]
    if not checked:
        return plan
    findings: list[DataFinding] = []
    deadline = time.monotonic() + budget_seconds
    with connect(settings, "target", limits) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        version = conn.info.server_version
        for at in range(0, len(checked), BATCH):
            findings += _check_batch(conn, checked[at : at + BATCH], version, deadline)
        conn.rollback()
    return plan.model_copy(update={"data_checks": tuple(findings)})


def _check_batch(
    conn: psycopg.Connection, batch: list[tuple[int, Step]], version: int, deadline: float
) -> list[DataFinding]:
    """Findings for ``batch``: its counts in one round trip, each under an equal share of the
    budget left; when any of them fails or runs out of its share, one at a time as before
    (a failure stops the rest of a multi-statement query, so its counts are not known)."""
    queries = [count_query(step.check, version) for _, step in batch]
    counted = [query for query in queries if query is not None]
    share_ms = int((deadline - time.monotonic()) * 1000) // max(len(counted), 1)
    if len(counted) > 1 and share_ms >= 50:
        try:
            counts = iter(_counts(conn, [sql for sql, _ in counted], share_ms))
        except psycopg.Error:
            pass
        else:  # one count per query, in the batch's order
            return [
                _counted(index, step, query[1], next(counts))
                if query
                else _not_counted(index, step)
                for (index, step), query in zip(batch, queries, strict=True)
            ]
    return [_check(conn, index, step, version, deadline) for index, step in batch]


def _counts(conn: psycopg.Connection, queries: list[str], timeout_ms: int) -> list[int]:
    """Run ``queries`` (one count each) in one round trip, in a savepoint that a failure rolls
    back so that the read-only transaction goes on.

    Savepoint, timeout, counts and release go together: a round trip each were most of the
    checks' time. From PostgreSQL 13 on, a statement timeout applies to each statement of a
    multi-statement query, not to the whole.
    """
    body = "; ".join(queries)
    try:
        cur = conn.execute(
            f"SAVEPOINT ddp_batch; SET LOCAL statement_timeout = {timeout_ms}; "
            f"{body}; RELEASE ddp_batch".encode()
        )
    except psycopg.Error:
        conn.execute("ROLLBACK TO SAVEPOINT ddp_batch; RELEASE ddp_batch")
        raise
    counts = []
    while True:
        if cur.description is not None:
            row = cur.fetchone()
            counts.append(int(row[0]) if row else 0)
        if not cur.nextset():
            return counts


def _not_counted(
    index: int, step: Step, message: str = "not checked", fails: bool = False
) -> DataFinding:
    return DataFinding(
        step=index, note=step.note, check=step.check[0], count=None, message=message, fails=fails
    )


def _counted(index: int, step: Step, meaning: str, count: int) -> DataFinding:
    fails = count > 0
    message = f"{count} {meaning}" + (": this step will fail" if fails else "")
    return DataFinding(
        step=index,
        note=step.note,
        check=step.check[0],
        count=count,
        message=message,
        fails=fails,
    )


def _check(
    conn: psycopg.Connection, index: int, step: Step, version: int, deadline: float
) -> DataFinding:
    query = count_query(step.check, version)
    kind = step.check[0]
    if query is None:
        return _not_counted(index, step)
    sql, meaning = query
    remaining_ms = int((deadline - time.monotonic()) * 1000)
    if remaining_ms < 50:
        return _not_counted(index, step, "not checked: the data-check time budget ran out")
    try:
        (count,) = _counts(conn, [sql], remaining_ms)
    except psycopg.errors.QueryCanceled:
        return _not_counted(index, step, "not checked: the data-check time budget ran out")
    except psycopg.Error as exc:
        if kind == "cast":
            return _not_counted(
                index, step, f"some values do not convert: {exc.diag.message_primary}", fails=True
            )
        return _not_counted(index, step, f"not checked: {exc.diag.message_primary}")
    return _counted(index, step, meaning, count)
