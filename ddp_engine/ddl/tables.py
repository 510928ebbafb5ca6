"""Sequences, tables and columns: the kinds that hold data."""

from __future__ import annotations

import re

from ddp_engine.conversions import SAME, using
from ddp_engine.ddl.base import (
    StepBase,
    _key,
    column_sql,
    identity_options,
    identity_sql,
    needs_replacement,
    rewrites,
)
from ddp_engine.diff import Change
from ddp_engine.hazards import KEPT, LOCK, MAY_FAIL, REWRITE, SCAN, Hazard, hazard
from ddp_engine.model import Column, Constraint, Index, Key, Policy, Sequence, Table, Trigger
from ddp_engine.sqltext import ident, literal, qualified

#: A sequence moved past a column's existing values (TableSteps._catch_up).
CATCH_UP = hazard("restarts_identity", "starts the sequence after the column's largest value")
_NEXTVAL = re.compile(r"^(?:pg_catalog\.)?nextval\(('(?:[^']|'')+')::regclass\)$")


def sequence_of(default: str | None) -> str | None:
    """``nextval('s'::regclass)`` (a serial's default) → the sequence as SQL, else None."""
    match = _NEXTVAL.match(default or "")
    return f"{match.group(1)}::pg_catalog.regclass" if match else None


def type_storage_sql(table: str, column: str) -> str:
    """Set a column's storage back to its type's own, which only the server knows (the
    catalog read leaves a column's storage out where it is its type's; PostgreSQL 15 has no
    ``SET STORAGE DEFAULT``)."""
    regclass = f"{literal(table)}::pg_catalog.regclass"
    word = (
        "(ARRAY['PLAIN', 'EXTERNAL', 'MAIN', 'EXTENDED'])"
        "[pg_catalog.strpos('pemx', t.typstorage::pg_catalog.text)]"
    )
    return (
        "DO $ddp$BEGIN EXECUTE pg_catalog.format("
        f"'ALTER TABLE %s ALTER COLUMN %I SET STORAGE %s', {literal(table)}, {literal(column)}, "
        f"(SELECT {word} FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t "
        "ON t.oid OPERATOR(pg_catalog.=) a.atttypid "
        f"WHERE a.attrelid OPERATOR(pg_catalog.=) {regclass} "
        f"AND a.attname OPERATOR(pg_catalog.=) {literal(column)})); END$ddp$"
    )


