#!/usr/bin/env bash
# Runs the whole test suite: installs any missing dependency, builds everything, runs CTest.
# Usage: scripts/test.sh [extra ctest args]     (ARCHIVIST_SANITIZE=ON for an ASan+UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
SANITIZE="${ARCHIVIST_SANITIZE:-OFF}"
# The same build directory as quickstart.sh, so the second command only builds what the first did not.
BUILD_DIR=build
[ "$SANITIZE" = "ON" ] && BUILD_DIR=build-asan
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARCHIVIST_SANITIZE="$SANITIZE"
cmake --build "$BUILD_DIR"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 900 -j2 "$@"
