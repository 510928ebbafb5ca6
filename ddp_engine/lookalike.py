"""Renames nobody hinted: a dropped and an added object of the same shape.

A table that is only in the target and one that is only in the source, with the same columns
(names, types, order); or, in one table, a column the source lacks and one the target lacks
with the same type, nullability and position: most likely one object renamed. Planned as a
drop and a create, the data would stay behind in a tombstone, so the create step carries the
blocking ``possible_rename`` hazard naming the hint that keeps the data in place.
"""

from __future__ import annotations

from typing import Any

from ddp_engine.diff import Action
from ddp_engine.hazards import HazardCode, hazard
from ddp_engine.model import Key, Snapshot
from ddp_engine.plan_model import Plan


def _shape(table: Any) -> tuple[tuple[str, str, bool], ...]:
    return tuple((c.name, c.data_type, c.not_null) for c in table.columns)


def _columns(table: Any) -> list[tuple[str, bool]]:
    return [(c.data_type, c.not_null) for c in table.columns]


def lookalikes(plan: Plan, source: Snapshot, target: Snapshot) -> dict[Key, str]:
    """The key of each created object that looks like a dropped one, with the hint."""
    created = {c.key for c in plan.changes if c.action == Action.CREATE}
    dropped = {c.key for c in plan.changes if c.action == Action.DROP}
    src_tables = {(t.schema_name, t.name): t for t in source.tables}
    tgt_tables = {(t.schema_name, t.name): t for t in target.tables}
    found: dict[Key, str] = {}
    gone = [k for k in dropped if k[0] == "table"]
    for key in (k for k in created if k[0] == "table"):
        new = src_tables.get(key[1:3])
        for old_key in gone:
            old = tgt_tables.get(old_key[1:3])
            if new is None or old is None or old_key[1] != key[1]:
                continue
            if _shape(old) == _shape(new) and new.columns:
                found[key] = f"--rename table:{key[1]}.{old_key[2]}={key[2]}"
    for key in (k for k in created if k[0] == "column"):
        new_table, old_table = src_tables.get(key[1:3]), tgt_tables.get(key[1:3])
        if new_table is None or old_table is None:
            continue
        names = [c.name for c in new_table.columns]
        position = names.index(key[3])
        for old_key in dropped:
            if old_key[0] != "column" or old_key[1:3] != key[1:3]:
                continue
            old_names = [c.name for c in old_table.columns]
            old_position = old_names.index(old_key[3])
            same = _columns(new_table)[position] == _columns(old_table)[old_position]
            if same and position == old_position:
                found[key] = f"--rename column:{key[1]}.{key[2]}.{old_key[3]}={key[3]}"
    return found


def flag_lookalikes(plan: Plan, source: Snapshot, target: Snapshot) -> Plan:
    """``plan`` with a ``possible_rename`` hazard on each look-alike's create step."""
    found = lookalikes(plan, source, target)
    if not found:
        return plan
    steps = []
    for step in plan.steps:
        hint = found.pop(step.key, None) if step.action == Action.CREATE else None
        if hint is not None:
            message = (
                f"looks like a rename: created empty while the old one's data is kept aside; "
                f"to keep the data in place give {hint}"
            )
            step = step.model_copy(
                update={"hazards": (*step.hazards, hazard(HazardCode.POSSIBLE_RENAME, message))}
            )
        steps.append(step)
    return plan.model_copy(update={"steps": tuple(steps)})
