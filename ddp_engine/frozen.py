"""The base of every snapshot object: a frozen pydantic model built fast from trusted rows.

Introspection builds a hundred thousand objects on a big catalog and the diff compares every
one of them, so the two costs pydantic adds by default (validation on build, its generic
``__eq__``) are replaced here by what the catalog's rows make safe to skip.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """A frozen model that compares and hashes by its field values, cheaply."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    def __eq__(self, other: object) -> bool:
        """Equal field values. Frozen models carry no private or extra state, so this is all
        pydantic's own comparison would check, at a fraction of its cost (the diff compares
        every object of both snapshots)."""
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """Build from values our own catalog queries produced, skipping validation.

        Introspection builds a hundred thousand objects on a big catalog; validating values
        whose types the SQL already fixes costs more than the queries (see bench/). The one
        thing done here is naming the catalog's letters: a field typed with a StrEnum gets
        the member of the letter read (a dict lookup), as validation would have made it.
        """
        layout = _LAYOUT.get(cls)
        if layout is None:
            layout = _layout(cls)
            _LAYOUT[cls] = layout
        obj = cls.__new__(cls)
        # The defaults first, in field order, then the values given: two dict updates in C.
        # Field order matters: serialisation follows __dict__, and so does the fingerprint.
        # (Setting attributes one at a time keeps them inline, 60 bytes less an object, but
        # costs twice the time; columns, the most numerous, are named tuples anyway.)
        attributes = obj.__dict__
        attributes.update(layout[0])
        attributes.update(values)
        # The schema and table every object names: one string each, not one per object (the
        # driver makes a new string per row: tens of thousands of "public" a side).
        for name in _SHARED_NAMES.intersection(values):
            if type(text := attributes[name]) is str:
                attributes[name] = _intern(text)
        for name, members in layout[2]:
            attributes[name] = members[attributes[name]]
        # One shared set of field names: a set per object cost more than the object's values.
        # Frozen models never change it in place (model_copy copies it first).
        set_attribute = object.__setattr__
        set_attribute(obj, "__pydantic_fields_set__", layout[1])
        set_attribute(obj, "__pydantic_extra__", None)
        set_attribute(obj, "__pydantic_private__", None)
        return obj

    @classmethod
    def maker(cls) -> Callable[..., Self]:
        """A builder taking every field's value positionally, in field order, for the kinds
        read by the ten thousand (builders.py): the object ``trusted`` would make from the same
        values, in a third of the time, as no keyword dict is made, merged or looked through.
        The caller names the catalog's letters and interns the shared names itself."""
        layout = _LAYOUT.get(cls)
        if layout is None:
            layout = _LAYOUT[cls] = _layout(cls)
        names, fields_set, template = tuple(layout[0]), layout[1], layout[0].copy
        new, set_attribute = cls.__new__, object.__setattr__

        def make(*values: Any) -> Any:  # an instance of cls
            obj = new(cls)
            attributes = template()
            attributes.update(zip(names, values, strict=True))
            set_attribute(obj, "__dict__", attributes)
            set_attribute(obj, "__pydantic_fields_set__", fields_set)
            set_attribute(obj, "__pydantic_extra__", None)
            set_attribute(obj, "__pydantic_private__", None)
            return obj

        return make


#: A model's defaults, its field names and its StrEnum fields with their members by value.
_Layout = tuple[dict[str, Any], set[str], tuple[tuple[str, dict[str, StrEnum]], ...]]


def _layout(cls: type[BaseModel]) -> _Layout:
    fields = cls.model_fields
    # The defaults as an instance's __dict__ set a field at a time: CPython keeps that dict
    # split (its keys shared by the class), and a fresh __dict__ updated from it stays split,
    # about 170 bytes an object less than a dict of its own (which a plain dict gives).
    template = cls.__new__(cls)
    for name, field in fields.items():
        object.__setattr__(template, name, None if field.is_required() else field.default)
    defaults = template.__dict__
    enums = tuple(
        (name, {member.value: member for member in field.annotation})
        for name, field in fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, StrEnum)
    )
    return defaults, set(fields), enums


_LAYOUT: dict[type, _Layout] = {}
#: Fields whose values repeat across objects, interned by ``trusted``.
_SHARED_NAMES = frozenset({"schema_name", "table"})
_intern = sys.intern
