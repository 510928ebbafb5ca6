"""Mutation testing of the engine with mutmut: a fixed-seed sample of mutants per module.

Two passes, each in a scratch copy of the project under ``.mutation/<pass>/`` (mutmut keeps its
configuration in ``pyproject.toml`` and works in ``mutants/`` beside it):

- ``engine``: diff, plan, ddl/ and render, judged by ``tests/engine`` (no server, fast);
- ``db``: apply, datacheck and sync, judged by a targeted set of tests that need the server.

Each pass makes every mutant of its modules, draws a sample per module (``random.Random(SEED)``
over the sorted mutant names; the whole module where it has fewer), runs the sample and writes
``mutation/results-<pass>.json``. ``report`` (run after every pass) turns the results of all
passes into ``mutation/REPORT.md`` and ``mutation/survivors.txt``.

    python scripts/mutation.py engine [--sample N] [--jobs J]
    python scripts/mutation.py db
    python scripts/mutation.py db --again   # the last sample's survivors, against newer tests
    python scripts/mutation.py named     # the named mutants of mutation/named/, one by one
    python scripts/mutation.py report
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "mutation"
SEED = 20261129


@dataclass(frozen=True)
class Pass:
    #: module name → the files it covers (relative to the project root)
    modules: dict[str, tuple[str, ...]]
    #: pytest arguments that choose the tests judging the mutants
    tests: tuple[str, ...]
    #: mutants drawn per module
    sample: int


PASSES = {
    "engine": Pass(
        modules={
            "diff": ("ddp_engine/diff.py",),
            "plan": ("ddp_engine/plan.py",),
            "ddl": ("ddp_engine/ddl/*",),
            "render": ("ddp_engine/render.py",),
        },
        tests=("tests/engine",),
        sample=150,
    ),
    "db": Pass(
        modules={
            "apply": ("ddp_engine/apply.py",),
            "datacheck": ("ddp_engine/datacheck.py",),
            "sync": ("ddp_engine/sync.py",),
        },
        tests=("tests/db",),
        sample=40,
    ),
}

#: Hand-made mutants (mutation/named/<name>.patch) that once left the suite green, with what
#: each breaks and the tests expected to kill it.
NAMED = {
    "1-trigger-view-sections-swapped": (
        "the TRIGGER and VIEW sections swapped",
        "tests/engine/test_render.py::test_every_section_in_its_place",
        "tests/test_claims.py::test_sections_come_in_the_readmes_order",
    ),
    "2-lock-per-schema": (
        "the advisory lock keyed per schema instead of per database",
        "tests/db/test_apply.py::test_lock_is_one_per_database_and_refuses_a_second_apply",
        "tests/test_claims.py::test_two_applies_to_different_schemas_of_one_database_never_overlap",
    ),
    "3-tombstoned-table-keeps-index-names": (
        "a tombstoned table's indexes not renamed",
        "tests/engine/test_plan.py::"
        "test_tombstoned_table_renames_its_keys_and_indexes_so_a_new_table_can_reuse_the_names",
        "tests/test_tombstone_names.py",
    ),
    "4-cast-check-counts-valid-values": (
        "the cast check counting the values that convert instead of those that do not",
        "tests/db/test_datacheck.py::test_type_change_counts_values_that_fail_and_that_change",
        "tests/test_claims.py::"
        "test_cast_check_counts_the_values_that_do_not_convert_on_postgresql_16_or_later",
    ),
    "5-password-scrubber-no-op": (
        "the password scrubber a no-op",
        "tests/test_claims.py::test_a_connection_error_that_quotes_the_password_is_scrubbed",
        "tests/test_claims.py::test_an_apply_error_that_quotes_the_password_is_scrubbed",
    ),
    "6a-cli-drift-after-apply-passes": (
        "the CLI not failing when drift is left after an apply",
        "tests/test_claims.py::test_drift_left_after_an_apply_fails_the_cli",
    ),
    "6b-dagster-drift-after-apply-passes": (
        "the Dagster apply not failing when drift is left after it",
        "tests/dagster/test_drift_after_apply.py",
    ),
    "7-enum-rebuilt-using-null": (
        "an enum rebuilt with USING NULL (every value wiped)",
        "tests/engine/test_plan.py::test_enum_label_removed_rebuilds_the_type_and_moves_its_columns",
        "tests/test_hazards_sequences_enums.py::test_enum_rebuild_keeps_every_value",
    ),
}

#: mutmut's words for a mutant's outcome → the report's columns
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}


def module_of(mutant: str, modules: dict[str, tuple[str, ...]]) -> str:
    """``ddp_engine.ddl.tables.xǁTableStepsǁ_f__mutmut_3`` → ``ddl`` (a package's own
    mutants are named after the package: ``ddp_engine.ddl.xǁStepBuilderǁ...``)."""
    found = re.match(r"(.+?)\.x[_ǁ]", mutant)
    if found is None:
        raise ValueError(f"not a mutant name: {mutant}")
    base = found.group(1).replace(".", "/")
    for name, patterns in modules.items():
        for pattern, path in itertools.product(patterns, (f"{base}.py", f"{base}/__init__.py")):
            if path == pattern or (pattern.endswith("/*") and path.startswith(pattern[:-1])):
                return name
    raise ValueError(f"mutant outside the modules: {mutant}")


def prepare(name: str, spec: Pass) -> Path:
    """A scratch copy of the project whose pyproject holds this pass's mutmut settings."""
    work = ROOT / ".mutation" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("ddp_engine", "tests"):
        shutil.copytree(ROOT / folder, work / folder, ignore=skip)
    shutil.copy(ROOT / "README.md", work / "README.md")
    only = [p for patterns in spec.modules.values() for p in patterns]
    settings = {
        "source_paths": ["ddp_engine"],
        "only_mutate": only,
        "pytest_add_cli_args_test_selection": list(spec.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q"],
        "use_git_change_detection": False,
    }
    text = (ROOT / "pyproject.toml").read_text()
    text += "\n[tool.mutmut]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in settings.items()
    )
    (work / "pyproject.toml").write_text(text)
    return work


