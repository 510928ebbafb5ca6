"""Cross-schema sync: the source snapshot with its schema called by the target's name.

Only schema names are renamed: the schema-name fields (``schema_name``, a foreign key's
referenced schema, a sequence's owner, the keys of dependency edges) and the schema qualifiers
of every deparsed text, found in its parse tree (qualifiers.py). A table, column, enum label,
comment or string that merely equals the schema's name is never touched. A text that cannot be
read is refused with one line naming its object.
"""

from __future__ import annotations

import re
from typing import Any

from ddp_engine.codes import FunctionKind
from ddp_engine.errors import DdpError
from ddp_engine.model import (
    Collation,
    Column,
    Constraint,
    Deparsed,
    Extension,
    Function,
    Index,
    Policy,
    Sequence,
    Snapshot,
    Table,
    Trigger,
    Unsupported,
    UserType,
    View,
)
from ddp_engine.qualifiers import Relabeler, RelabelError, quote_if_needed
from ddp_engine.registry import DEPARSED_KINDS
from ddp_engine.sqltext import ident, qualified

#: A string constant of a statement DDP's catalog queries wrote (format's %L).
_LITERAL = re.compile(r"E?'(?:[^']|'')*'")


def relabel(snapshot: Snapshot, old: str, new: str) -> Snapshot:
    """``snapshot`` (one schema, ``old``) as if its schema were called ``new``."""
    if old == new:
        return snapshot
    r = Relabeler(old, new)
    return _Snapshot(r).relabel(snapshot)


