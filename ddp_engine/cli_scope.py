"""The options that choose what a command compares and how names map: ``--include``,
``--exclude``, ``--schema-map``, ``--rename`` and ``--renames`` (``ddp sync``, ``ddp plan``,
``ddp dump``). Only click is imported at the top: ``ddp --help`` stays fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ddp_engine.errors import BadInput

if TYPE_CHECKING:
    from ddp_engine.sync import SyncOptions

#: The options, outermost first, as click.option arguments.
_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--include",),
        dict(
            multiple=True,
            metavar="[KIND:]SCHEMA.NAME",
            help="Compare only objects matching this glob (* stays within a name part: "
            "public.audit_*, table:public.t*, schema:sales); repeatable [or DDP_INCLUDE, "
            "comma-separated]",
        ),
    ),
    (
        ("--exclude",),
        dict(
            multiple=True,
            metavar="[KIND:]SCHEMA.NAME",
            help="Leave objects matching this glob as they are in the target; repeatable "
            "[also DDP_EXCLUDE, comma-separated, and the lines of a .ddpignore file]",
        ),
    ),
    (
        ("--schema-map",),
        dict(
            multiple=True,
            metavar="SRC=TGT",
            help="Compare source schema SRC with target schema TGT; repeatable, for several "
            "schemas at once (other target schemas are left as they are)",
        ),
    ),
    (
        ("--rename", "rename_hints"),
        dict(
            multiple=True,
            metavar="[KIND:]OLD=NEW",
            help="The target's object OLD (qualified name) is the source's NEW (last name "
            "part): renamed in place, its data kept. Kinds: column, table, index, constraint, "
            "schema, enum_value; repeatable",
        ),
    ),
    (
        ("--renames", "renames_file"),
        dict(
            default=None,
            metavar="FILE",
            help="A file of rename hints, one [KIND:]OLD=NEW a line (# comments)",
        ),
    ),
)


def scope_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the scope and rename options to a command."""
    for args, kwargs in reversed(_OPTIONS):
        func = click.option(*args, **kwargs)(func)
    return func


def _lines(path: Path, what: str) -> tuple[str, ...]:
    """The lines of a hints or ignore file, ``#`` comments and blanks left out."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise BadInput(f"cannot read the {what} {path}: {exc.strerror}") from None
    return tuple(
        line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()
    )


def scope_values(values: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """The options as SyncOptions fields: flags, then DDP_INCLUDE / DDP_EXCLUDE, then the
    nearest ``.ddpignore`` (its lines are exclude patterns)."""
    from ddp_engine.schemamap import parse_schema_map
    from ddp_engine.scope import IGNORE_FILE, split_patterns
    from ddp_engine.settings import find_env_file

    include = split_patterns([*values.get("include", ()), environ.get("DDP_INCLUDE", "")])
    exclude = split_patterns([*values.get("exclude", ()), environ.get("DDP_EXCLUDE", "")])
    ignore = find_env_file(Path.cwd(), name=IGNORE_FILE)
    if ignore is not None:
        exclude += _lines(ignore, "ignore file")
    renames = tuple(values.get("rename_hints", ()))
    if values.get("renames_file"):
        renames += _lines(Path(values["renames_file"]), "renames file")
    return {
        "include": include,
        "exclude": exclude,
        "schema_map": parse_schema_map(values.get("schema_map", ())),
        "renames": renames,
    }


def sync_options(values: dict[str, Any], environ: dict[str, str]) -> SyncOptions:
    """The flags as the engine's options (a bad one is refused before anything starts)."""
    from ddp_engine.shadow import SHADOW_URL_ENV
    from ddp_engine.sync import SyncOptions

    return SyncOptions(
        allow_hazards=values["allow_hazards"],
        using=values["using"],
        all_schemas=values["all_schemas"] or bool(values.get("schema_map")),  # read whole
        **scope_values(values, environ),
        privileges=not values["no_privileges"],
        owners=values["owners"],
        online=values["online"],
        lock_timeout=values["lock_timeout"],
        statement_timeout=values["statement_timeout"],
        read_timeout=values["read_timeout"],
        shadow_url=values["shadow_url"] or environ.get(SHADOW_URL_ENV) or None,
        data_checks=not values["no_data_checks"],
        fingerprint=values["do_apply"],
        cache_dir=values.get("cache_dir") or environ.get("DDP_CACHE_DIR") or None,
    )
