"""Fleets: one source schema synced into many target databases, as ONE asset set over
partitions (a partition per target database), not one asset set per target.

A fleet is a pair *template*: its source and its targets' server, role, password and schema
come from env-var prefixes as a pair's do; each partition key names one target database. The
keys are given (``databases``: a static list) or found (``database_pattern``: a sensor adds a
partition for each database of the target's server whose name matches, such as ``tenant_*``).
A target may also be reached through a URL template held in an environment variable
(``url_template_env``), whose ``{partition}`` is replaced by the key: the template, which may
hold a password, is read when a run starts and never shown. Fleets go in the pairs file (or
the ``DdpSchemaPairs`` component) under ``fleets``::

    fleets:
      tenants:
        source_env: TENANT_SOURCE_DB_      # the reference schema
        target_env: TENANT_TARGET_DB_      # HOST, PORT, USER, PASSWORD, SCHEMA of every target
        database_pattern: "tenant_*"       # or: databases: [tenant_001, tenant_002]
        fail_on_drift: true                # the run fails when a target drifted

A partition key is a database name of letters, digits, ``_``, ``.`` and ``-`` (no more than
63): never a URL, so that no password can be in one; the sensor leaves out databases whose
names are not such keys.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping

import dagster as dg
import psycopg
from pydantic import Field, ValidationError, model_validator

from ddp_dagster.pair_context import DAGSTER
from ddp_dagster.pairs import (
    _PREFIX,
    DEFAULT_GROUP,
    PAIRS_FILE_ENV,
    PairsFile,
    PairsFileError,
    PairSpec,
    drift_defaults,
    read_pairs_file,
)
from ddp_dagster.resources import PostgresSchemaResource
from ddp_engine.connect import SessionLimits, connect
from ddp_engine.errors import BadInput, DdpError
from ddp_engine.settings import ConnectionSettings

PARTITION_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")
PARTITION_PLACEHOLDER = "{partition}"

_DATABASES = """
SELECT d.datname::pg_catalog.text
FROM pg_catalog.pg_database d
WHERE NOT d.datistemplate AND d.datallowconn
ORDER BY 1
"""


class FleetSpec(PairSpec):
    """A pair template over many target databases (one partition each)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    #: Static partitions: the target databases.
    databases: tuple[str, ...] = ()
    #: Dynamic partitions: a shell-style pattern (``*``, ``?``, ``[...]``) of database names.
    database_pattern: str = ""
    #: Where the sensor lists the server's databases (any database it may connect to).
    discovery_database: str = "postgres"
    #: The variable holding a libpq URL with ``{partition}`` for the database (optional).
    url_template_env: str = Field(default="", pattern=r"^$|^[A-Z][A-Z0-9_]*$")
    source_env: str = Field(pattern=_PREFIX)
    target_env: str = Field(pattern=_PREFIX)

    @model_validator(mode="after")
    def _partitions(self) -> FleetSpec:
        if bool(self.databases) == bool(self.database_pattern):
            raise ValueError("give either databases (a list) or database_pattern, not both")
        bad = [i for i, d in enumerate(self.databases, 1) if not PARTITION_KEY.match(d)]
        if bad:  # not shown: it may be a URL with a password
            raise ValueError(
                f"databases: entry {bad[0]} is not a database name (letters, digits, _ . -)"
            )
        if len(set(self.databases)) != len(self.databases):
            raise ValueError("databases: a database is listed twice")
        if "drift_severity" in self.model_fields_set:
            raise ValueError(
                "drift_severity is a pair's check's; a fleet lists its drifted partitions "
                "(use fail_on_drift to fail the run)"
            )
        return self

    @property
    def dynamic(self) -> bool:
        return bool(self.database_pattern)

    @property
    def partitions_name(self) -> str:
        """The dynamic partitions' name in the instance (``tenants_databases``)."""
        return f"{self.name}_databases"

    def partitions_def(self) -> dg.PartitionsDefinition:
        if self.dynamic:
            return dg.DynamicPartitionsDefinition(name=self.partitions_name)
        return dg.StaticPartitionsDefinition(list(self.databases))

    @property
    def target_required(self) -> tuple[str, ...]:
        """A partition names the database; a URL template may name everything."""
        return () if self.url_template_env else ("user",)

    def default_output_path(self) -> str:
        return self.output_path or f"alter_{self.name}"

    def target_settings(self, resource: PostgresSchemaResource, key: str) -> ConnectionSettings:
        """The settings of partition ``key``'s target: the resource's server and role with
        the database ``key`` (or the URL template's URL for ``key``)."""
        if not PARTITION_KEY.match(key):
            raise BadInput(f"{key!r} is not a database name a fleet can have as a partition")
        if not self.url_template_env:
            return resource.settings(database=key)
        template = os.environ.get(self.url_template_env, "")
        if PARTITION_PLACEHOLDER not in template:
            raise BadInput(
                f"{self.url_template_env} must be set to a URL holding {PARTITION_PLACEHOLDER}"
            )
        return resource.settings(url=template.replace(PARTITION_PLACEHOLDER, key))


