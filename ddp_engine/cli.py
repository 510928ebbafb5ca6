"""``ddp``: argument parsing and messages only; the work is in ddp_engine.sync.

Exit codes: 0 success; 1 error; 2 differences found when ``--exit-code`` is given (a CI drift
gate, like ``git diff --exit-code``); 64 (EX_USAGE) a usage error: a bad or conflicting flag, a
bad setting, missing credentials. Click's own usage errors exit 2, which would read as drift.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from ddp_engine.cli_scope import scope_options, sync_options
from ddp_engine.cli_sides import side_options, target_version
from ddp_engine.errors import COMMAND, BadInput, DdpError, Face, SeedWording
from ddp_engine.plan_options import APPLY_FACE, PLAN_FACE, apply_params, dump_params, plan_params
from ddp_engine.proctitle import hide_passwords
from ddp_engine.settings import ConnectionSettings, load_environment, settings_for

if TYPE_CHECKING:  # imported when a sync runs: --help and usage errors start faster
    from ddp_engine.sync import SyncOptions

#: What ``run_sync`` does once both sides are known: (values, environ, options, source, target).
Finish = Callable[
    [dict[str, Any], dict[str, str], "SyncOptions", ConnectionSettings, ConnectionSettings], None
]

#: How ``ddp dump`` words an error.
DUMP = COMMAND._replace(prefix="DDP DUMP failed", replan="run ddp dump again")
#: How ``ddp demo`` words an error: under its own name, and it is the demo one runs again.
DEMO = COMMAND._replace(prefix="DDP DEMO failed", replan="run ddp demo again")

#: sysexits.h EX_USAGE: the command was used wrongly (2 is drift under ``--exit-code``).
EX_USAGE = 64


def progress(quiet: bool, message: str) -> None:
    """Phases and counts on stderr, for a person watching a long run (a TTY), never in CI logs."""
    if not quiet and sys.stderr.isatty():
        click.echo(f"ddp: {message}", err=True)


def fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def usage_failed(exc: click.ClickException) -> int:
    """Click's refusal of the arguments as one line (``DDP SYNC failed: No such option: --x``),
    and its exit code: 64 for every usage error, never click's 2."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        exc.show()  # ``ddp`` alone: the help, as click prints it
        return EX_USAGE
    if ctx is not None and ctx.parent is not None:
        name = ctx.command.name
    else:  # refused while click was still reading the command's own arguments
        name = next((arg for arg in sys.argv[1:2] if arg in main.commands), None)
    head = f"DDP {name.upper()} failed" if name else "DDP failed"
    hint = f" (see ddp {name} --help)" if name else " (see ddp --help)"
    click.echo(f"{head}: {' '.join(exc.format_message().split())}{hint}", err=True)
    return EX_USAGE if isinstance(exc, click.UsageError) else exc.exit_code


