"""Look at the target's rows before anyone runs the script: will a step fail on existing data,
and which values would it change?

Counts: NULLs before SET NOT NULL, duplicate keys before a unique index or constraint, rows
that break a new CHECK or foreign key, rows of a table that gets a NOT NULL column without a
default, and for a type change (or a move to a rebuilt enum) the values that would fail and
those that would change under the step's exact conversion (conversions.py). Those last two
are the *value checks*: their findings carry the blocking hazards ``values_fail`` and
``values_change``, and ``recheck`` runs them again inside the apply transaction.

Only what computes: a check evaluates text from the source (a CHECK's expression, an index
predicate) only when it calls nothing but immutable functions (sideeffects.py).

Read-only and short: each table's checks run in a transaction of their own (a concurrent
``ALTER TABLE`` waits for one table's counts, never for the whole batch), as the table's owner
when the login may ``SET ROLE`` to it (a user-defined cast or input function then never runs
with ddp's rights), with row security off (a count that a policy would filter errs instead),
under the TimeZone the script sets, and under a statement timeout taken from a total budget; a
check that runs out of time says so instead of guessing. The transactions of several tables go
to the server in one round trip.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import psycopg

from ddp_engine.connect import SessionLimits, connect
from ddp_engine.conversions import convert_check, labels_check
from ddp_engine.errors import PlanRefused
from ddp_engine.hazards import HazardCode, hazard, refused
from ddp_engine.plan_model import DataFinding, Plan
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sideeffects import unsafe_calls
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Step
from ddp_engine.user_conversions import using_check

#: Checks whose findings carry blocking hazards (and run again inside the apply transaction).
VALUE_CHECKS = ("convert", "labels", "using")


class Probe(NamedTuple):
    """How to count one check: SQL returning one row of counts, what a count means, and for
    a value check the row-by-row DO block to use when a value makes the first query err."""

    sql: str
    meaning: str
    by_row: str | None = None


def probe(check: tuple[str, ...]) -> Probe | None:
    """How to count a step's check, or None for a kind this module does not know."""
    kind, schema, table, *rest = check
    q = qualified(schema, table)
    count = "SELECT pg_catalog.count(*)"
    if kind == "not_null":
        (column,) = rest
        return Probe(
            f"{count} FROM {q} WHERE {ident(column)} IS NULL", f"row(s) hold NULL in {column}"
        )
    if kind == "rows":
        return Probe(f"{count} FROM {q}", "existing row(s) would get NULL in a NOT NULL column")
    if kind == "unique":
        predicate, *columns = rest
        cols = ", ".join(ident(c) for c in columns)
        where = " AND ".join(f"{ident(c)} IS NOT NULL" for c in columns)
        if predicate:
            where += f" AND ({predicate})"
        return Probe(
            f"{count} FROM (SELECT FROM {q} WHERE {where} GROUP BY {cols} "
            "HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1) AS duplicates",
            f"duplicated key(s) in ({', '.join(columns)})",
        )
    if kind == "check":
        (expression,) = rest
        return Probe(f"{count} FROM {q} WHERE NOT {expression}", "row(s) violate the check")
    if kind == "fk":
        ref_schema, ref_table, column_list, ref_list = rest
        pairs = list(zip(column_list.split(","), ref_list.split(","), strict=True))
        present = " AND ".join(f"c.{ident(mine)} IS NOT NULL" for mine, _ in pairs)
        match = " AND ".join(
            f"r.{ident(theirs)} OPERATOR(pg_catalog.=) c.{ident(mine)}" for mine, theirs in pairs
        )
        return Probe(
            f"{count} FROM {q} AS c WHERE {present} AND NOT EXISTS "
            f"(SELECT FROM {qualified(ref_schema, ref_table)} AS r WHERE {match})",
            "row(s) reference no existing key",
        )
    if kind == "convert":
        column, old_type, new_type, mode, compare = rest
        counts, by_row = convert_check(
            schema,
            table,
            column,
            old_type,
            new_type,
            mode,  # type: ignore[arg-type]
            compare,  # type: ignore[arg-type]
        )
        return Probe(counts, f"value(s) of {column} converting to {new_type}", by_row)
    if kind == "using":  # the user's conversion (--using): the rows it would fail on
        column, new_type, expression = rest
        counts, by_row = using_check(schema, table, new_type, expression)
        return Probe(counts, f"value(s) of {column} converting to {new_type} as given", by_row)
    if kind == "labels":
        column, array, *labels = rest
        sql = labels_check(schema, table, column, bool(array), labels)
        return Probe(sql, f"value(s) of {column} moving to the rebuilt enum")
    return None