def mutmut(work: Path, jobs: int, *names: str) -> None:
    command = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(jobs)]
    with (work / "mutmut.log").open("a") as log:
        subprocess.run([*command, *names], cwd=work, check=True, stdout=log, stderr=log)


#: A name no mutant has: ``mutmut run`` makes every mutant and the test stats, then stops
#: there, saying that nothing matches (mutmut has no command that only makes them).
NO_MUTANT = "ddp_engine.no_such_module*"


def make_mutants(work: Path, jobs: int) -> None:
    try:
        mutmut(work, jobs, NO_MUTANT)
    except subprocess.CalledProcessError:
        if "nothing matches" not in (work / "mutmut.log").read_text():
            raise


def show(work: Path, mutant: str) -> str:
    """The diff of one mutant, as ``mutmut show`` prints it."""
    command = [str(Path(sys.executable).with_name("mutmut")), "show", mutant]
    return subprocess.run(command, cwd=work, capture_output=True, text=True).stdout


def statuses(work: Path) -> dict[str, str]:
    """Every mutant of the scratch copy with mutmut's word for its outcome."""
    found = subprocess.run(
        [str(Path(sys.executable).with_name("mutmut")), "results", "--all", "true"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pairs = (line.strip().rsplit(": ", 1) for line in found.splitlines() if ": " in line)
    return {mutant: status for mutant, status in pairs}


def run_pass(name: str, sample: int | None, jobs: int) -> None:
    spec = PASSES[name]
    size = sample or spec.sample
    work = prepare(name, spec)
    make_mutants(work, jobs)
    population: dict[str, list[str]] = {m: [] for m in spec.modules}
    for mutant in sorted(statuses(work)):
        population[module_of(mutant, spec.modules)].append(mutant)
    rng = random.Random(SEED)
    drawn = {m: sorted(rng.sample(names, min(size, len(names)))) for m, names in population.items()}
    mutmut(work, jobs, *(n for names in drawn.values() for n in names))
    outcome = statuses(work)
    survivors = [n for names in drawn.values() for n in names if outcome[n] not in DETECTED]
    with ThreadPoolExecutor(max_workers=4) as pool:
        diffs = dict(zip(survivors, pool.map(lambda m: show(work, m), survivors), strict=True))
    result = {
        "pass": name,
        "seed": SEED,
        "sample_per_module": size,
        "tests": list(spec.tests),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", "ddp_engine", "tests")),
        "command": f"python scripts/mutation.py {name}" + (f" --sample {sample}" if sample else ""),
        "modules": {
            m: {
                "population": len(population[m]),
                "outcomes": {n: outcome[n] for n in drawn[m]},
            }
            for m in spec.modules
        },
        "survivor_diffs": diffs,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"results-{name}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")


def rerun_survivors(name: str, jobs: int) -> None:
    """Run the last sample's surviving mutants of a pass again, against the tests as they are
    now (the engine's modules unchanged since the pass: its mutants stay valid, and a mutant
    killed before is killed still, tests being only added)."""
    spec = PASSES[name]
    path = OUT / f"results-{name}.json"
    result = json.loads(path.read_text())
    work = ROOT / ".mutation" / name
    mutated = {f for pattern in itertools.chain(*spec.modules.values()) for f in ROOT.glob(pattern)}
    for source in (f for f in mutated if f.suffix == ".py"):
        if source.read_bytes() != (work / source.relative_to(ROOT)).read_bytes():
            raise SystemExit(f"{source.relative_to(ROOT)} changed since the pass: run it whole")
    # the rest of the engine as it is now (the tests may need a fix made since)
    for source in (ROOT / "ddp_engine").rglob("*"):
        if source.is_file() and source not in mutated and "__pycache__" not in source.parts:
            shutil.copy2(source, work / source.relative_to(ROOT))
    shutil.rmtree(work / "tests")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "tests", work / "tests", ignore=skip)
    again = [
        mutant
        for data in result["modules"].values()
        for mutant, status in data["outcomes"].items()
        if status not in DETECTED
    ]
    mutmut(work, jobs, *again)
    outcome = statuses(work)
    for data in result["modules"].values():
        data["outcomes"] = {m: outcome[m] for m in data["outcomes"]}
    result["survivor_diffs"] = {
        m: d for m, d in result["survivor_diffs"].items() if outcome[m] not in DETECTED
    }
    result["again"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("rev-parse", "--short", "HEAD"),
        "command": f"python scripts/mutation.py {name} --again",
        "mutants": len(again),
    }
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")


def run_named() -> None:
    """Apply each named mutant to a scratch copy and run the tests that should kill it."""
    rows = [
        "## Named mutants",
        "",
        "Each applied alone to a copy of the project (`python scripts/mutation.py named`, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git('rev-parse', '--short', 'HEAD')}); "
        "the tests that failed under it:",
        "",
        "| mutant | what it breaks | killed by |",
        "|---|---|---|",
    ]
    for name, (what, *tests) in NAMED.items():
        work = ROOT / ".mutation" / "named" / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
        for folder in ("ddp_engine", "ddp_dagster", "tests"):
            shutil.copytree(ROOT / folder, work / folder, ignore=skip)
        for file in ("README.md", "pyproject.toml", "dagster.yaml", "workspace.yaml"):
            shutil.copy(ROOT / file, work / file)
        patch = OUT / "named" / f"{name}.patch"
        subprocess.run(["git", "apply", str(patch)], cwd=work, check=True)
        env = {**os.environ, "PYTHONPATH": str(work)}
        where = subprocess.run(
            [sys.executable, "-c", "import ddp_engine; print(ddp_engine.__file__)"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if not where.startswith(str(work)):
            raise SystemExit(f"the copy's ddp_engine is not the one imported: {where}")
        found = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf", *tests],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        failed = re.findall(r"^FAILED (\S+)", found.stdout, re.MULTILINE)
        survived = f"**none: survived** (exit {found.returncode})"
        killers = ", ".join(f"`{t}`" for t in failed) or survived
        rows.append(f"| `{name}` | {what} | {killers} |")
    (OUT / "named.md").write_text("\n".join(rows) + "\n")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def wilson(detected: int, total: int) -> tuple[float, float]:
    """The 95% Wilson interval of a sampled proportion."""
    if total == 0:
        return (0.0, 0.0)
    z, p = 1.96, detected / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (centre - half, centre + half)


def equivalents() -> dict[str, str]:
    """``mutation/equivalent.txt``: ``<mutant> <reason>`` per line, mutants no test can kill."""
    path = OUT / "equivalent.txt"
    if not path.exists():
        return {}
    rows = (line.split(" ", 1) for line in path.read_text().splitlines() if line.strip())
    return {row[0]: row[1].strip() for row in rows if not row[0].startswith("#")}


def report() -> None:
    results = [json.loads(p.read_text()) for p in sorted(OUT.glob("results-*.json"))]
    equivalent = equivalents()
    rows, survivors, totals = [], [], [0, 0, 0, 0, 0]
    for result in results:
        for module, data in result["modules"].items():
            counts = [0, 0, 0, 0, 0]  # killed, survived, no tests, timeout, equivalent
            for mutant, status in data["outcomes"].items():
                if status in DETECTED:
                    counts[3 if status == "timeout" else 0] += 1
                elif mutant in equivalent:
                    counts[4] += 1
                else:
                    counts[2 if status == "no tests" else 1] += 1
                    survivors.append((mutant, status, result["survivor_diffs"].get(mutant, "")))
            rows.append((module, data["population"], len(data["outcomes"]), counts))
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
    lines = [
        "# Mutation testing report",
        "",
        "Made by `scripts/mutation.sh` (mutmut 3, a fixed-seed sample of mutants per module; "
        "see the script's docstring). Score = (killed + timeout) / (sampled - equivalent); the "
        "interval is the 95% Wilson interval of that sampled proportion. Mutants no selected "
        "test reaches (`no tests`) count as survivors.",
        "",
    ]
    for result in results:
        lines.append(
            f"- pass `{result['pass']}`: `{result['command']}` on {result['date']}, commit "
            f"{result['commit']}{' (uncommitted changes)' if result['dirty'] else ''}, seed "
            f"{result['seed']}, up to {result['sample_per_module']} mutants per module, "
            f"tests: {' '.join(result['tests'])}"
        )
        if "again" in result:
            again = result["again"]
            lines.append(
                f"  - its {again['mutants']} survivors run again against later tests: "
                f"`{again['command']}` on {again['date']}, commit {again['commit']}"
            )
    lines += [
        "",
        "| module | mutants | sampled | killed | survived | no tests | timeout | equivalent "
        "| score | 95% interval |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for module, population, sampled, counts in rows:
        lines.append(_row(module, population, sampled, counts))
    population = sum(r[1] for r in rows)
    lines.append(_row("**all**", population, sum(r[2] for r in rows), totals))
    lines += ["", f"Survivors: {len(survivors)}, listed with their diffs in `survivors.txt`.", ""]
    if equivalent:
        lines += ["Equivalent mutants (no behaviour change possible; not counted as killed):", ""]
        lines += [f"- `{m}`: {why}" for m, why in sorted(equivalent.items())]
        lines.append("")
    named = OUT / "named.md"
    if named.exists():
        lines += [named.read_text().rstrip(), ""]
    (OUT / "REPORT.md").write_text("\n".join(lines))
    # mutmut's diff starts with a "# <mutant>: <status>" line of its own
    text = [diff or f"# {m}: {status}\n" for m, status, diff in sorted(survivors)]
    (OUT / "survivors.txt").write_text("\n".join(text))


def _row(module: str, population: int, sampled: int, counts: list[int]) -> str:
    killed, survived, untested, timeout, equivalent = counts
    judged = sampled - equivalent
    low, high = wilson(killed + timeout, judged)
    score = f"{100 * (killed + timeout) / judged:.1f}%" if judged else "-"
    return (
        f"| {module} | {population} | {sampled} | {killed} | {survived} | {untested} | "
        f"{timeout} | {equivalent} | {score} | {100 * low:.0f}-{100 * high:.0f}% |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("what", choices=[*PASSES, "named", "report"])
    parser.add_argument("--sample", type=int, help="mutants drawn per module")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    parser.add_argument(
        "--again", action="store_true", help="run the last sample's survivors again"
    )
    args = parser.parse_args()
    if args.what == "named":
        run_named()
    elif args.what != "report" and args.again:
        rerun_survivors(args.what, args.jobs)
    elif args.what != "report":
        run_pass(args.what, args.sample, args.jobs)
    report()


if __name__ == "__main__":
    main()
