"""Schema pairs: which source is synced into which target, named by env-var prefixes only.

The default pair reads ``SOURCE_DB_*`` and ``TARGET_DB_*`` and keeps the plain asset keys
(``source_schema``, ``target_schema``, ``schema_diff``, ``alter_sql``). More pairs come from an
optional YAML file (``DDP_PAIRS_FILE``); each gets its own key prefix, asset group, resources
and check. The file names env-var *prefixes*, never values, so no password is ever in it::

    pairs:
      sales:
        source_env: SALES_SOURCE_DB_     # reads SALES_SOURCE_DB_NAME, ..._USER, ..._PASSWORD
        target_env: SALES_TARGET_DB_
      billing:
        source_env: BILLING_SOURCE_DB_
        target_env: BILLING_TARGET_DB_
        all_schemas: true
        privileges: false
        output_path: scripts/billing.sql
        options_env: BILLING_DDP_        # BILLING_DDP_ONLINE, ..._LOCK_TIMEOUT (default DDP_)
        drift_severity: warn             # target_in_sync's severity on drift (default error)
        fail_on_drift: true              # runs evaluating target_in_sync fail on drift
    include_default: true                # the SOURCE_DB_/TARGET_DB_ pair (default true)

``DDP_DRIFT_SEVERITY`` and ``DDP_FAIL_ON_DRIFT`` give the last two for every pair that does not
set them (the default pair included). The file may also hold ``fleets``: one source synced into
many target databases, as partitions (:mod:`ddp_dagster.fleets`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ddp_dagster.resources import REQUIRED

PAIRS_FILE_ENV = "DDP_PAIRS_FILE"
SEVERITY_ENV = "DDP_DRIFT_SEVERITY"
FAIL_ON_DRIFT_ENV = "DDP_FAIL_ON_DRIFT"
DEFAULT_GROUP = "ddp"
_NAME = r"^[a-z][a-z0-9_]{0,40}$"
_PREFIX = r"^[A-Z][A-Z0-9_]*_$"


class _PairEntry(BaseModel):
    """One pair as the YAML file gives it (under its name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_env: str = Field(pattern=_PREFIX)
    target_env: str = Field(pattern=_PREFIX)
    all_schemas: bool = False
    privileges: bool = True
    output_path: str | None = None
    #: Prefix of the sync options' variables (``DDP_ONLINE``, ``DDP_LOCK_TIMEOUT``, ...).
    options_env: str = Field(default="DDP_", pattern=_PREFIX)
    #: The severity ``target_in_sync`` reports drift with (the UI shows WARN yellow, ERROR red).
    drift_severity: Literal["warn", "error"] = "error"
    #: Fail the runs that evaluate ``target_in_sync`` while the target has drifted (so that a
    #: scheduled drift run fails, for run-failure alerts and ``dagster job execute``).
    fail_on_drift: bool = False


class PairSpec(_PairEntry):
    """One source → target pair. ``name == ""`` is the default, unprefixed pair."""

    name: str = Field(default="", pattern=r"^$|" + _NAME)
    source_env: str = Field(default="SOURCE_DB_", pattern=_PREFIX)
    target_env: str = Field(default="TARGET_DB_", pattern=_PREFIX)

    @property
    def key_prefix(self) -> list[str]:
        return [self.name] if self.name else []

    @property
    def group_name(self) -> str:
        return self.name or DEFAULT_GROUP

    @property
    def source_resource_key(self) -> str:
        return f"{self.name}_source_db" if self.name else "source_db"

    @property
    def target_resource_key(self) -> str:
        return f"{self.name}_target_db" if self.name else "target_db"

    @property
    def options_resource_key(self) -> str:
        return f"{self.name}_ddp_options" if self.name else "ddp_options"

    @property
    def target_required(self) -> tuple[str, ...]:
        """The target's settings that must be set when there is no URL."""
        return REQUIRED

    def target_tag(self, environ: Mapping[str, str] | None = None) -> str:
        """The target as one tag value (``localhost_5432_prod``, from the target's ``HOST``,
        ``PORT`` and ``NAME`` at load time; the prefix when ``NAME`` is unset): runs and
        applies of pairs with the same target share it, so that a concurrency limit per
        value keeps them from applying at once."""
        environ = os.environ if environ is None else environ
        env = self.target_env
        if not environ.get(env + "NAME"):
            return env.rstrip("_").lower()
        parts = (environ.get(env + "HOST") or "localhost", environ.get(env + "PORT") or "5432")
        text = "_".join((*parts, environ[env + "NAME"]))
        return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:63]

    def default_output_path(self) -> str:
        """``alter.sql`` (or ``OUTPUT_FILE``, as for ``ddp sync``) for the default pair."""
        if self.output_path:
            return self.output_path
        if not self.name:
            return os.environ.get("OUTPUT_FILE") or "alter.sql"
        return f"alter_{self.name}.sql"


