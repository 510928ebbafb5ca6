"""Columns: add, rename away, retype, defaults, identities and NOT NULL."""

from __future__ import annotations

import re

from ddp_engine.ddl.base import (
    column_sql,
    identity_options,
    identity_sql,
)
from ddp_engine.ddl.inherit import InheritSteps
from ddp_engine.ddl.retype import RetypeSteps
from ddp_engine.diff import Action, Change
from ddp_engine.hazards import KEPT, LOCK, MAY_FAIL, REWRITE, SCAN, Hazard, HazardCode, hazard
from ddp_engine.model import (
    Column,
    Key,
    Table,
)
from ddp_engine.sqltext import ident, literal, qualified
from ddp_engine.stepspec import Generated, Section, StepSpec, alters, drops, step

#: A sequence moved past a column's existing values (ColumnSteps._catch_up).
CATCH_UP = hazard(
    HazardCode.RESTARTS_IDENTITY, "starts the sequence after the column's largest value"
)
_NEXTVAL = re.compile(r"^(?:pg_catalog\.)?nextval\(('(?:[^']|'')+')::regclass\)$")


def sequence_of(default: str | None) -> str | None:
    """``nextval('s'::regclass)`` (a serial's default) → the sequence as SQL, else None."""
    match = _NEXTVAL.match(default or "")
    return f"{match.group(1)}::pg_catalog.regclass" if match else None


