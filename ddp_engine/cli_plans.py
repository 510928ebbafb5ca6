"""The work of ``ddp plan`` and ``ddp apply`` (their options and error wording are in cli.py).

``ddp plan`` takes ``ddp sync``'s options and writes a plan file (ddp_engine.planfile) instead
of a script; ``ddp apply PLAN.json`` applies exactly that file's statements to the target, after
showing its summary and asking on a terminal, or with ``--yes``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ddp_engine.errors import BadInput, DdpError, PlanRefused
from ddp_engine.hazards import parse_allowed
from ddp_engine.model import Snapshot
from ddp_engine.planfile import PlanFile, apply_plan_file, load_plan_file, make_plan_file
from ddp_engine.present import summary
from ddp_engine.settings import ConnectionSettings
from ddp_engine.sync import SyncOptions, compare, write_script


def write_plan_file(
    values: dict[str, Any], _environ: object, options: SyncOptions, *sides: ConnectionSettings
) -> None:
    """Plan (with the target's fingerprint, which the apply checks) and write the plan file,
    and the script beside it when ``--sql`` asks; ``-`` writes the plan file to stdout.
    ``sides`` are the source and the target, as ``run_sync`` resolved them."""
    source, target = sides
    quiet = values["quiet"]
    compared: list[Snapshot] = []
    result = compare(
        source, target, options.model_copy(update={"fingerprint": True}), compared=compared
    )
    text = make_plan_file(result, compared[0], source, target, options)
    where = values["output"]
    if where == "-":
        click.echo(text, nl=False)
    else:
        where = str(write_script(text, where))
    if values["sql_path"]:
        write_script(result.script, values["sql_path"])
    if not quiet:
        to_stderr = where == "-"
        click.echo(summary(result.plan), err=to_stderr)
        if not to_stderr:
            click.echo(f"Plan written to {where}; review it, then: ddp apply {where}")
    if values["exit_code"] and not result.plan.is_empty:
        sys.exit(2)


def apply_file(
    path: str,
    values: dict[str, Any],
    target_for: Callable[[str], ConnectionSettings],
) -> None:
    """Load the plan file, ask for consent, apply it and say what was done.

    ``target_for(schema)`` resolves the target's connection as ``ddp sync`` does, with
    ``schema`` (the plan's) as the default when no flag or variable names one.
    """
    planfile = load_plan_file(path)
    allowed = parse_allowed(values["allow_hazards"])
    target = target_for(planfile.target.schema_name)
    plan = planfile.the_plan()
    blocking = plan.refused(allowed)
    if blocking:  # before asking: consent to the apply is not consent to these
        raise PlanRefused(blocking)
    if not values["yes"] and not plan.is_empty:
        confirm(planfile, target)
    done = apply_plan_file(planfile, target, allowed)
    if values["quiet"]:
        return
    if done.applied:
        click.echo(f"Applied {done.statements} statement(s): the target now matches the source.")
    else:
        click.echo("Nothing to apply: the target already matches the source.")
    if done.texts_unsettled:
        click.echo(
            "note: the target prints some view or CHECK texts differently from the source; "
            "ddp sync --dry-run settles them on a shadow server"
        )


def confirm(planfile: PlanFile, target: ConnectionSettings) -> None:
    """Show the summary and ask on a terminal; without one, ``--yes`` is the consent."""
    if not sys.stdin.isatty():
        raise BadInput(
            "ddp apply asks before it changes the target and there is no terminal to ask on: "
            "review the plan, then give --yes"
        )
    click.echo(summary(planfile.the_plan()))
    click.echo(f"Planned at {planfile.plan.get('generated_at')} for {target.describe()}")
    if not click.confirm("Apply this plan to the target?", default=False):
        raise DdpError("not confirmed: nothing was applied")
