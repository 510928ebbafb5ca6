"""An IO manager that stores the assets' pydantic models as readable JSON files.

Snapshots, plans and scripts are frozen pydantic models with a JSON round trip, so files are
readable, independent of import paths (unlike pickles) and validated when loaded. Files land at
``<base_dir>/<key prefix>/<asset name>.json``; the default base is the instance's storage folder
(``$DAGSTER_HOME/storage``), shared by every step process of a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args, get_origin

import dagster as dg
from pydantic import BaseModel, Field
from upath import UPath


class PydanticJsonIOManager(dg.UPathIOManager):
    """Writes ``model.model_dump_json()``; reads back into the input's annotated model type.

    A partitioned asset (a fleet's) returns ``{partition: model}`` for the partitions of its
    run, one or many (a single-run backfill materialises many at once), and each is a file of
    its own, ``<asset key>/<partition>.json``; a partitioned input is read back the same way,
    annotated ``dict[str, Model]``.
    """

    extension = ".json"

    def _partition_path(self, key: dg.AssetKey, partition: str) -> UPath:
        return self._base_path.joinpath(*key.path, partition + self.extension)

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        if not context.has_asset_partitions:
            return super().handle_output(context, obj)
        if not isinstance(obj, Mapping) or set(obj) != set(context.asset_partition_keys):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: a partitioned asset returns "
                "{partition: model} for the partitions of its run"
            )
        for partition, value in obj.items():
            self.dump_to_path(context, value, self._partition_path(context.asset_key, partition))
        return None

    def load_input(self, context: dg.InputContext) -> object:
        if not (context.has_asset_key and context.has_asset_partitions):
            return super().load_input(context)
        return {
            partition: self.load_from_path(
                context, self._partition_path(context.asset_key, partition)
            )
            for partition in context.asset_partition_keys
        }

    def dump_to_path(self, context: dg.OutputContext, obj: object, path: UPath) -> None:
        if not isinstance(obj, BaseModel):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: PydanticJsonIOManager stores pydantic "
                f"models only, got {type(obj).__name__}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(obj.model_dump_json())
        tmp.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> BaseModel:
        model = context.dagster_type.typing_type
        if get_origin(model) in (dict, Mapping):  # a partitioned input: {partition: model}
            model = get_args(model)[1]
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: annotate the input with its pydantic "
                "model so that PydanticJsonIOManager can validate it"
            )
        return model.model_validate_json(path.read_text())


class JsonIOManager(dg.ConfigurableIOManagerFactory):
    """Configurable front of :class:`PydanticJsonIOManager`."""

    base_dir: str | None = Field(
        default=None,
        description="Folder for the JSON files (default: the instance's storage folder)",
    )

    def create_io_manager(self, context: dg.InitResourceContext) -> PydanticJsonIOManager:
        base = self.base_dir
        if not base:
            if context.instance is None:
                raise dg.DagsterInvariantViolationError("JsonIOManager needs base_dir here")
            base = context.instance.storage_directory()
        return PydanticJsonIOManager(base_path=UPath(base))