class ColumnSteps(RetypeSteps, InheritSteps):
    """Columns: the values themselves."""

    def _column_create(self, change: Change, carried: Hazard | None = None) -> Generated:
        """Add a column (``carried``: the hazard of one added anew in place of an old one whose
        values it cannot take)."""
        _, schema, table, name = change.key
        t, c = self.ctx.src[change.key]
        tgt_table = self.ctx.target_table(schema, table)
        if tgt_table is not None and self._inherited_in(
            self.ctx.target, tgt_table, name, leaving=t
        ):
            return  # it becomes the table's own column when the table is detached
        q = qualified(schema, table)
        hazards = [carried] if carried else []
        check: tuple[str, ...] = ()
        if c.not_null and c.default is None and c.identity is None and c.generated is None:
            hazards.append(MAY_FAIL)
            if self._existing(schema, table):
                check = ("rows", schema, table, name)
        if c.generated is not None or c.identity is not None:
            hazards += [LOCK, REWRITE]
        stmts = [f"ALTER TABLE {q} ADD COLUMN {column_sql(c, schema)}"]
        stmts += self._column_extras(t, c, None)
        provides: list[Key] = [change.key]
        if c.default is not None or c.generated is not None:  # pg_attrdef holds both
            provides.append(("default", schema, table, name))
        parents = [self._split_regclass(p, schema) for p in t.inherits]
        yield step(
            Section.COLUMN,
            change.key,
            Action.CREATE,
            f"Add missing column {table}.{name}",
            stmts,
            provides=provides,
            hazards=hazards,
            after_disturbed=[("column", ps, pn, name) for ps, pn in parents],
            check=check,
        )
        if c.acl:
            yield from self._privileges(
                "column", change.key, f"TABLE {q}", c.acl, (), None, columns=f" ({ident(c.name)})"
            )

    def _not_null_online(self, schema: str, table: str, column: str) -> Generated:
        """SET NOT NULL without a long lock: a NOT VALID check, validated online, then used."""
        q = qualified(schema, table)
        name = self.ctx.dropped(f"{column}_not_null").replace("_dropped_", "_ddp_")
        key: Key = ("column", schema, table, column)
        yield alters(
            key,
            f"Prepare NOT NULL on {table}.{column} (a NOT VALID check, validated online)",
            [
                f"ALTER TABLE {q} ADD CONSTRAINT {ident(name)} CHECK ({ident(column)} IS NOT NULL) "
                "NOT VALID"
            ],
            provides=[key],
            hazards=[LOCK],
            seq=5,
        )
        yield alters(
            key,
            f"Set NOT NULL on {table}.{column} through the validated check",
            [
                f"ALTER TABLE {q} VALIDATE CONSTRAINT {ident(name)}",
                f"ALTER TABLE {q} ALTER COLUMN {ident(column)} SET NOT NULL",
                f"ALTER TABLE {q} DROP CONSTRAINT {ident(name)}",
            ],
            hazards=[SCAN, MAY_FAIL],
            check=("not_null", schema, table, column),
            online=True,
            seq=6,
        )

    def _column_drop(self, change: Change, recreate: bool = False) -> Generated:
        _, schema, table, name = change.key
        c = self.ctx.tgt[change.key][1]
        src_table = self.ctx.source_table(schema, table)
        if src_table is not None and self._inherited_in(self.ctx.source, src_table, name):
            return  # the parent provides it once the table is attached
        q = qualified(schema, table)
        col = ident(name)
        new = self.ctx.dropped(name)
        stmts = []
        if c.identity:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP IDENTITY")
        if c.generated is not None and not c.virtual:  # a virtual one has no values to keep
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP EXPRESSION")
        if c.default is not None:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP DEFAULT")
        if c.not_null:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP NOT NULL")
        stmts.append(f"ALTER TABLE {q} RENAME COLUMN {col} TO {ident(new)}")
        yield step(
            Section.COLUMN,
            change.key,
            Action.RENAME,
            f"Rename extra column {table}.{name} before drop (data preservation)",
            stmts,
            disturbs=[change.key, ("default", schema, table, name)],
            hazards=[KEPT],
            cleanup=[f"ALTER TABLE {q} DROP COLUMN IF EXISTS {ident(new)};"],
        )

    def _virtual_to_plain(self, t: Table, c: Column, old: Column) -> StepSpec:
        """A VIRTUAL generated column becomes a plain one. PostgreSQL cannot drop the
        expression of a virtual column, so its values are copied into a new plain column and
        the virtual one is kept under a renamed name (cleanup drops it).

        The copy is a rewrite (``ALTER COLUMN ... TYPE ... USING``), never an UPDATE: an
        UPDATE would fire the table's triggers, which run with ddp's rights and may change
        other columns; a rewrite fires none."""
        q = qualified(t.schema_name, t.name)
        col, tombstone = ident(c.name), ident(self.ctx.dropped(c.name))
        key: Key = ("column", t.schema_name, t.name, c.name)
        collate = f" COLLATE {c.collation}" if c.collation else ""
        stmts = [
            f"ALTER TABLE {q} RENAME COLUMN {col} TO {tombstone}",
            f"ALTER TABLE {q} ADD COLUMN {col} {c.data_type}{collate}",
            f"ALTER TABLE {q} ALTER COLUMN {col} TYPE {c.data_type}{collate} USING {tombstone}",
        ]
        if c.not_null:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
        return alters(
            key,
            f"Store the values of virtual column {t.name}.{c.name} in a plain column",
            stmts,
            provides=[key],
            disturbs=[key],
            hazards=[LOCK, REWRITE, KEPT],
            seq=1,
            cleanup=[f"ALTER TABLE {q} DROP COLUMN IF EXISTS {tombstone};"],
        )

    def _catch_up(self, schema: str, table: str, column: str, sequence: str | None) -> list[str]:
        """A sequence that starts numbering a column holding values (an identity or serial
        default added over existing rows) moves past the column's largest value, read when
        the script runs: else the next insert collides. Never backwards, never below START."""
        if sequence is None or not self._existing(schema, table):
            return []
        q = qualified(schema, table)
        return [
            "SELECT pg_catalog.setval(s.seq, s.top::pg_catalog.int8) "
            f"FROM (SELECT {sequence} AS seq, pg_catalog.max({ident(column)}) AS top "
            f"FROM {q}) AS s "
            "JOIN pg_catalog.pg_sequence AS p ON p.seqrelid OPERATOR(pg_catalog.=) s.seq "
            "WHERE p.seqincrement OPERATOR(pg_catalog.>) 0 AND s.top OPERATOR(pg_catalog.>=) "
            "COALESCE(pg_catalog.pg_sequence_last_value(s.seq), p.seqstart)"
        ]

    def _column_alter(self, change: Change) -> Generated:
        _, schema, table, name = change.key
        t = self.ctx.source_table(schema, table)
        old_table = self.ctx.target_table(schema, table)
        assert t is not None and old_table is not None
        c, old = t.column(name), old_table.column(name)
        assert c is not None and old is not None
        q = qualified(schema, table)
        col = ident(name)
        fields = set(change.fields)
        key = change.key
        default_key: Key = ("default", schema, table, name)
        label = f"{table}.{name}"
        lost = self._not_carried(key, old, c) if "data_type" in fields else None
        if lost is not None:  # no cast: kept in a tombstone column, added anew
            yield from self._column_drop(Change.drop(key))
            yield from self._column_create(Change.create(key), carried=lost)
            return
        if {"generated", "virtual"} & fields and c.generated is not None:
            # a new expression, or STORED <-> VIRTUAL (PostgreSQL changes neither in place)
            if old.generated is None:  # a stored column becomes computed: keep the old values
                yield from self._column_drop(Change.drop(key))
            else:
                yield step(
                    Section.COLUMN,
                    key,
                    Action.DROP,
                    f"Drop generated column {label} (recomputed)",
                    [f"ALTER TABLE {q} DROP COLUMN {col}"],
                    disturbs=[key, default_key],
                )
            carried: list[Hazard] = []
            if old.generated is None:
                carried.append(
                    hazard(
                        HazardCode.DATA_NOT_CARRIED,
                        f"{label} is computed from now on: its stored values stay in "
                        f"{self.ctx.dropped(name)}",
                    )
                )
            yield step(
                Section.COLUMN,
                key,
                Action.CREATE,
                f"Add generated column {label}",
                [f"ALTER TABLE {q} ADD COLUMN {column_sql(c, schema)}"],
                provides=[key, default_key],  # after what its expression calls (pg_attrdef)
                hazards=[LOCK, REWRITE, *carried],
                seq=1,
            )
            return
        stmts: list[str] = []
        if "generated" in fields and old.virtual:  # computed when read → stored values
            yield self._virtual_to_plain(t, c, old)
        elif "generated" in fields:  # computed → stored values
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP EXPRESSION")
        frees = []
        if "identity" in fields and old.identity and not c.identity:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP IDENTITY")
            if old.identity_sequence:  # its sequence goes: a serial may take the name
                frees.append((schema, old.identity_sequence))
        if stmts:
            note = f"Change column {label}"
            yield alters(key, note, stmts, disturbs=[key], frees=frees)
        retype = bool(fields & {"data_type", "collation"})
        only = self._only(schema, table, name)  # children holding their own default keep it
        if old.default is not None and (
            retype or ("default" in fields) or ("identity" in fields and c.identity)
        ):
            yield drops(
                default_key,
                f"Drop default of {label}",
                [f"ALTER TABLE {only}{q} ALTER COLUMN {col} DROP DEFAULT"],
                seq=1,
            )
        # the new default and identity are of the new type: they follow the type change,
        # wherever that lands (after the checks and views it waits for)
        retyped = self._retype(schema, table, old, c) if retype else None
        if retyped is not None:
            yield retyped
        if c.default is not None and (retype or "default" in fields):
            catch_up = self._catch_up(schema, table, name, sequence_of(c.default))
            yield alters(
                default_key,
                f"Set default of {label}",
                [f"ALTER TABLE {only}{q} ALTER COLUMN {col} SET DEFAULT {c.default}", *catch_up],
                provides=[default_key],
                hazards=[CATCH_UP] if catch_up else [],
                seq=3,
                after=[retyped],
            )
        stmts = []
        hazards: list[Hazard] = []
        if "identity" in fields and c.identity:
            kind = "ALWAYS" if c.identity == "a" else "BY DEFAULT"
            if old.identity:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET GENERATED {kind}")
            else:
                if not old.not_null:
                    stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} ADD {identity_sql(c, schema)}")
                serial = (
                    f"pg_catalog.pg_get_serial_sequence({literal(q)}, {literal(name)})"
                    "::pg_catalog.regclass"
                )
                catch_up = self._catch_up(schema, table, name, serial)
                stmts += catch_up
                hazards += [CATCH_UP] if catch_up else []
        if (
            "identity_sequence" in fields
            and c.identity
            and old.identity
            and c.identity_sequence
            and old.identity_sequence
        ):
            stmts.append(
                f"ALTER SEQUENCE {qualified(schema, old.identity_sequence)} "
                f"RENAME TO {ident(c.identity_sequence)}"
            )
        if (
            "identity_options" in fields
            and c.identity
            and old.identity
            and c.identity_options
            and "data_type" not in fields
        ):
            sets = " ".join(identity_options(c.identity_options, "SET "))
            catch_up = []
            if old.identity_options and c.identity_options[2] > old.identity_options[0]:
                # the counter would sit below the new MINVALUE: start it again at START, then
                # past the column's largest value (else the next inserts collide with rows)
                sets += f" RESTART WITH {c.identity_options[0]}"
                serial = (
                    f"pg_catalog.pg_get_serial_sequence({literal(q)}, {literal(name)})"
                    "::pg_catalog.regclass"
                )
                catch_up = self._catch_up(schema, table, name, serial)
                hazards.append(
                    hazard(
                        HazardCode.RESTARTS_IDENTITY,
                        "restarts the identity's counter"
                        + (", then moves it past the column's values" if catch_up else ""),
                    )
                )
            stmts += [f"ALTER TABLE {q} ALTER COLUMN {col} {sets}", *catch_up]
        disturbs: list[Key] = []
        check: tuple[str, ...] = ()
        if "not_null" in fields and not (c.identity and "identity" in fields):
            if c.not_null and self.ctx.online:
                yield from self._not_null_online(schema, table, name)
            elif c.not_null:
                stmts.append(self._set_not_null(t, c.name))
                hazards += [SCAN, MAY_FAIL]
                check = ("not_null", schema, table, name)
            elif not old.identity or "identity" in fields:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP NOT NULL")
                disturbs.append(key)  # after a primary key that holds it is dropped
        stmts += self._column_extras(t, c, old)
        if stmts:
            yield alters(
                key,
                f"Change column {label}",
                stmts,
                provides=[key],
                disturbs=disturbs,
                check=check,
                hazards=hazards,
                seq=4,
                after=[retyped],
            )
        if "acl" in fields:
            yield from self._privileges(
                "column", key, f"TABLE {q}", c.acl, old.acl, old_table.owner, columns=f" ({col})"
            )
