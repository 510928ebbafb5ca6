#!/bin/sh
# Generated schema pairs, many examples (tests/generated/, README "Generated schemas").
#   scripts/generated.sh [EXAMPLES [SEED]]
# EXAMPLES defaults to 500; without SEED the run is derandomized (CI's examples and more).
# A failure is shrunk to a minimal pair and written to generated-failure/{a.sql,b.sql}.
# No per-test time limit here: hundreds of examples take far longer than 300 s.
set -eu
cd "$(dirname "$0")/.."
export DDP_GENERATED_EXAMPLES="${1:-500}"
if [ -n "${2:-}" ]; then export DDP_GENERATED_SEED="$2"; fi
export DDP_GENERATED_SAVE="${DDP_GENERATED_SAVE:-generated-failure}"
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
exec "$PYTHON" -m pytest -q -p no:cacheprovider --timeout 0 --hypothesis-show-statistics \
    tests/generated