def fleets_from_mapping(
    raw: object, where: str, defaults: Mapping[str, object] | None = None
) -> list[FleetSpec]:
    """The fleets of the pairs file's shape (also the component's attributes)."""
    try:
        parsed = PairsFile.model_validate(raw)
    except ValidationError:
        return []  # the pairs' reader reports what is wrong with the file
    out: list[FleetSpec] = []
    for name, entry in parsed.fleets.items():
        try:
            out.append(FleetSpec.model_validate(dict(defaults or {}) | entry | {"name": name}))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in ("fleets", name, *first["loc"]) if p != "name")
            raise PairsFileError(f"{where}: {loc}: {first['msg']}") from None
    if DEFAULT_GROUP in parsed.fleets or set(parsed.fleets) & set(parsed.pairs):
        raise PairsFileError(f"{where}: a fleet has the name of a pair (or {DEFAULT_GROUP!r})")
    return out


def fleet_defaults(environ: Mapping[str, str]) -> dict[str, object]:
    """What ``DDP_FAIL_ON_DRIFT`` gives every fleet that does not say (severity is a pair
    check's; a fleet lists its drifted partitions)."""
    return {k: v for k, v in drift_defaults(environ).items() if k == "fail_on_drift"}


def fleets_from_env(
    environ: Mapping[str, str], defaults: Mapping[str, object] | None = None
) -> list[FleetSpec]:
    """The fleets of ``DDP_PAIRS_FILE`` (none without one)."""
    path = environ.get(PAIRS_FILE_ENV)
    if not path:
        return []
    return fleets_from_mapping(read_pairs_file(path), f"pairs file {path}", defaults)


def matching_databases(
    fleet: FleetSpec, settings: ConnectionSettings, limits: SessionLimits
) -> list[str]:
    """The databases on ``settings``' server whose names match the fleet's pattern (read in
    a read-only session that gives up after ``limits``)."""
    with connect(settings, "target", limits) as conn:
        conn.read_only = True
        try:
            names = [row[0] for row in conn.execute(_DATABASES).fetchall()]
        except psycopg.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DdpError(f"cannot list the databases of {settings.address()}: {first}") from None
        finally:
            conn.rollback()
    return [
        n
        for n in names
        if fnmatch.fnmatchcase(n, fleet.database_pattern) and PARTITION_KEY.match(n)
    ]


def build_fleet_sensor(
    fleet: FleetSpec, default_status: dg.DefaultSensorStatus
) -> dg.SensorDefinition:
    """The sensor adding a partition for every database of the target's server that matches
    the fleet's pattern (databases dropped since keep their partitions and history)."""
    partitions = dg.DynamicPartitionsDefinition(name=fleet.partitions_name)

    @dg.sensor(
        name=f"{fleet.name}_databases_sensor",
        minimum_interval_seconds=300,
        default_status=default_status,
        required_resource_keys={fleet.target_resource_key, fleet.options_resource_key},
        description=f"Adds a partition to fleet {fleet.name} for each database matching "
        f"{fleet.database_pattern!r} on the targets' server (read-only, bounded by the "
        "read timeout).",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        resource: PostgresSchemaResource = getattr(context.resources, fleet.target_resource_key)
        options = getattr(context.resources, fleet.options_resource_key)
        limits = SessionLimits(options.lock_timeout, options.read_timeout)
        try:
            found = matching_databases(
                fleet, fleet.target_settings(resource, fleet.discovery_database), limits
            )
        except DdpError as err:  # said in one line (no password), tried again next tick
            return dg.SkipReason(err.line(DAGSTER))
        known = set(context.instance.get_dynamic_partitions(fleet.partitions_name))
        new = [name for name in found if name not in known]
        if not new:
            return dg.SkipReason(f"no new database matching {fleet.database_pattern!r}")
        context.log.info(f"fleet {fleet.name}: {len(new)} new database(s)")
        return dg.SensorResult(dynamic_partitions_requests=[partitions.build_add_request(new)])

    return _sensor
