"""The options of a sync: one object, the same on every face.

``ddp sync`` / ``ddp plan`` build it from their flags (cli_scope.sync_options), the Dagster assets
from a pair's ``ddp_options`` resource, and the doorway (sync.py) hands it to every stage. Each
field is validated when the object is made, so a bad value is one line of bad input before
anything is read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from ddp_engine.connect import SessionLimits, duration
from ddp_engine.fidelity import LoadedOn
from ddp_engine.hazards import HazardCode, parse_allowed
from ddp_engine.renames import parse_hints
from ddp_engine.scope import ReadScope, Scope
from ddp_engine.user_conversions import UserConversion, parse_using

__all__ = ["SyncOptions"]


class SyncOptions(BaseModel):
    """What to compare: one schema per side (default) or every schema; privileges or not."""

    model_config = ConfigDict(frozen=True)

    all_schemas: bool = False
    privileges: bool = True
    #: Compare owners and set them (ALTER ... OWNER TO): off by default, as roles usually
    #: differ between environments.
    owners: bool = False
    online: bool = False
    #: How long ddp's sessions wait for a lock (a read gives up with one line naming the
    #: holder), and the script's SET lock_timeout.
    lock_timeout: str = "10s"
    #: The script's SET statement_timeout ("0": none).
    statement_timeout: str = "0"
    #: How long one query of ddp's own sessions (reads, data checks, shadow) may run.
    read_timeout: str = "300s"
    #: A libpq URL of a server of the target's major version where ddp may create a throwaway
    #: database to settle printed texts (ddp_engine.shadow); None: a local one if any.
    shadow_url: str | None = None
    #: Where SQL-file sides were loaded (ddp_engine.sources), which the plan notes; None: both
    #: sides are live databases.
    loaded_on: LoadedOn | None = None
    data_checks: bool = True
    data_check_budget: float = 30.0
    #: Take the target's fingerprint, which apply_plan checks before it applies. A plan that is
    #: only written out can do without: the fingerprint is a pass over every object of the
    #: target (half a second at 10,000 tables).
    fingerprint: bool = True
    #: Blocking hazard codes the user lets an apply through (``--allow-hazards``; given as
    #: text, ``["values_change,values_fail"]``, an unknown code is bad input).
    allow_hazards: frozenset[HazardCode] = frozenset()
    #: Conversions for type changes no cast makes (``--using SCHEMA.TABLE.COLUMN=EXPRESSION``,
    #: given as text; a malformed one is bad input).
    using: tuple[UserConversion, ...] = ()
    #: Patterns of the objects compared and of those left as the target has them (scope.py).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: (source schema, target schema) pairs compared at once (schemamap.py).
    schema_map: tuple[tuple[str, str], ...] = ()
    #: Rename hints, ``[KIND:]OLD=NEW`` (renames.py).
    renames: tuple[str, ...] = ()
    #: A folder where each side's last snapshot is kept and reused while the side's catalog
    #: epoch has not moved (``--cache``, ``DDP_CACHE_DIR``; ddp_engine.cache); None: no cache.
    cache_dir: str | None = None
    #: Sides never cached: those loaded from SQL files into a throwaway database each run.
    uncached: frozenset[str] = frozenset()

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        Scope(include=value)  # a bad pattern is bad input before anything is read
        return value

    @field_validator("renames")
    @classmethod
    def _hints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        parse_hints(value)  # a bad hint is bad input before anything is read
        return value

    def scope(self) -> Scope:
        """The include and exclude patterns, and the schemas a schema map names."""
        mapped = frozenset(t for _, t in self.schema_map) if self.schema_map else None
        return Scope(self.include, self.exclude, mapped)

    def read_scope(
        self, side: str, schema_name: str, target_schema: str | None = None
    ) -> ReadScope | None:
        """What ``side``'s read may leave out (None: read every object in full). The
        patterns use the target's names: a source schema read under another name is
        translated (through the schema map, or to ``target_schema`` when one schema is
        compared; not known, nothing is left out). Rename hints change the target's names
        after the read: there only whole schemas are left out, and with a schema hint nothing
        on either side (both read alike, so that neither lists what the other left out)."""
        scope = self.scope()
        if not scope or any(h.kind == "schema" for h in parse_hints(self.renames)):
            return None
        if side == "target":
            return ReadScope(scope, objects=not self.renames)
        if self.schema_map:
            return ReadScope(scope, self.schema_map)
        if self.all_schemas:
            return ReadScope(scope)
        if target_schema is None:
            return None
        return ReadScope(scope, ((schema_name, target_schema),))

    @field_validator("lock_timeout", "statement_timeout", "read_timeout")
    @classmethod
    def _durations(cls, value: str, info: ValidationInfo) -> str:
        # named as both faces take it: ddp sync's flag and the Dagster option's variable
        name = str(info.field_name)
        return duration(
            value, f"{name.replace('_', ' ')} (--{name.replace('_', '-')}, DDP_{name.upper()})"
        )

    @field_validator("allow_hazards", mode="before")
    @classmethod
    def _known_codes(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_allowed([value])
        return parse_allowed(value) if value is not None else value

    @field_validator("using", mode="before")
    @classmethod
    def _conversions(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return parse_using(value) if value and isinstance(value[0], str) else value

    def limits(self) -> SessionLimits:
        """The lock and statement timeouts of every session ddp opens for this sync."""
        return SessionLimits(lock_timeout=self.lock_timeout, statement_timeout=self.read_timeout)
