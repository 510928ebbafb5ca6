"""``DdpSchemaPairs``: the schema pairs as a ``dg`` component, for projects laid out by ``dg``.

A ``defs.yaml`` in the project's ``defs/`` folder names the pairs as the pairs file does
(env-var prefixes, never values), and the component builds the same definitions as
``ddp_dagster.definitions`` (assets, check, jobs, schedules, the webhook sensor)::

    type: ddp_dagster.component.DdpSchemaPairs
    attributes:
      include_default: false
      pairs:
        sales:
          source_env: SALES_SOURCE_DB_
          target_env: SALES_TARGET_DB_
          fail_on_drift: true
      fleets:                           # one source, a partition per target database
        tenants:
          source_env: TENANT_SOURCE_DB_
          target_env: TENANT_TARGET_DB_
          database_pattern: "tenant_*"

One such component per code location: its jobs have fixed names (``schema_drift_job``, ...).
"""

import os
from typing import Any

import dagster as dg

from ddp_dagster.build import build_definitions
from ddp_dagster.fleets import fleet_defaults, fleets_from_mapping
from ddp_dagster.pairs import drift_defaults, pairs_from_mapping


class DdpSchemaPairs(dg.Component, dg.Model, dg.Resolvable):
    """Schema pairs synced and drift-checked by DDP (see the pairs file's keys)."""

    include_default: bool = True
    pairs: dict[str, dict[str, Any]] = {}
    fleets: dict[str, dict[str, Any]] = {}

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        """The pairs' and fleets' definitions; the drift defaults come from the environment
        as usual."""
        raw = {"include_default": self.include_default, "pairs": self.pairs, "fleets": self.fleets}
        where = f"{context.path}" if getattr(context, "path", None) else "DdpSchemaPairs"
        specs = pairs_from_mapping(raw, where, drift_defaults(os.environ))
        fleets = fleets_from_mapping(raw, where, fleet_defaults(os.environ))
        return build_definitions(pairs=specs, fleets=fleets)
