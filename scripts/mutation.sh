#!/bin/sh
# Mutation testing with mutmut (README "Mutation testing"); writes mutation/REPORT.md.
#   scripts/mutation.sh [STEP...]      STEP: engine, db, named, report (default: all)
# engine: diff, plan, ddl/, render judged by tests/engine (no server);
# db:     apply, datacheck, sync judged by tests/db (needs the PostgreSQL the tests use);
# named:  hand-made mutants that once left the suite green (mutation/named/*.patch), each with its killing tests.
# Each pass runs a fixed-seed sample of mutants per module (another size:
#   python scripts/mutation.py engine --sample N).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
if [ $# -eq 0 ]; then set -- engine db named; fi
for step in "$@"; do
    "$PYTHON" scripts/mutation.py "$step"
done
