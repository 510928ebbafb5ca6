#!/bin/sh
# tests/corpus_extra through the independent checker (../shared/tools/converge.py), both ways,
# as tests/test_corpus_extra.py runs it: fwd/<case> syncs b.sql into a.sql, rev/<case> a.sql
# into b.sql (the _min folders run one way only).
#   scripts/corpus_both_ways.sh [converge.py options]
#   scripts/corpus_both_ways.sh --host 127.0.0.1 --user postgres --password '' --only part_
# CONVERGE_PYTHON: a python with ../shared/tools/requirements.txt installed (default python3).
# ddp is taken from .venv/bin when there is one.
set -eu
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/fwd" "$WORK/rev"
for dir in "$ROOT"/tests/corpus_extra/*; do
    name="$(basename "$dir")"
    [ -f "$dir/a.sql" ] || continue
    mkdir "$WORK/fwd/$name"
    ln -s "$dir/a.sql" "$WORK/fwd/$name/a.sql"
    ln -s "$dir/b.sql" "$WORK/fwd/$name/b.sql"
    if [ -f "$dir/meta.json" ]; then ln -s "$dir/meta.json" "$WORK/fwd/$name/"; fi
    case "$name" in *_min) continue ;; esac
    mkdir "$WORK/rev/$name"
    ln -s "$dir/b.sql" "$WORK/rev/$name/a.sql"
    ln -s "$dir/a.sql" "$WORK/rev/$name/b.sql"
    if [ -f "$dir/meta.json" ]; then ln -s "$dir/meta.json" "$WORK/rev/$name/"; fi
done
PATH="$ROOT/.venv/bin:$PATH" "${CONVERGE_PYTHON:-python3}" ../shared/tools/converge.py \
    --corpus "$WORK/fwd" --corpus "$WORK/rev" --ignore-names '_dropped_' "$@"
