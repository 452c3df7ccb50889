#!/usr/bin/env bash
# First run on a fresh Debian 12 machine: install dependencies, build, then ingest samples/ and run a
# search and an ask against the embedded defaults (no model file, no config file).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target archivist

DATA=./archivist-data
BIN=./build/cli/archivist
echo
echo "== archivist ingest samples/ =="
# The bad/ folder holds deliberately broken files; the first run ingests only the good samples.
"$BIN" --data-dir "$DATA" ingest samples/docs
echo
echo "== archivist stats =="
"$BIN" --data-dir "$DATA" stats
echo
echo "== archivist search \"apixaban warfarin\" =="
"$BIN" --data-dir "$DATA" search "apixaban warfarin" -k 3
echo
echo "== archivist ask \"Why was warfarin stopped?\" =="
"$BIN" --data-dir "$DATA" ask "Why was warfarin stopped?"