def source_expression(check: tuple[str, ...]) -> str:
    """What a check evaluates besides ddp's own SQL ("" if nothing): the text from the source
    (a new CHECK's expression, a new unique index's predicate), or for a type change the casts
    there and back (the cast back is the check's alone: the script never runs it).
    sideeffects.py says which may run."""
    if check[0] == "check" or (check[0] == "unique" and check[3]):
        return check[3]
    if check[0] == "convert":
        old_type, new_type = check[4], check[5]
        return f"NULL::{old_type}::{new_type}::{old_type}"
    return ""


#: Checks sent to the server in one round trip. A plan at 10,000 tables counts hundreds of
#: things, most of them in a millisecond: the round trips were most of the checks' time.
BATCH = 64

_OWNERS = """
SELECT w.s, w.t, pg_catalog.pg_get_userbyid(c.relowner),
       pg_catalog.pg_has_role(c.relowner, %s)
FROM ROWS FROM (pg_catalog.unnest(%s::pg_catalog.text[]),
               pg_catalog.unnest(%s::pg_catalog.text[])) AS w(s, t)
JOIN pg_catalog.pg_namespace AS n ON n.nspname OPERATOR(pg_catalog.=) w.s::pg_catalog.name
JOIN pg_catalog.pg_class AS c
  ON c.relnamespace OPERATOR(pg_catalog.=) n.oid
 AND c.relname OPERATOR(pg_catalog.=) w.t::pg_catalog.name
"""


class _Table(NamedTuple):
    """One table's checks: they run in one short transaction, as ``role`` when set."""

    role: str | None
    checks: list[tuple[int, Step, Probe]]


def run_data_checks(
    settings: ConnectionSettings,
    plan: Plan,
    budget_seconds: float = 30.0,
    limits: SessionLimits | None = None,
) -> Plan:
    """The plan with DataFindings for every step whose check could be counted (and, for the
    value checks, for those that could not)."""
    checked = [(i, step) for i, step in enumerate(plan.steps) if step.check]
    if not checked:
        return plan
    findings: list[DataFinding] = []
    deadline = time.monotonic() + budget_seconds
    with connect(settings, "target", limits) as conn:
        conn.autocommit = True
        unsafe = unsafe_calls(conn, (e for _, s in checked if (e := source_expression(s.check))))
        findings += [
            _not_counted(i, s, f"not checked: {unsafe[e]}")
            for i, s in checked
            if (e := source_expression(s.check)) in unsafe
        ]
        checked = [(i, s) for i, s in checked if source_expression(s.check) not in unsafe]
        tables = _by_table(conn, checked)
        zone = plan.time_zone
        batch: list[_Table] = []
        for table in tables:
            batch.append(table)
            if sum(len(t.checks) for t in batch) >= BATCH:
                findings += _check_batch(conn, batch, zone, deadline)
                batch = []
        if batch:
            findings += _check_batch(conn, batch, zone, deadline)
    findings += [_not_counted(i, s) for i, s in checked if probe(s.check) is None]
    findings.sort(key=lambda f: f.step)
    return plan.model_copy(update={"data_checks": tuple(findings)})


def unchecked(plan: Plan) -> Plan:
    """The plan with the value checks' findings saying they were not counted (data checks
    turned off): a type change whose values nobody counted needs consent like one that
    changes them."""
    findings = [
        _not_counted(i, step, "not checked: data checks are off")
        for i, step in enumerate(plan.steps)
        if step.check and step.check[0] in VALUE_CHECKS
    ]
    return plan.model_copy(update={"data_checks": tuple(findings)})


def _by_table(conn: psycopg.Connection, checked: list[tuple[int, Step]]) -> list[_Table]:
    """The checks grouped by table, in plan order, with the role each table's run as."""
    groups: dict[tuple[str, str], list[tuple[int, Step, Probe]]] = {}
    for index, step in checked:
        found = probe(step.check)
        if found is not None:
            groups.setdefault((step.check[1], step.check[2]), []).append((index, step, found))
    owners = _owners(conn, list(groups))
    return [_Table(owners.get(key), checks) for key, checks in groups.items()]


