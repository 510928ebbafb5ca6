"""Owners (``--owners``): ALTER ... OWNER TO the source's owner, for every object of a kind that
has one that the plan creates, alters or rebuilds. Off by default: roles usually differ between
environments, and a role the target lacks makes the statement fail."""

from __future__ import annotations

from ddp_engine.codes import TypeKind
from ddp_engine.ddl.objects import ObjectSteps
from ddp_engine.diff import Action
from ddp_engine.hazards import PRIVILEGES
from ddp_engine.model import Function, Key, Kind, UserType, View
from ddp_engine.sqltext import ident, qualified
from ddp_engine.stepspec import Generated, Section, step

#: The kinds with an owner, and the word their ALTER takes.
OWNED: dict[str, str] = {
    Kind.SCHEMA: "SCHEMA",
    Kind.TABLE: "TABLE",
    Kind.VIEW: "VIEW",
    Kind.SEQUENCE: "SEQUENCE",
    Kind.FUNCTION: "FUNCTION",
    Kind.TYPE: "TYPE",
}


class OwnerSteps(ObjectSteps):
    """The owner step of one object, once a plan."""

    _owned: set[Key]  # the objects given their owner already (StepBuilder sets it)

    def _owner(self, key: Key) -> Generated:
        if not self.ctx.owners or key[0] not in OWNED:
            return
        obj = self.ctx.src.get(key)
        owner = getattr(obj, "owner", "")
        if obj is None or not owner or key in self._owned:
            return
        self._owned.add(key)
        if isinstance(obj, Function):
            what = self._function_ref(obj)
        elif key[0] == Kind.SCHEMA:
            what = f"SCHEMA {ident(key[2])}"
        else:
            word = OWNED[key[0]]
            if isinstance(obj, View) and obj.materialized:
                word = "MATERIALIZED VIEW"
            elif isinstance(obj, UserType) and obj.type_kind == TypeKind.DOMAIN:
                word = "DOMAIN"
            what = f"{word} {qualified(key[1], obj.name)}"
        yield step(
            Section.PRIVILEGE,
            key,
            Action.ALTER,
            f"Owner of {key[0]} {key[2]}: {owner}",
            [f"ALTER {what} OWNER TO {ident(owner)}"],
            requires=[key],
            hazards=[PRIVILEGES],
        )
