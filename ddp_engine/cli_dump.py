"""The work of ``ddp dump`` (its options are ``ddp sync``'s source side and scope options)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ddp_engine.cli_scope import sync_options
from ddp_engine.settings import load_environment, settings_for


def run_dump(values: dict[str, Any]) -> None:
    """Read the source (live, or SQL files on the shadow server) and write it out."""
    from ddp_engine.dump import dump_files, write_dump
    from ddp_engine.sources import shadow_sources
    from ddp_engine.sync import snapshot

    environ = load_environment(values["env_path"])
    defaults = {
        "allow_hazards": (),
        "using": (),
        "owners": False,
        "online": False,
        "statement_timeout": "0",
        "shadow_url": None,
        "no_data_checks": True,
        "do_apply": False,
    }
    options = sync_options(defaults | values, environ)
    output = Path(values["output"])
    with shadow_sources(values["source_sql"], None, source_schema=values["source_schema"]) as sh:
        source = sh.source or settings_for("source", values, environ)
        snap, _ = snapshot(source, "source", options, source.schema_name)  # its own names
    count = write_dump(dump_files(snap, options.scope()), output)
    if not values["quiet"]:
        click.echo(f"Wrote {count} file(s) to {output}; load order in {output}/load-order.txt")
        for u in snap.unsupported:  # what a sync lists as not synchronised is not written either
            click.echo(f"not written (not synchronised by ddp): {u.object_type} {u.identity}")