def interrupted(message: str, exc: KeyboardInterrupt) -> None:
    """Ctrl-C: one line and the shell's code (130; 128+n for SIGTERM/SIGHUP turned into one)."""
    click.echo(message, err=True)
    sys.exit(128 + int(getattr(exc, "signum", 2)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ddp", prog_name="ddp", message="%(prog)s %(version)s")
def main() -> None:
    """DDP: Declarative Database Provisioning for PostgreSQL."""


@main.command()
@click.option("--env", "env_path", default=None, help="Path to .env file (default: auto-discover)")
@side_options("source")
@side_options("target")
@click.option(
    "--source-sql",
    default=None,
    help="Source schema from a .sql file or a directory of .sql files (migration order), loaded "
    "into a throwaway database on a server of the target's major version if at hand",
)
@click.option(
    "--target-sql",
    default=None,
    help="Target schema from a .sql file or directory, like --source-sql",
)
@click.option(
    "--target-version",
    type=click.IntRange(10, 99),
    help="The PostgreSQL major version the script will run on (for --target-sql): SQL files "
    "load on a server of it, else the plan carries the hazard shadow_version_differs "
    "[or DDP_TARGET_VERSION]",
)
@click.option("--output", default=None, help="Output file for the script (default: alter.sql)")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Plan and write the script, print it with a summary, apply nothing",
)
@click.option(
    "--apply",
    "do_apply",
    is_flag=True,
    help="Run the script on the target in one transaction, then verify",
)
@click.option("--exit-code", is_flag=True, help="Exit with 2 when differences were found")
@click.option("--all-schemas", is_flag=True, help="Compare every non-system schema")
@click.option("--no-privileges", is_flag=True, help="Leave GRANT/REVOKE out of the comparison")
@click.option(
    "--owners",
    is_flag=True,
    help="Compare owners too and set them with ALTER ... OWNER TO (the roles must exist)",
)
@click.option(
    "--online",
    is_flag=True,
    help="Build indexes CONCURRENTLY, add checks and foreign keys NOT VALID then validate, "
    "set NOT NULL through a validated check (an online part after the transaction)",
)
@click.option(
    "--lock-timeout",
    default="10s",
    show_default=True,
    help="How long ddp's sessions (reads, data checks, apply) wait for a lock; also the "
    "script's SET lock_timeout. A blocked read ends naming the table and the blocking process",
)
@click.option(
    "--read-timeout",
    default="300s",
    show_default=True,
    help="How long one query of ddp's own reads, data checks and shadow loading may run",
)
@click.option(
    "--shadow-url",
    default=None,
    help="libpq URL of a server of the target's major version where ddp may create a "
    "throwaway database to settle how texts print (default: $DDP_SHADOW_URL, else the "
    "embedded or a locally installed PostgreSQL of that version); the target is never written",
)
@click.option(
    "--statement-timeout", default="0", show_default=True, help="SET statement_timeout (0: none)"
)
@click.option(
    "--no-data-checks", is_flag=True, help="Do not count the target rows a change would fail on"
)
@click.option(
    "--allow-hazards",
    "allow_hazards",
    multiple=True,
    metavar="CODE[,CODE]",
    help="Let --apply through a plan with these blocking hazard codes (values_change, "
    "values_fail, data_not_carried, possible_rename, not_synchronised, "
    "shadow_version_differs); repeatable",
)
@click.option(
    "--using",
    multiple=True,
    metavar="SCHEMA.TABLE.COLUMN=EXPRESSION",
    help="Convert a column no cast reaches with this SQL expression (TYPE ... USING); "
    "repeatable. Else its old values stay in a renamed column (data_not_carried)",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["sql", "json"]),
    default="sql",
    show_default=True,
    help="sql: the script; json: the plan (changes, hazards, data checks, statements)",
)
@scope_options
@click.option(
    "--cache",
    "cache_dir",
    default=None,
    metavar="DIR",
    help="Keep each side's last snapshot in DIR and reuse it while that side's catalog has not "
    "changed (default: $DDP_CACHE_DIR; none)",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors")
def sync(**values: Any) -> None:
    """Make the target schema match the source schema (writes an ALTER script)."""
    guarded(COMMAND, lambda: run_sync(values), "DDP SYNC interrupted: nothing was applied")


def refuse_conflicts(values: dict[str, Any]) -> None:
    """Flags that contradict each other: refused before anything is read or started."""
    if values["dry_run"] and values["do_apply"]:
        raise BadInput("--dry-run and --apply contradict each other: give one")
    if values["schema_map"]:
        for flag in ("all_schemas", "source_schema", "target_schema"):
            if values[flag]:
                raise BadInput(f"--schema-map names the schemas: drop --{flag.replace('_', '-')}")
    if values["all_schemas"]:
        # Only flags: a *_DB_SCHEMA from the environment or .env (as the seed's .env example
        # has) is a default that --all-schemas overrides.
        for side in ("source", "target"):
            if values[f"{side}_schema"] is not None:
                raise BadInput(
                    f"--all-schemas compares every schema: it cannot be "
                    f"combined with --{side}-schema"
                )


def run_sync(values: dict[str, Any], finish: Finish | None = None) -> None:
    """Resolve both sides (live, or loaded from SQL files), then ``finish`` with them:
    ``sync_sides`` for ``ddp sync``, ``write_plan_file`` for ``ddp plan``."""
    from ddp_engine.sources import shadow_sources

    refuse_conflicts(values)
    environ = load_environment(values["env_path"])
    options = sync_options(values, environ)
    live: dict[str, ConnectionSettings] = {}
    for side in ("source", "target"):
        if values[f"{side}_sql"] is None:
            live[side] = settings_for(side, values, environ)
            continue
        for name in ("url", "host", "port", "database", "username", "password", "sslmode"):
            if values[f"{side}_{name}"] is not None:
                flag = f"--{side}" if name == "url" else f"--{side}-{name}"
                raise SeedWording(f"Error: --{side}-sql cannot be combined with {flag}")
    with shadow_sources(
        values["source_sql"],
        values["target_sql"],
        source_schema=values["source_schema"],
        target_schema=values["target_schema"],
        live_target=live.get("target"),
        target_version=target_version(values["target_version"], environ),
        shadow_url=options.shadow_url,
        limits=options.limits(),
    ) as shadow:
        source = shadow.source or live["source"]
        target = shadow.target or live["target"]
        shadowed = frozenset(side for side in ("source", "target") if getattr(shadow, side))
        options = options.model_copy(
            update={"uncached": shadowed, "loaded_on": shadow.loaded}  # a new database each run
        )
        (finish or sync_sides)(values, environ, options, source, target)


def sync_sides(
    values: dict[str, Any],
    environ: dict[str, str],
    options: SyncOptions,
    source: ConnectionSettings,
    target: ConnectionSettings,
) -> None:
    from ddp_engine.present import drifted_objects, plan_json, sql_comments, summary
    from ddp_engine.sync import apply_and_verify, compare, write_script

    quiet = values["quiet"]
    started = time.perf_counter()
    progress(quiet, f"reading {source.describe()} and {target.describe()} ...")
    result = compare(source, target, options)
    KEEP_UNTIL_EXIT.append(result)
    counts = result.source.counts()
    progress(
        quiet,
        f"read {counts['tables']} tables, {counts['columns']} columns (source) in "
        f"{result.source_seconds:.1f}s and {result.target.counts()['tables']} tables (target) in "
        f"{result.target_seconds:.1f}s; planned {len(result.plan.changes)} change(s); "
        f"{time.perf_counter() - started:.1f}s in all",
    )
    as_json = values["output_format"] == "json"
    text = plan_json(result.plan) if as_json else result.script
    default = "alter.json" if as_json else "alter.sql"
    where = values["output"] or environ.get("OUTPUT_FILE") or default
    output = None if where == "-" else write_script(text, where)
    if values["dry_run"] or output is None:
        # stdout holds only what psql -f runs (or the JSON): the summary as -- comments
        if values["dry_run"] and not quiet and not as_json:
            click.echo(sql_comments(summary(result.plan)) + "\n")
        elif not quiet:
            click.echo(summary(result.plan), err=True)
        click.echo(text, nl=False)
        if output is not None and not quiet:
            click.echo(f"Script written to {output}", err=True)
    elif not quiet:
        click.echo(summary(result.plan))
        click.echo(f"Script written to {output}")
    if values["do_apply"] and not result.plan.is_empty:
        after = apply_and_verify(result.plan, source, target, options).after
        if not after.is_empty:
            click.echo(f"Applied, but {len(after.changes)} difference(s) remain:")
            for line in drifted_objects(after):
                click.echo(f"  {line}")
            sys.exit(1)
        click.echo("Applied: the target now matches the source.")
    if values["exit_code"] and not result.plan.is_empty:
        sys.exit(2)


def guarded(face: Face, work: Callable[[], None], interrupted_line: str) -> None:
    """Run a command's work; its errors as one line in ``face``'s words, never a traceback."""
    try:
        work()
    except DdpError as exc:
        fail(exc.line(face), exc.exit_code)
    except KeyboardInterrupt as exc:
        interrupted(interrupted_line, exc)
    except Exception as exc:  # noqa: BLE001 - one line for people, never a traceback
        if os.environ.get("DDP_DEBUG"):
            raise
        fail(
            f"{face.prefix}: internal error ({type(exc).__name__}): "
            f"{' '.join(str(exc).split())[:300]} (set DDP_DEBUG=1 for details)"
        )


def plan_command(**values: Any) -> None:
    """Write a plan file to review, then apply with ddp apply (takes ddp sync's options)."""
    from ddp_engine.cli_plans import write_plan_file

    values |= {"dry_run": False, "do_apply": False, "allow_hazards": (), "output_format": "json"}
    run = lambda: run_sync(values, finish=write_plan_file)  # noqa: E731
    guarded(PLAN_FACE, run, "DDP PLAN interrupted: nothing was written")


def apply_command(plan_path: str, **values: Any) -> None:
    """Apply a plan file written by ddp plan: exactly its statements, or nothing when the
    target changed since it was made."""
    from ddp_engine.cli_plans import apply_file

    def work() -> None:
        environ = load_environment(values["env_path"])

        def target_for(schema: str) -> ConnectionSettings:  # the plan's, unless one is given
            chosen = values["target_schema"] or environ.get("TARGET_DB_SCHEMA") or schema
            return settings_for("target", values | {"target_schema": chosen}, environ)

        apply_file(plan_path, values, target_for)

    guarded(APPLY_FACE, work, "DDP APPLY interrupted")


for _name, _callback, _params in (
    ("plan", plan_command, plan_params),
    ("apply", apply_command, apply_params),
):
    main.add_command(
        click.Command(
            _name, callback=_callback, help=_callback.__doc__, params=_params(sync.params)
        )
    )


def dump_command(**values: Any) -> None:
    """Write the source schema as SQL files: a folder per schema, a file per object."""
    from ddp_engine.cli_dump import run_dump

    guarded(DUMP, lambda: run_dump(values), "DDP DUMP interrupted")


main.add_command(
    click.Command(
        "dump", callback=dump_command, help=dump_command.__doc__, params=dump_params(sync.params)
    )
)


@main.command("demo")
def demo_command() -> None:
    """Sync two example databases end to end on an embedded PostgreSQL (nothing to install)."""
    from ddp_engine import demo

    codes: list[int] = []
    guarded(
        DEMO,
        lambda: codes.append(demo.run()),
        "DDP DEMO interrupted: the server was stopped and its directory removed",
    )
    sys.exit(codes[0])


#: What the command made, held until the process ends: freeing both snapshots of a big
#: catalog one small object at a time took 0.2 s at 10,000 tables when the command returned,
#: and ``run`` ends the process without that.
KEEP_UNTIL_EXIT: list[object] = []


def run() -> None:
    """The ``ddp`` command: ``main``, then exit without tearing the heap down.

    Passwords given as flags leave the process title first (:mod:`ddp_engine.proctitle`; the
    ``ddp`` script does that even before importing this module, see ``ddp_engine.__main__``).
    Click runs outside its standalone mode so that a usage error ends with 64, not click's 2.
    A sync of a big catalog leaves millions of small objects (``KEEP_UNTIL_EXIT``); freeing
    them one by one helps nobody. Everything is closed by then (connections, embedded
    servers, files: each has its own ``with``); only the standard streams need flushing.
    """
    hide_passwords(sys.argv)
    code: object = 0
    try:
        code = main.main(standalone_mode=False)  # the command's SystemExit passes through
    except SystemExit as exc:
        code = exc.code
    except click.ClickException as exc:
        code = usage_failed(exc)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("DDP interrupted", err=True)
        code = 130
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: what was written is lost, as Python's own exit says
        code = code or 120
    os._exit(code or 0)


if __name__ == "__main__":
    run()
