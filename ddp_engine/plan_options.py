"""The options of ``ddp plan`` and ``ddp apply``, made from ``ddp sync``'s own, and their wording.

``ddp plan`` takes every option of ``ddp sync`` that shapes a plan, so that a plan file is made
exactly as ``ddp sync`` would make the script; ``ddp apply`` takes the target's connection as
``ddp sync`` does. Only click is imported here: ``ddp --help`` stays fast.
"""

from __future__ import annotations

import click

from ddp_engine.errors import COMMAND

#: How ``ddp plan`` and ``ddp apply`` word an error; both make a fresh plan with ddp plan.
PLAN_FACE = COMMAND._replace(prefix="DDP PLAN failed", replan="run ddp plan again")
APPLY_FACE = COMMAND._replace(prefix="DDP APPLY failed", replan="run ddp plan again")

#: ``ddp sync``'s options that ``ddp plan`` does not take: it writes a plan file, to --output.
NOT_FOR_PLAN = frozenset({"dry_run", "do_apply", "allow_hazards", "output_format", "output"})
#: ``ddp sync``'s options ``ddp apply`` takes: the target, the ``.env``, consent, quiet.
FOR_APPLY = frozenset({"env_path", "quiet"})


def plan_params(sync_params: list[click.Parameter]) -> list[click.Parameter]:
    return [
        *(p for p in sync_params if p.name not in NOT_FOR_PLAN),
        click.Option(
            ["--output"],
            default="plan.json",
            show_default=True,
            help="Where the plan file is written (- for stdout)",
        ),
        click.Option(
            ["--sql", "sql_path"], default=None, help="Also write the script to this file"
        ),
    ]


def apply_params(sync_params: list[click.Parameter]) -> list[click.Parameter]:
    return [
        click.Argument(["plan_path"], metavar="PLAN.json"),
        *(
            p
            for p in sync_params
            if p.name in FOR_APPLY
            or (p.name or "").startswith("target_")
            and p.name != "target_sql"
        ),
        click.Option(
            ["--allow-hazards", "allow_hazards"],
            multiple=True,
            metavar="CODE[,CODE]",
            help="Apply a plan holding these blocking hazard codes (values_change, values_fail, "
            "data_not_carried, possible_rename, not_synchronised, shadow_version_differs); "
            "repeatable",
        ),
        click.Option(
            ["--yes", "--auto-approve", "yes"],
            is_flag=True,
            help="Apply without asking (needed where there is no terminal to ask on)",
        ),
    ]


#: ``ddp sync``'s options ``ddp dump`` takes: the source side, the scope, the .env, quiet.
FOR_DUMP = frozenset({"env_path", "quiet", "all_schemas", "no_privileges", "include", "exclude"})


def dump_params(sync_params: list[click.Parameter]) -> list[click.Parameter]:
    return [
        *(
            p
            for p in sync_params
            if p.name in FOR_DUMP
            or (p.name or "").startswith("source_")
            or p.name in ("read_timeout", "lock_timeout")
        ),
        click.Option(
            ["--output"], required=True, metavar="DIR", help="A new (or empty) folder to write"
        ),
    ]