class _Snapshot:
    """Applies a Relabeler to every object of a snapshot, naming the object on refusal."""

    def __init__(self, r: Relabeler) -> None:
        self.r = r

    def maybe(self, wrapper: str, value: str | None, what: str) -> str | None:
        return None if value is None else self.text(wrapper, value, what)

    def text(self, wrapper: str, value: str, what: str) -> str:
        try:
            result: str = self.r.text(wrapper, value)
        except RelabelError as exc:
            raise DdpError(
                f"cannot read the definition of {what} to move it from schema "
                f"{ident(self.r.old)} to {ident(self.r.new)}: {exc}"
            ) from None
        return result

    def relabel(self, s: Snapshot) -> Snapshot:
        r = self.r
        functions = tuple(self.function(f) for f in s.functions)
        signatures = {
            old.signature: new.signature
            for old, new in zip(s.functions, functions, strict=True)
            if old.signature != new.signature
        }
        update: dict[str, Any] = {
            "schemas": tuple(x.model_copy(update={"name": r.schema(x.name)}) for x in s.schemas),
            "extensions": tuple(self.schema_of(x) for x in s.extensions),
            "collations": tuple(self.schema_of(x) for x in s.collations),
            "types": tuple(self.user_type(x) for x in s.types),
            "sequences": tuple(self.sequence(x) for x in s.sequences),
            "tables": tuple(self.table(x) for x in s.tables),
            "views": tuple(self.view(x) for x in s.views),
            "functions": functions,
            "constraints": tuple(self.constraint(x) for x in s.constraints),
            "indexes": tuple(self.index(x) for x in s.indexes),
            "triggers": tuple(self.trigger(x) for x in s.triggers),
            "policies": tuple(self.policy(x) for x in s.policies),
            "unsupported": tuple(self.unsupported(x) for x in s.unsupported),
            **{
                spec.attr: tuple(self.deparsed(x, spec.kind) for x in getattr(s, spec.attr))
                for spec in DEPARSED_KINDS
            },
            "dependencies": tuple(
                (r.key(a, signatures), r.key(b, signatures)) for a, b in s.dependencies
            ),
        }
        return s.model_copy(update=update)

    def name(self, schema: str, name: str, kind: str) -> str:
        return f"{kind} {qualified(schema, name)}"

    def moved(self, obj: Any, **update: Any) -> Any:
        """``obj`` in the new schema, with ``update`` (its relabelled texts) set."""
        return obj.model_copy(update={"schema_name": self.r.schema(obj.schema_name), **update})

    def unsupported(self, u: Unsupported) -> Unsupported:
        """Only listed, never run: pg_identify_object's identity starts with the qualified
        name (``dev.=(text,text)``, ``dev.cfg``), and that leading qualifier is renamed, so
        that an object both sides hold is listed once."""
        identity = u.identity
        qualifier = quote_if_needed(self.r.old) + "."
        if u.schema_name == self.r.old and identity.startswith(qualifier):
            identity = self.r.token + "." + identity[len(qualifier) :]
        return self.moved(u, identity=identity)

    def deparsed(self, d: Deparsed, kind: str) -> Deparsed:
        """Statements renamed through their parse trees; the name (an operator's holds its
        argument types, ``+(dev.complex,dev.complex)``) by its qualifiers, as it is only a key."""
        what = f"{kind.replace('_', ' ')} {d.name}"
        qualifier = quote_if_needed(self.r.old) + "."
        statements = tuple(self.text("statement", x, what) for x in d.statements)
        # Names these statements hold where the parse-tree walk does not look (a dictionary
        # list, IN SCHEMA, a DROP's object list): refused rather than created in the old schema
        bare = (_LITERAL.sub("''", x) for x in statements)  # a string may say anything
        left = next((x for x in bare if qualifier in x or " IN SCHEMA " in x), None)
        if left is not None:
            raise DdpError(
                f"cannot move {what} from schema {ident(self.r.old)} to {ident(self.r.new)}: "
                "synchronise it between schemas of the same name (--all-schemas)"
            )
        return self.moved(
            d,
            name=d.name.replace(qualifier, self.r.token + "."),
            statements=statements,  # the drop is the target's, never the source's
        )

    def schema_of(self, obj: Extension | Collation) -> Any:
        return self.moved(obj)

    def user_type(self, t: UserType) -> UserType:
        what = self.name(t.schema_name, t.name, "type")
        return self.moved(
            t,
            base_type=self.maybe("type", t.base_type, what),
            default=self.maybe("expression", t.default, what),
            collation=self.maybe("collation", t.collation, what),
            constraints=tuple(self.text("domain_constraint", c, what) for c in t.constraints),
            attributes=tuple(self.text("attribute", a, what) for a in t.attributes),
            range_options=self.maybe("range", t.range_options, what),
        )

    def sequence(self, s: Sequence) -> Sequence:
        owned = s.owned_by
        if owned is not None:
            owned = (self.r.schema(owned[0]), owned[1], owned[2])
        return self.moved(s, owned_by=owned)

    def table(self, t: Table) -> Table:
        what = self.name(t.schema_name, t.name, "table")
        columns = tuple(self.column(c, qualified(t.schema_name, t.name)) for c in t.columns)
        return self.moved(
            t,
            partition_key=self.maybe("partition_key", t.partition_key, what),
            partition_of=self.maybe("relation", t.partition_of, what),
            partition_bound=self.maybe("partition_bound", t.partition_bound, what),
            inherits=tuple(self.text("relation", p, what) for p in t.inherits),
            columns=columns,
            inherited_defaults=tuple(
                (c, self.maybe("expression", d, what)) for c, d in t.inherited_defaults
            ),
        )

    def column(self, c: Column, table: str) -> Column:
        what = f"column {table}.{ident(c.name)}"
        return c._replace(
            data_type=self.text("type", c.data_type, what),
            default=self.maybe("expression", c.default, what),
            generated=self.maybe("expression", c.generated, what),
            collation=self.maybe("collation", c.collation, what),
        )

    def view(self, v: View) -> View:
        what = self.name(v.schema_name, v.name, "view")
        return self.moved(
            v,
            definition=self.text("statement", v.definition, what),
        )

    def function(self, f: Function) -> Function:
        what = self.name(f.schema_name, f.signature, "function")
        aggregate = f.kind == FunctionKind.AGGREGATE
        return self.moved(
            f,
            body=self.text("aggregate" if aggregate else "function", f.body, what),
            arguments=self.text("arguments", f.arguments, what),
            identity_args=self.text(
                "aggregate_arguments" if aggregate else "arguments", f.identity_args, what
            ),
            result_type=self.maybe("result", f.result_type, what),
        )

    def constraint(self, c: Constraint) -> Constraint:
        what = f"constraint {ident(c.name)} on {qualified(c.schema_name, c.table)}"
        ref = c.ref_table
        return self.moved(
            c,
            definition=self.text("constraint", c.definition, what),
            ref_table=None if ref is None else (self.r.schema(ref[0]), ref[1]),
        )

    def index(self, i: Index) -> Index:
        what = self.name(i.schema_name, i.name, "index")
        return self.moved(
            i,
            body=self.text("index", i.body, what),
            predicate=self.maybe("expression", i.predicate, what),
        )

    def trigger(self, t: Trigger) -> Trigger:
        what = f"trigger {ident(t.name)} on {qualified(t.schema_name, t.table)}"
        return self.moved(
            t,
            definition=self.text("statement", t.definition, what),
        )

    def policy(self, p: Policy) -> Policy:
        what = f"policy {ident(p.name)} on {qualified(p.schema_name, p.table)}"
        return self.moved(
            p,
            using=self.maybe("expression", p.using, what),
            check=self.maybe("expression", p.check, what),
        )
