"""A column's type change: as assignment converts, with the cast that exists, with the user's
conversion (``--using``), or, where no cast exists at all, not in place: the old values stay in
a tombstone column and the column is added anew (``data_not_carried``, blocking)."""

from __future__ import annotations

from ddp_engine.conversions import SAME, using
from ddp_engine.ddl.base import StepBase, rewrites
from ddp_engine.hazards import LOCK, MAY_FAIL, REWRITE, Hazard, HazardCode, hazard
from ddp_engine.model import Column, Key, Kind
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import StepSpec, alters
from ddp_engine.user_conversions import wrapped


class RetypeSteps(StepBase):
    """How a column's values reach its new type."""

    def _not_carried(self, key: Key, old: Column, new: Column) -> Hazard | None:
        """The hazard of a type change that cannot convert the values (no cast between the
        types and no ``--using``), or None when it can."""
        if not self.ctx.not_carried(key):
            return None
        return hazard(
            HazardCode.DATA_NOT_CARRIED,
            f"no cast from {old.data_type} to {new.data_type}: {key[2]}.{key[3]} is added "
            f"anew, its values stay in {self.ctx.dropped(key[3])} (give a conversion with "
            f"--using {'.'.join(ident(n) for n in key[1:])}=EXPRESSION)",
        )

    def _retype(self, schema: str, table: str, old: Column, c: Column) -> StepSpec:
        """ALTER COLUMN TYPE the way assignment converts (no USING) where the target has an
        assignment cast, else with the cast that exists; the data check counts the values
        that would fail or change under exactly that conversion (conversions.py). A
        conversion the user gave is used as given."""
        q = qualified(schema, table)
        key: Key = (Kind.COLUMN, schema, table, c.name)
        collate = f" COLLATE {c.collation}" if c.collation else ""
        same = old.data_type == c.data_type
        given = None if same else self.ctx.using.get(key)
        conversion = SAME if same else self.ctx.conversion(old.data_type, c.data_type)
        via_text = self._enum_involved(old.data_type, c.data_type)
        clause = using(c.name, c.data_type, conversion, via_text)
        mode = conversion.mode
        if mode == "unknown":
            mode = "text" if via_text else "explicit"
        check: tuple[str, ...] = ()
        if given is not None:
            clause = f" USING {wrapped(given.expression)}"
            if self._existing(schema, table):
                check = ("using", schema, table, c.name, c.data_type, given.expression)
        elif not same and self._existing(schema, table) and rewrites(old.data_type, c.data_type):
            check = ("convert", schema, table, c.name, old.data_type, c.data_type, mode)
            check += (conversion.compare,)
        how = " with the conversion given (--using)" if given is not None else ""
        return alters(
            key,
            f"Change type of {table}.{c.name}{how}",
            [f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} TYPE {c.data_type}{collate}{clause}"],
            check=check,
            provides=[key],
            disturbs=[key],
            hazards=[LOCK, *([MAY_FAIL] if check else [])]
            + ([REWRITE] if given or rewrites(old.data_type, c.data_type) or collate else []),
            seq=2,
        )