class PairsFile(BaseModel):
    """The YAML file's shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    include_default: bool = True
    pairs: dict[str, _PairEntry] = Field(default_factory=dict)
    #: Pair templates over many targets (checked by ddp_dagster.fleets).
    fleets: dict[str, dict[str, object]] = Field(default_factory=dict)


class PairsFileError(ValueError):
    """The pairs file is missing or malformed (one line, fit for people)."""


def drift_defaults(environ: Mapping[str, str]) -> dict[str, object]:
    """``drift_severity`` and ``fail_on_drift`` as ``DDP_DRIFT_SEVERITY`` and
    ``DDP_FAIL_ON_DRIFT`` give them (only those set)."""
    out: dict[str, object] = {}
    severity = environ.get(SEVERITY_ENV, "").strip().lower()
    if severity:
        if severity not in ("warn", "error"):
            raise PairsFileError(f"{SEVERITY_ENV} must be warn or error, not {severity!r}")
        out["drift_severity"] = severity
    fail = environ.get(FAIL_ON_DRIFT_ENV, "").strip().lower()
    if fail:
        if fail not in ("true", "false", "1", "0", "yes", "no"):
            raise PairsFileError(f"{FAIL_ON_DRIFT_ENV} must be true or false, not {fail!r}")
        out["fail_on_drift"] = fail in ("true", "1", "yes")
    return out


def read_pairs_file(path: str | Path) -> object:
    """The pairs file's YAML, as read (its pairs and fleets are checked by their readers)."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise PairsFileError(f"cannot read pairs file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PairsFileError(f"pairs file {path} is not valid YAML: {exc}") from None


def load_pairs_file(
    path: str | Path, defaults: Mapping[str, object] | None = None
) -> list[PairSpec]:
    """Read a pairs file into specs (the default pair first when included); ``defaults``
    fill what an entry does not set (drift_defaults)."""
    return pairs_from_mapping(read_pairs_file(path), f"pairs file {path}", defaults)


def pairs_from_mapping(
    raw: object, where: str, defaults: Mapping[str, object] | None = None
) -> list[PairSpec]:
    """Specs from the pairs file's shape (also the ``DdpSchemaPairs`` component's attributes);
    ``where`` names the source in errors."""
    defaults = defaults or {}
    try:
        parsed = PairsFile.model_validate(raw)
        specs = [
            PairSpec.model_validate(
                dict(defaults) | entry.model_dump(include=entry.model_fields_set) | {"name": name}
            )
            for name, entry in parsed.pairs.items()
        ]
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise PairsFileError(f"{where}: {loc}: {first['msg']}") from None
    if any(spec.name == DEFAULT_GROUP for spec in specs):
        raise PairsFileError(f"{where}: the name {DEFAULT_GROUP!r} is reserved")
    default = PairSpec.model_validate(dict(defaults))
    return ([default] if parsed.include_default else []) + specs


def pairs_from_env(environ: Mapping[str, str] | None = None) -> list[PairSpec]:
    """The pairs to build: those of ``DDP_PAIRS_FILE`` if set, else only the default pair."""
    environ = os.environ if environ is None else environ
    defaults = drift_defaults(environ)
    path = environ.get(PAIRS_FILE_ENV)
    if not path:
        return [PairSpec.model_validate(defaults)]
    return load_pairs_file(path, defaults)