class TableSteps(StepBase):
    """Sequences, tables and columns: the kinds that hold data."""

    def _sequence_options(self, s: Sequence, only: set[str] | None = None) -> str:
        parts = []
        fields = [
            ("data_type", f"AS {s.data_type}"),
            ("increment", f"INCREMENT BY {s.increment}"),
            ("min_value", f"MINVALUE {s.min_value}"),
            ("max_value", f"MAXVALUE {s.max_value}"),
            ("start", f"START WITH {s.start}"),
            ("cache", f"CACHE {s.cache}"),
            ("cycle", "CYCLE" if s.cycle else "NO CYCLE"),
        ]
        for name, text in fields:
            if only is None or name in only:
                parts.append(text)
        return " ".join(parts)

    def _owned_by(self, s: Sequence) -> str:
        if s.owned_by is None:
            return "NONE"
        schema, table, column = s.owned_by
        return f"{qualified(schema, table)}.{ident(column)}"

    def _sequence_create(self, change: Change) -> None:
        s: Sequence = self.p.src[change.key]
        q = qualified(s.schema_name, s.name)
        stmts = [
            f"CREATE {'UNLOGGED ' if s.unlogged else ''}SEQUENCE {q} {self._sequence_options(s)}"
        ]
        if s.comment is not None:
            stmts.append(self._comment(f"SEQUENCE {q}", s.comment))
        self.p.add(
            "SEQUENCE",
            change.key,
            "create",
            f"Create missing sequence {s.name}",
            stmts,
            provides=[change.key],
            claims=(s.schema_name, s.name),
        )
        if s.owned_by is not None:
            schema, table, column = s.owned_by
            self.p.add(
                "SEQUENCE",
                ("owned", s.schema_name, s.name, ""),
                "alter",
                f"Attach sequence {s.name} to its column",
                [f"ALTER SEQUENCE {q} OWNED BY {self._owned_by(s)}"],
                requires=[change.key, ("column", schema, table, column)],
                seq=1,
            )
        self._new_acl("sequence", change.key, f"SEQUENCE {q}", s.acl)

    def _sequence_drop(self, change: Change, recreate: bool = False) -> None:
        s: Sequence = self.p.tgt[change.key]
        new = self.p.dropped(s.name)
        self._rename_away(
            "SEQUENCE",
            change.key,
            f"Rename extra sequence {s.name} (data preservation)",
            "SEQUENCE",
            qualified(s.schema_name, s.name),
            new,
            qualified(s.schema_name, new),
            frees=((s.schema_name, s.name),),
        )

    def _sequence_alter(self, change: Change) -> None:
        src: Sequence = self.p.src[change.key]
        tgt: Sequence = self.p.tgt[change.key]
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts = []
        options = fields & {
            "data_type",
            "increment",
            "min_value",
            "max_value",
            "start",
            "cache",
            "cycle",
        }
        if options:
            stmts.append(f"ALTER SEQUENCE {q} {self._sequence_options(src, options)}")
        if "unlogged" in fields:
            stmts.append(f"ALTER SEQUENCE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
        if "comment" in fields:
            stmts.append(self._comment(f"SEQUENCE {q}", src.comment))
        if stmts:
            self.p.add(
                "SEQUENCE",
                change.key,
                "alter",
                f"Change sequence {src.name}",
                stmts,
                provides=[change.key],
            )
        if "owned_by" in fields:
            requires: list[Key] = [change.key]
            if src.owned_by is not None:
                requires.append(("column", *src.owned_by))
            self.p.add(
                "SEQUENCE",
                ("owned", src.schema_name, src.name, ""),
                "alter",
                f"Change the owner column of sequence {src.name}",
                [f"ALTER SEQUENCE {q} OWNED BY {self._owned_by(src)}"],
                requires=requires,
                seq=1,
            )
        if "acl" in fields:
            self._privileges("sequence", change.key, f"SEQUENCE {q}", src.acl, tgt.acl, tgt.owner)

    def _create_table_sql(self, t: Table) -> list[str]:
        q = qualified(t.schema_name, t.name)
        if t.partition_of:
            sql = f"CREATE TABLE {q} PARTITION OF {t.partition_of} {t.partition_bound}"
        else:
            cols = ",\n  ".join(column_sql(c, t.schema_name) for c in t.columns)
            unlogged = "UNLOGGED " if t.unlogged else ""
            sql = (
                f"CREATE {unlogged}TABLE {q} (\n  {cols}\n)"
                if cols
                else f"CREATE {unlogged}TABLE {q} ()"
            )
            if t.inherits:
                sql += f" INHERITS ({', '.join(t.inherits)})"
        if t.partition_key:
            sql += f" PARTITION BY {t.partition_key}"
        if t.options:
            sql += f" WITH ({', '.join(t.options)})"
        stmts = [sql]
        stmts += self._table_extras(t, None)
        return stmts

    def _table_extras(self, t: Table, old: Table | None) -> list[str]:
        """Statements for table attributes not expressible in CREATE TABLE."""
        q = qualified(t.schema_name, t.name)
        stmts = []
        if t.rls and (old is None or not old.rls):
            stmts.append(f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY")
        if old is not None and old.rls and not t.rls:
            stmts.append(f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY")
        if t.force_rls != (old.force_rls if old else False):
            stmts.append(f"ALTER TABLE {q} {'' if t.force_rls else 'NO '}FORCE ROW LEVEL SECURITY")
        if (
            t.replica_identity != (old.replica_identity if old else "d")
            and t.replica_identity in "dfn"
        ):
            word = {"d": "DEFAULT", "f": "FULL", "n": "NOTHING"}[t.replica_identity]
            stmts.append(f"ALTER TABLE {q} REPLICA IDENTITY {word}")
        if t.comment != (old.comment if old else None):
            stmts.append(self._comment(f"TABLE {q}", t.comment))
        if old is None:
            for c in t.columns:
                stmts += self._column_extras(t, c, None)
        return stmts

    def _not_null_renames(self, src: Table, tgt: Table) -> list[str]:
        """PostgreSQL 18 names NOT NULL constraints: a detached partition keeps its parent's."""
        q = qualified(src.schema_name, src.name)
        attached = bool(src.partition_of or src.inherits)
        have = dict(tgt.not_null_names)
        out = []
        for column, name in src.not_null_names:
            old = have.get(column)
            if old is None or old == name:
                continue
            if attached and column in tgt.not_null_inherited:
                continue  # an inherited constraint cannot be renamed while attached
            out.append(f"ALTER TABLE {q} RENAME CONSTRAINT {ident(old)} TO {ident(name)}")
        return out

    def _column_extras(self, t: Table, c: Column, old: Column | None) -> list[str]:
        q = qualified(t.schema_name, t.name)
        stmts = []
        if c.statistics != (old.statistics if old else None):
            stmts.append(
                f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} SET STATISTICS "
                f"{c.statistics if c.statistics is not None else -1}"
            )
        if c.storage is not None and c.storage != (old.storage if old else None):
            word = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}[c.storage]
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} SET STORAGE {word}")
        elif c.storage is None and old is not None and old.storage is not None:
            stmts.append(type_storage_sql(q, c.name))
        if c.comment != (old.comment if old else None):
            stmts.append(self._comment(f"COLUMN {q}.{ident(c.name)}", c.comment))
        return stmts

    def _table_create(self, change: Change) -> None:
        t: Table = self.p.src[change.key]
        provides: list[Key] = [change.key]
        for c in t.columns:
            provides.append(("column", t.schema_name, t.name, c.name))
            if c.default is not None:
                provides.append(("default", t.schema_name, t.name, c.name))
        requires: list[Key] = []
        if t.partition_of or t.inherits:
            requires += [k for k in self.p.source_requirements(change.key) if k[0] == "table"]
        self.p.add(
            "TABLE",
            change.key,
            "create",
            f"Create missing table {t.name}",
            self._create_table_sql(t),
            provides=provides,
            requires=requires,
            claims=(t.schema_name, t.name),
        )
        q = qualified(t.schema_name, t.name)
        self._new_acl("table", change.key, f"TABLE {q}", t.acl)
        for c in t.columns:
            if c.acl:
                self._privileges(
                    "table",
                    ("column", t.schema_name, t.name, c.name),
                    f"TABLE {q}",
                    c.acl,
                    (),
                    None,
                    columns=f" ({ident(c.name)})",
                )
        if table_created_with_subobjects := (t.schema_name, t.name) in self.replaced_tables:
            self._subobjects_create(t)
        del table_created_with_subobjects

    def _subobjects_create(self, t: Table) -> None:
        subobjects: list[Constraint | Index | Trigger | Policy] = self.p.src.on_table(
            t.schema_name, t.name
        )
        for obj in subobjects:
            key = _key(obj)
            getattr(self, f"_{key[0]}_create")(Change(action="create", kind=key[0], key=key))

    def _table_drop(self, change: Change, recreate: bool = False) -> None:
        """Keep the data: detach, free the names, drop what blocks live tables, rename."""
        t: Table = self.p.tgt[change.key]
        q = qualified(t.schema_name, t.name)
        new = self.p.dropped(t.name)
        stmts: list[str] = []
        disturbs: list[Key] = [change.key]
        frees = [(t.schema_name, t.name)]
        if t.partition_of:
            stmts.append(f"ALTER TABLE {t.partition_of} DETACH PARTITION {q}")
        for parent in t.inherits:
            stmts.append(f"ALTER TABLE {q} NO INHERIT {parent}")
        parts = self.p.tgt.on_table(t.schema_name, t.name)
        for trig in parts:
            if isinstance(trig, Trigger):
                stmts.append(f"DROP TRIGGER {ident(trig.name)} ON {q}")
                disturbs.append(_key(trig))
        for con in parts:
            if not isinstance(con, Constraint):
                continue
            if con.constraint_type == "f":
                stmts.append(f"ALTER TABLE {q} DROP CONSTRAINT {ident(con.name)}")
                disturbs.append(_key(con))
            elif con.constraint_type in "pux":
                stmts.append(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(con.name)} TO "
                    f"{ident(self.p.dropped(con.name))}"
                )
                frees.append((t.schema_name, con.name))
        for idx in parts:
            if isinstance(idx, Index):
                stmts.append(
                    f"ALTER INDEX {qualified(idx.schema_name, idx.name)} RENAME TO "
                    f"{ident(self.p.dropped(idx.name))}"
                )
                frees.append((t.schema_name, idx.name))
        for column_name, constraint in t.not_null_names:
            if column_name not in t.not_null_inherited and not t.partition_of and not t.inherits:
                stmts.append(
                    f"ALTER TABLE {q} RENAME CONSTRAINT {ident(constraint)} TO "
                    f"{ident(self.p.dropped(constraint))}"
                )
        for column in t.columns:
            if column.identity and column.identity_sequence:
                stmts.append(
                    f"ALTER SEQUENCE {qualified(t.schema_name, column.identity_sequence)} "
                    f"RENAME TO {ident(self.p.dropped(column.identity_sequence))}"
                )
                frees.append((t.schema_name, column.identity_sequence))
        stmts.append(f"ALTER TABLE {q} RENAME TO {ident(new)}")
        why = "its partitioning changes" if recreate else "extra table"
        hazards = [KEPT, LOCK]
        if recreate:
            hazards.append(
                hazard(
                    "data_not_carried",
                    f"the new {t.name} starts empty: its rows stay in {new} (copy them over)",
                )
            )
        self.p.add(
            "TABLE",
            change.key,
            "rename",
            f"Rename {why} {t.name} before drop (data preservation)",
            stmts,
            disturbs=disturbs,
            frees=frees,
            hazards=hazards,
        )
        self.p.cleanup.append(f"DROP TABLE IF EXISTS {qualified(t.schema_name, new)};")

    def _table_alter(self, change: Change) -> None:
        src: Table = self.p.src[change.key]
        tgt: Table = self.p.tgt[change.key]
        if needs_replacement(change):
            self._table_drop(Change(action="drop", kind="table", key=change.key), recreate=True)
            self._table_create(Change(action="create", kind="table", key=change.key))
            self.p.warnings.append(
                f"table {src.name}: partitioning changed, so the old table was renamed and a new "
                "one created; copy the rows over after verifying"
            )
            return
        q = qualified(src.schema_name, src.name)
        fields = set(change.fields)
        stmts, hazards = [], []
        if "partition_of" in fields or "partition_bound" in fields:
            if tgt.partition_of:
                self.p.add(
                    "TABLE",
                    change.key,
                    "detach",
                    f"Detach partition {src.name} (and drop its copies of the parent's indexes "
                    "and constraints, which detaching would leave behind as its own)",
                    [
                        f"ALTER TABLE {tgt.partition_of} DETACH PARTITION {q}",
                        *(
                            f"ALTER TABLE {q} DROP CONSTRAINT IF EXISTS {ident(name)}"
                            for name in tgt.cloned_constraints
                        ),
                        *(
                            f"DROP INDEX IF EXISTS {qualified(src.schema_name, name)}"
                            for name in tgt.cloned_indexes
                        ),
                    ],
                    disturbs=[change.key],
                    hazards=[LOCK],
                    frees=[
                        (src.schema_name, n) for n in (*tgt.cloned_constraints, *tgt.cloned_indexes)
                    ],
                )
            if src.partition_of:
                self.p.add(
                    "TABLE",
                    change.key,
                    "alter",
                    f"Attach partition {src.name}",
                    [f"ALTER TABLE {src.partition_of} ATTACH PARTITION {q} {src.partition_bound}"],
                    provides=[change.key],
                    hazards=[SCAN, MAY_FAIL],
                    seq=5,
                    requires=[k for k in self.p.source_requirements(change.key) if k[0] == "table"],
                )
        if "inherits" in fields:
            for parent in tgt.inherits:
                if parent not in src.inherits:
                    stmts.append(f"ALTER TABLE {q} NO INHERIT {parent}")
            for parent in src.inherits:
                if parent not in tgt.inherits:
                    stmts.append(f"ALTER TABLE {q} INHERIT {parent}")
        if "unlogged" in fields:
            stmts.append(f"ALTER TABLE {q} SET {'UNLOGGED' if src.unlogged else 'LOGGED'}")
            hazards += [LOCK, REWRITE]
        if "options" in fields:
            gone = [
                o.split("=", 1)[0]
                for o in tgt.options
                if o.split("=", 1)[0] not in {s.split("=", 1)[0] for s in src.options}
            ]
            if gone:
                stmts.append(f"ALTER TABLE {q} RESET ({', '.join(gone)})")
            if src.options:
                stmts.append(f"ALTER TABLE {q} SET ({', '.join(src.options)})")
        stmts += self._table_extras(src, tgt)
        if "not_null_names" in fields:
            stmts += self._not_null_renames(src, tgt)
        if stmts:
            self.p.add(
                "TABLE",
                change.key,
                "alter",
                f"Change table {src.name}",
                stmts,
                provides=[change.key],
                hazards=hazards,
                seq=1,
            )
        if "acl" in fields:
            self._privileges("table", change.key, f"TABLE {q}", src.acl, tgt.acl, tgt.owner)

    def _column_create(self, change: Change) -> None:
        _, schema, table, name = change.key
        t = self.p.source_table(schema, table)
        assert t is not None
        c = t.column(name)
        assert c is not None
        tgt_table = self.p.target_table(schema, table)
        if tgt_table is not None and self._inherited_in(self.p.target, tgt_table, name, leaving=t):
            return  # it becomes the table's own column when the table is detached
        q = qualified(schema, table)
        hazards = []
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
        if c.default is not None:
            provides.append(("default", schema, table, name))
        parents = [self._split_regclass(p, schema) for p in t.inherits]
        self.p.add(
            "COLUMN",
            change.key,
            "create",
            f"Add missing column {table}.{name}",
            stmts,
            provides=provides,
            hazards=hazards,
            after_disturbed=[("column", ps, pn, name) for ps, pn in parents],
            check=check,
        )
        if c.acl:
            self._privileges(
                "column", change.key, f"TABLE {q}", c.acl, (), None, columns=f" ({ident(c.name)})"
            )

    def _not_null_online(self, schema: str, table: str, column: str) -> None:
        """SET NOT NULL without a long lock: a NOT VALID check, validated online, then used."""
        q = qualified(schema, table)
        name = self.p.dropped(f"{column}_not_null").replace("_dropped_", "_ddp_")
        key: Key = ("column", schema, table, column)
        self.p.add(
            "COLUMN",
            key,
            "alter",
            f"Prepare NOT NULL on {table}.{column} (a NOT VALID check, validated online)",
            [
                f"ALTER TABLE {q} ADD CONSTRAINT {ident(name)} CHECK ({ident(column)} IS NOT NULL) "
                "NOT VALID"
            ],
            provides=[key],
            hazards=[LOCK],
            seq=5,
        )
        self.p.add(
            "COLUMN",
            key,
            "alter",
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

    def _column_drop(self, change: Change, recreate: bool = False) -> None:
        _, schema, table, name = change.key
        t = self.p.target_table(schema, table)
        assert t is not None
        c = t.column(name)
        assert c is not None
        src_table = self.p.source_table(schema, table)
        if src_table is not None and self._inherited_in(self.p.source, src_table, name):
            return  # the parent provides it once the table is attached
        q = qualified(schema, table)
        col = ident(name)
        new = self.p.dropped(name)
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
        self.p.add(
            "COLUMN",
            change.key,
            "rename",
            f"Rename extra column {table}.{name} before drop (data preservation)",
            stmts,
            disturbs=[change.key, ("default", schema, table, name)],
            hazards=[KEPT],
        )
        self.p.cleanup.append(f"ALTER TABLE {q} DROP COLUMN IF EXISTS {ident(new)};")

    def _virtual_to_plain(self, t: Table, c: Column, old: Column) -> None:
        """A VIRTUAL generated column becomes a plain one. PostgreSQL cannot drop the
        expression of a virtual column, so its values are copied into a new plain column and
        the virtual one is kept under a renamed name (cleanup drops it).

        The copy is a rewrite (``ALTER COLUMN ... TYPE ... USING``), never an UPDATE: an
        UPDATE would fire the table's triggers, which run with ddp's rights and may change
        other columns; a rewrite fires none."""
        q = qualified(t.schema_name, t.name)
        col, tombstone = ident(c.name), ident(self.p.dropped(c.name))
        key: Key = ("column", t.schema_name, t.name, c.name)
        collate = f" COLLATE {c.collation}" if c.collation else ""
        stmts = [
            f"ALTER TABLE {q} RENAME COLUMN {col} TO {tombstone}",
            f"ALTER TABLE {q} ADD COLUMN {col} {c.data_type}{collate}",
            f"ALTER TABLE {q} ALTER COLUMN {col} TYPE {c.data_type}{collate} USING {tombstone}",
        ]
        if c.not_null:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
        self.p.add(
            "COLUMN",
            key,
            "alter",
            f"Store the values of virtual column {t.name}.{c.name} in a plain column",
            stmts,
            provides=[key],
            disturbs=[key],
            hazards=[LOCK, REWRITE, KEPT],
            seq=1,
        )
        self.p.cleanup.append(f"ALTER TABLE {q} DROP COLUMN IF EXISTS {tombstone};")

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

    def _retype(self, schema: str, table: str, old: Column, c: Column) -> int:
        """ALTER COLUMN TYPE the way assignment converts (no USING) where the target has an
        assignment cast, else with the cast that exists; the data check counts the values
        that would fail or change under exactly that conversion (conversions.py)."""
        q = qualified(schema, table)
        key: Key = ("column", schema, table, c.name)
        collate = f" COLLATE {c.collation}" if c.collation else ""
        same = old.data_type == c.data_type
        conversion = SAME if same else self.p.conversion(old.data_type, c.data_type)
        via_text = self._enum_involved(old.data_type, c.data_type)
        clause = using(c.name, c.data_type, conversion, via_text)
        mode = conversion.mode
        if mode == "unknown":
            mode = "text" if via_text else "explicit"
        check: tuple[str, ...] = ()
        if not same and self._existing(schema, table) and rewrites(old.data_type, c.data_type):
            check = ("convert", schema, table, c.name, old.data_type, c.data_type, mode)
            check += (conversion.compare,)
        return self.p.add(
            "COLUMN",
            key,
            "alter",
            f"Change type of {table}.{c.name}",
            [f"ALTER TABLE {q} ALTER COLUMN {ident(c.name)} TYPE {c.data_type}{collate}{clause}"],
            check=check,
            provides=[key],
            disturbs=[key],
            hazards=[LOCK, *([MAY_FAIL] if check else [])]
            + ([REWRITE] if rewrites(old.data_type, c.data_type) or collate else []),
            seq=2,
        )

    def _column_alter(self, change: Change) -> None:
        _, schema, table, name = change.key
        t = self.p.source_table(schema, table)
        old_table = self.p.target_table(schema, table)
        assert t is not None and old_table is not None
        c, old = t.column(name), old_table.column(name)
        assert c is not None and old is not None
        q = qualified(schema, table)
        col = ident(name)
        fields = set(change.fields)
        key = change.key
        default_key: Key = ("default", schema, table, name)
        label = f"{table}.{name}"

        if {"generated", "virtual"} & fields and c.generated is not None:
            # a new expression, or STORED <-> VIRTUAL (PostgreSQL changes neither in place)
            if old.generated is None:  # a stored column becomes computed: keep the old values
                self._column_drop(Change(action="drop", kind="column", key=key))
            else:
                self.p.add(
                    "COLUMN",
                    key,
                    "drop",
                    f"Drop generated column {label} (recomputed)",
                    [f"ALTER TABLE {q} DROP COLUMN {col}"],
                    disturbs=[key, default_key],
                )
            carried: list[Hazard] = []
            if old.generated is None:
                carried.append(
                    hazard(
                        "data_not_carried",
                        f"{label} is computed from now on: its stored values stay in "
                        f"{self.p.dropped(name)}",
                    )
                )
            self.p.add(
                "COLUMN",
                key,
                "create",
                f"Add generated column {label}",
                [f"ALTER TABLE {q} ADD COLUMN {column_sql(c, schema)}"],
                provides=[key],
                hazards=[LOCK, REWRITE, *carried],
                seq=1,
            )
            return
        stmts: list[str] = []
        if "generated" in fields and old.virtual:  # computed when read → stored values
            self._virtual_to_plain(t, c, old)
        elif "generated" in fields:  # computed → stored values
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP EXPRESSION")
        frees = []
        if "identity" in fields and old.identity and not c.identity:
            stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP IDENTITY")
            if old.identity_sequence:  # its sequence goes: a serial may take the name
                frees.append((schema, old.identity_sequence))
        if stmts:
            self.p.add(
                "COLUMN", key, "alter", f"Change column {label}", stmts, disturbs=[key], frees=frees
            )
        retype = bool(fields & {"data_type", "collation"})
        if old.default is not None and (
            retype or ("default" in fields) or ("identity" in fields and c.identity)
        ):
            self.p.add(
                "COLUMN",
                default_key,
                "drop",
                f"Drop default of {label}",
                [f"ALTER TABLE {q} ALTER COLUMN {col} DROP DEFAULT"],
                disturbs=[default_key],
                seq=1,
            )
        # the new default and identity are of the new type: they follow the type change,
        # wherever that lands (after the checks and views it waits for)
        retyped = self._retype(schema, table, old, c) if retype else None
        if c.default is not None and (retype or "default" in fields):
            catch_up = self._catch_up(schema, table, name, sequence_of(c.default))
            default_set = self.p.add(
                "COLUMN",
                default_key,
                "alter",
                f"Set default of {label}",
                [f"ALTER TABLE {q} ALTER COLUMN {col} SET DEFAULT {c.default}", *catch_up],
                provides=[default_key],
                hazards=[CATCH_UP] if catch_up else [],
                seq=3,
            )
            if retyped is not None:
                self.p.after(default_set, retyped)
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
                        "restarts_identity",
                        "restarts the identity's counter"
                        + (", then moves it past the column's values" if catch_up else ""),
                    )
                )
            stmts += [f"ALTER TABLE {q} ALTER COLUMN {col} {sets}", *catch_up]
        disturbs: list[Key] = []
        check: tuple[str, ...] = ()
        if "not_null" in fields and not (c.identity and "identity" in fields):
            if c.not_null and self.p.online:
                self._not_null_online(schema, table, name)
            elif c.not_null:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET NOT NULL")
                hazards += [SCAN, MAY_FAIL]
                check = ("not_null", schema, table, name)
            elif not old.identity or "identity" in fields:
                stmts.append(f"ALTER TABLE {q} ALTER COLUMN {col} DROP NOT NULL")
                disturbs.append(key)  # after a primary key that holds it is dropped
        stmts += self._column_extras(t, c, old)
        if stmts:
            changed = self.p.add(
                "COLUMN",
                key,
                "alter",
                f"Change column {label}",
                stmts,
                provides=[key],
                disturbs=disturbs,
                check=check,
                hazards=hazards,
                seq=4,
            )
            if retyped is not None:
                self.p.after(changed, retyped)
        if "acl" in fields:
            self._privileges(
                "column", key, f"TABLE {q}", c.acl, old.acl, old_table.owner, columns=f" ({col})"
            )
