"""Reviewed plans: plan once (``ddp plan``), review the file, apply exactly that plan later
(``ddp apply``), or refuse it when the target moved in between.

A plan file is JSON (``schema/plan.schema.json``, ``format_version``) holding: the tool
version; both sides described without secrets; the options the plan was made under; the
target's fingerprint (an apply refuses when the target no longer has it) and the fingerprint of
the source as the diff compared it (ddp_engine.verify: the target must have it once the plan is
applied); the plan as ``ddp sync --format json`` writes it (steps with section, statements,
hazards; data checks; cleanup part); the rendered script; and a digest of all of that.

The digest detects a file edited by hand, so that a changed statement is never applied as if
it had been reviewed. It is not a signature: whoever may write the file may recompute it.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psycopg
from pydantic import BaseModel, ConfigDict, ValidationError

from ddp_engine.apply import apply_plan
from ddp_engine.blocked import blocked_read
from ddp_engine.crossversion import strip_privileges
from ddp_engine.errors import ApplyFailed, BadInput, DdpError, PlanEdited
from ddp_engine.hazards import HazardCode
from ddp_engine.introspect import introspect
from ddp_engine.model import Snapshot
from ddp_engine.plan_model import Plan
from ddp_engine.present import FORMAT_VERSION, plan_document
from ddp_engine.settings import ConnectionSettings
from ddp_engine.shadow import major_of
from ddp_engine.sync import SyncOptions, SyncResult
from ddp_engine.verify import compared_fingerprint


class Side(BaseModel):
    """Where one side of the plan was read: no user, no password."""

    model_config = ConfigDict(frozen=True)

    #: None where libpq chose (PGHOST, PGPORT, a service file)
    host: str | None
    port: int | None
    database: str
    schema_name: str
    server_version: int


class MadeWith(BaseModel):
    """The options that shaped the plan, and under which its apply is verified."""

    model_config = ConfigDict(frozen=True)

    all_schemas: bool
    privileges: bool
    owners: bool = False  # absent from plan files made before --owners
    online: bool
    lock_timeout: str
    statement_timeout: str
    read_timeout: str
    data_checks: bool
    #: Scope and rename options (absent from files written before they existed).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    schema_map: tuple[tuple[str, str], ...] = ()
    renames: tuple[str, ...] = ()


class PlanFile(BaseModel):
    """A plan file as read back (its digest already checked)."""

    model_config = ConfigDict(frozen=True)

    format_version: int
    tool_version: str
    source: Side
    target: Side
    options: MadeWith
    source_fingerprint: str
    #: ... with the texts of views and CHECKs left out (verify.compared_fingerprint)
    source_fingerprint_texts_aside: str
    target_fingerprint: str
    plan: dict[str, Any]
    script: str
    digest: str

    def the_plan(self) -> Plan:
        """The plan the file holds, as the engine applies it."""
        return Plan.model_validate(self.plan)

    def sync_options(self, allowed: frozenset[HazardCode]) -> SyncOptions:
        """The options the plan was made under, with the hazard codes allowed now."""
        return SyncOptions(**self.options.model_dump(), allow_hazards=allowed)


def tool_version() -> str:
    try:
        return version("ddp")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def side(settings: ConnectionSettings, snapshot: Snapshot) -> Side:
    return Side(
        host=settings.host,
        port=settings.port,
        database=settings.database,
        schema_name=settings.schema_name,
        server_version=snapshot.server_version,
    )


def digest_of(document: dict[str, Any]) -> str:
    """sha256 of the document without its digest, keys sorted, as compact JSON."""
    body = {k: v for k, v in document.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def make_plan_file(
    result: SyncResult,
    compared: Snapshot,
    source: ConnectionSettings,
    target: ConnectionSettings,
    options: SyncOptions,
) -> str:
    """The plan file's text for ``result``; ``compared`` is the source as the diff compared it
    (sync.compare's ``compared``)."""
    if not result.plan.target_fingerprint:
        raise DdpError("a plan file needs the target's fingerprint (SyncOptions.fingerprint)")
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "tool_version": tool_version(),
        "source": side(source, result.source).model_dump(),
        "target": side(target, result.target).model_dump(),
        "options": MadeWith(**options.model_dump(include=set(MadeWith.model_fields))).model_dump(),
        "source_fingerprint": compared_fingerprint(compared, options.privileges),
        "source_fingerprint_texts_aside": compared_fingerprint(
            compared, options.privileges, texts=False
        ),
        "target_fingerprint": result.plan.target_fingerprint,
        "plan": plan_document(result.plan),
        "script": result.script,
    }
    document["digest"] = digest_of(document)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_plan_file(path: str | Path) -> PlanFile:
    """Read and check a plan file; anything wrong with it is one line (bad input)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(
            f"cannot read the plan file {path}: {getattr(exc, 'strerror', exc)}"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{path} is not a plan file: not JSON ({exc.msg}, line {exc.lineno})"
        ) from None
    if not isinstance(document, dict) or "digest" not in document:
        raise BadInput(f"{path} is not a plan file (write one with ddp plan --output {path})")
    if document.get("format_version") != FORMAT_VERSION:
        raise BadInput(
            f"{path} has plan format {document.get('format_version')!r}; this ddp reads format "
            f"{FORMAT_VERSION}: make the plan again with this ddp"
        )
    if document["digest"] != digest_of(document):
        raise PlanEdited(f"{path} was changed after it was written (its digest does not match)")
    try:
        planfile = PlanFile.model_validate(document)
        planfile.the_plan()
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise BadInput(
            f"{path} is not a valid plan file: {where}: {exc.errors()[0]['msg']}"
        ) from None
    return planfile


class Outcome(BaseModel):
    """What ``apply_plan_file`` did: it returns only when the target matches the source."""

    model_config = ConfigDict(frozen=True)

    applied: bool
    statements: int
    #: Only the printed texts of views or CHECK constraints differ from the source's: a
    #: server may print a re-created text differently; ddp sync settles them on a shadow.
    texts_unsettled: bool = False


def check_target(planfile: PlanFile, target: ConnectionSettings) -> None:
    """The plan's statements name its target's schema: refuse another database or schema."""
    made = planfile.target
    schema_differs = not planfile.options.all_schemas and target.schema_name != made.schema_name
    if target.database != made.database or schema_differs:
        raise BadInput(
            f"this plan is for schema {made.schema_name} of database {made.database}, not "
            f"schema {target.schema_name} of database {target.database}"
        )


def apply_plan_file(
    planfile: PlanFile, target: ConnectionSettings, allowed: frozenset[HazardCode]
) -> Outcome:
    """Apply exactly the plan's statements (never planned again), then verify.

    apply_plan refuses before anything runs when a blocking hazard code is not allowed or the
    target's fingerprint moved; it takes the advisory lock, counts the value checks again in
    the apply transaction, and runs the online part after it. Then the target, read again,
    must have the source's compared fingerprint recorded in the plan.
    """
    check_target(planfile, target)
    options = planfile.sync_options(allowed)
    plan = planfile.the_plan()
    try:
        scope = options.read_scope("target", target.schema_name)
        done = apply_plan(target, plan, planfile.script, allowed, options.limits(), scope)
    except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as exc:
        raise DdpError(
            blocked_read(target, "target", options.all_schemas, options.limits(), exc)
        ) from None
    after, _ = introspect(target, "target", options.all_schemas, options.limits(), None, scope)
    if major_of(after.server_version) != major_of(planfile.source.server_version):
        after = strip_privileges(after, planfile.source.server_version)
    matches = compared_fingerprint(after, options.privileges) == planfile.source_fingerprint
    aside = compared_fingerprint(after, options.privileges, texts=False)
    if not matches and aside != planfile.source_fingerprint_texts_aside:
        what = "the plan was applied, but" if done.applied else "nothing to apply, but"
        raise ApplyFailed(f"{what} the target does not match the plan's source", differs=True)
    return Outcome(applied=done.applied, statements=done.statements, texts_unsettled=not matches)
