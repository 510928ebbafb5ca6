"""How a pair's assets appear in Dagster: keys, group, owners, tags and kinds.

As Dagster's own integrations do (``DagsterDltTranslator``, ``DagsterDbtTranslator``), one
overridable method turns what DDP knows (a pair and a stage) into an ``AssetSpec``; subclass
:class:`DdpTranslator` and pass it to ``build_definitions(translator=...)`` to name the assets
your way. The defaults: key ``[<pair>, <stage>]`` (``[<stage>]`` for the default pair), group
the pair's name (``ddp`` for the default pair), kind ``postgres``, no owners or tags.
"""

from __future__ import annotations

from typing import Literal

import dagster as dg

from ddp_dagster.pairs import PairSpec

KIND_TAG = "dagster/kind/"

#: The stages of a pair, in the order they run (target_catalog is observed, not materialised).
Stage = Literal[
    "target_catalog", "source_schema", "target_schema", "schema_diff", "alter_sql", "applied_plan"
]


class DdpTranslator:
    """Maps (pair, stage) to the stage's ``AssetSpec``.

    Examples:
        .. code-block:: python

            class TeamTranslator(DdpTranslator):
                def get_asset_spec(self, pair: PairSpec, stage: Stage) -> dg.AssetSpec:
                    spec = super().get_asset_spec(pair, stage)
                    return spec.replace_attributes(
                        key=spec.key.with_prefix("schemas"),
                        group_name=f"db_{spec.group_name}",
                        owners=["team:platform"],
                    )

            defs = build_definitions(translator=TeamTranslator())
    """

    def get_asset_spec(self, pair: PairSpec, stage: Stage) -> dg.AssetSpec:
        """The spec of ``pair``'s ``stage`` asset (its key, group, owners, tags and kinds)."""
        return dg.AssetSpec(
            key=dg.AssetKey([*pair.key_prefix, stage]),
            group_name=pair.group_name,
            kinds={"postgres"},
        )

    def asset_args(self, pair: PairSpec, stage: Stage) -> dict[str, object]:
        """The spec as ``@dg.asset`` keyword arguments (what the asset builders use)."""
        spec = self.get_asset_spec(pair, stage)
        return {
            "key": spec.key,
            "group_name": spec.group_name,
            "owners": list(spec.owners) or None,
            # kinds live among the tags too (dagster/kind/...): passed once, as kinds
            "tags": {k: v for k, v in spec.tags.items() if not k.startswith(KIND_TAG)} or None,
            "kinds": set(spec.kinds) or None,
        }