def _owners(conn: psycopg.Connection, tables: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The owner of each table, where the login may ``SET ROLE`` to it: the checks run as
    that role, so that the owner's casts, functions and operators never run with ddp's
    rights."""
    privilege = "SET" if conn.info.server_version >= 160000 else "MEMBER"
    schemas, names = [s for s, _ in tables], [t for _, t in tables]
    return {
        (s, t): owner
        for s, t, owner, may in conn.execute(_OWNERS, (privilege, schemas, names))
        if may
    }


def _begin(role: str | None, zone: str | None, timeout_ms: int) -> str:
    settings = [
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        *([f"SET LOCAL ROLE {ident(role)}"] if role else []),
        "SET LOCAL row_security = off",
        *([f"SET LOCAL TimeZone = {literal(zone)}"] if zone else []),
        f"SET LOCAL statement_timeout = {max(timeout_ms, 1)}",
    ]
    return "; ".join(settings)


def _check_batch(
    conn: psycopg.Connection, batch: list[_Table], zone: str | None, deadline: float
) -> list[DataFinding]:
    """Findings for ``batch``: each table's counts in a transaction of its own, all of them in
    one round trip, each count under an equal share of the budget left; when any of them
    fails or runs out of its share, one at a time (a failure stops the rest of the round
    trip, so its counts are not known)."""
    n = sum(len(t.checks) for t in batch)
    share_ms = int((deadline - time.monotonic()) * 1000) // max(n, 1)
    if n > 1 and share_ms >= 50:
        text = "; ".join(
            f"{_begin(t.role, zone, share_ms)}; "
            + "; ".join(p.sql for _, _, p in t.checks)
            + "; COMMIT"
            for t in batch
        )
        try:
            rows = iter(_rows(conn, text))
        except psycopg.Error:
            pass
        else:
            return [f for t in batch for i, s, p in t.checks for f in _counted(i, s, p, next(rows))]
    return [
        f
        for t in batch
        for i, s, p in t.checks
        for f in _check(conn, t.role, zone, i, s, p, deadline)
    ]


def _rows(conn: psycopg.Connection, text: str) -> list[tuple[int, ...]]:
    """Run ``text`` in one round trip; the row of every statement that returns one. An error
    rolls its transaction back and propagates."""
    try:
        cur = conn.execute(text.encode())
    except psycopg.Error:
        conn.execute("ROLLBACK")
        raise
    rows = []
    while True:
        if cur.description is not None:
            row = cur.fetchone()
            rows.append(tuple(int(v) for v in row) if row else (0,))
        if not cur.nextset():
            return rows


def _check(
    conn: psycopg.Connection,
    role: str | None,
    zone: str | None,
    index: int,
    step: Step,
    found: Probe,
    deadline: float,
) -> list[DataFinding]:
    """One check in a transaction of its own (and a value check row by row if a value errs)."""
    remaining_ms = int((deadline - time.monotonic()) * 1000)
    if remaining_ms < 50:
        return [_not_counted(index, step, "not checked: the data-check time budget ran out")]
    sql = found.sql
    for attempt in (0, 1):
        try:
            (row,) = _rows(conn, f"{_begin(role, zone, remaining_ms)}; {sql}; COMMIT")
        except psycopg.errors.QueryCanceled:
            return [_not_counted(index, step, "not checked: the data-check time budget ran out")]
        except psycopg.Error as exc:
            if attempt == 0 and found.by_row is not None and _value_error(exc):
                sql = found.by_row
                remaining_ms = int((deadline - time.monotonic()) * 1000)
                continue
            return [_not_counted(index, step, f"not checked: {exc.diag.message_primary}")]
        return _counted(index, step, found, row)
    raise AssertionError("unreachable")


def _value_error(exc: psycopg.Error) -> bool:
    """Whether an error is one a value causes (a data exception, a domain's check, a user
    function raising), worth counting row by row; not a broken query (a missing type)."""
    state = exc.sqlstate or ""
    return state[:2] in ("22", "23") or state == "P0001"


def _not_counted(index: int, step: Step, message: str = "not checked") -> DataFinding:
    value_check = step.check[0] in VALUE_CHECKS
    return DataFinding(
        step=index,
        note=step.note,
        check=step.check[0],
        count=None,
        message=message,
        fails=False,
        hazard=hazard(HazardCode.VALUES_CHANGE, f"{message}: values may change or fail")
        if value_check
        else None,
    )


def _counted(index: int, step: Step, found: Probe, row: tuple[int, ...]) -> list[DataFinding]:
    kind = step.check[0]

    def finding(count: int, message: str, fails: bool, code: HazardCode | None) -> DataFinding:
        return DataFinding(
            step=index,
            note=step.note,
            check=kind,
            count=count,
            message=message,
            fails=fails,
            hazard=hazard(code, message) if code else None,
        )

    if kind not in VALUE_CHECKS:
        count = row[0]
        fails = count > 0
        message = f"{count} {found.meaning}" + (": this step will fail" if fails else "")
        return [finding(count, message, fails, None)]
    failing, changing = row[0], row[1]
    out = []
    if failing:
        message = f"{failing} {found.meaning} would fail"
        out.append(finding(failing, message, True, HazardCode.VALUES_FAIL))
    if changing:
        message = f"{changing} {found.meaning} would change"
        out.append(finding(changing, message, False, HazardCode.VALUES_CHANGE))
    if not out:
        out.append(finding(0, f"no {found.meaning} would fail or change", False, None))
    return out


def recheck(conn: psycopg.Connection, plan: Plan, allowed: frozenset[HazardCode]) -> None:
    """Inside the apply transaction, before any statement of the script: count the value
    checks again (rows may have changed since the plan) and raise if a count now blocks.

    Each checked table is first locked in SHARE mode, so that no row changes between its count
    and its conversion; each count runs in a savepoint, so that one that errs (and its DO
    block) leaves the transaction usable.
    """
    checks = [(i, s) for i, s in enumerate(plan.steps) if s.check and s.check[0] in VALUE_CHECKS]
    if not checks:
        return
    if plan.time_zone:
        conn.execute(f"SET LOCAL TimeZone = {literal(plan.time_zone)}".encode())
    unsafe = unsafe_calls(conn, (e for _, s in checks if (e := source_expression(s.check))))
    findings: list[DataFinding] = [
        _not_counted(i, s, f"not checked: {unsafe[e]}")
        for i, s in checks
        if (e := source_expression(s.check)) in unsafe
    ]
    checks = [(i, s) for i, s in checks if source_expression(s.check) not in unsafe]
    tables = sorted({(s.check[1], s.check[2]) for _, s in checks})
    for schema, table in tables:
        conn.execute(f"LOCK TABLE {qualified(schema, table)} IN SHARE MODE".encode())
    owners = _owners(conn, tables)
    for index, step in checks:
        found = probe(step.check)
        assert found is not None
        role = owners.get((step.check[1], step.check[2]))
        findings += _recount(conn, index, step, found, role)
    blocking = refused((f.hazard.code for f in findings if f.hazard), allowed)
    if blocking:
        raise PlanRefused(blocking, " in the target's rows now (counted again to apply)")


def _recount(
    conn: psycopg.Connection, index: int, step: Step, found: Probe, role: str | None
) -> list[DataFinding]:
    """One value check counted again, in a savepoint, as the table's owner (as the data
    checks count: the conversion read back to the old type runs a cast the script never
    runs, and a cast or function of the owner's must not run with ddp's rights)."""
    why = "not checked"
    become = f"SET LOCAL ROLE {ident(role)}; SET LOCAL row_security = off; " if role else ""
    for sql in dict.fromkeys((found.sql, found.by_row or found.sql)):
        try:
            with conn.transaction():
                cur = conn.execute(f"{become}{sql}".encode())
                while cur.description is None and cur.nextset():
                    pass
                row = cur.fetchone()
                if role:  # a released savepoint keeps its SET LOCAL: back to ddp's own
                    conn.execute("RESET ROLE; RESET row_security")
        except psycopg.Error as exc:
            why = f"not checked: {exc.diag.message_primary}"
            if _value_error(exc):
                continue
            break
        assert row is not None
        return _counted(index, step, found, tuple(int(v) for v in row))
    return [_not_counted(index, step, why)]
