#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded with the samples, the shared hostile-PDF corpus and the oracle's GGUF files.
# Exits non-zero if a target finds a crash, a leak, a timeout or a sanitizer report.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET="${1:-60}"
BUILD=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DARCHIVIST_FUZZ=ON -DARCHIVIST_BUILD_TESTS=OFF -DARCHIVIST_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" --target archivist_ingest_fuzz archivist_gguf_fuzz

SHARED=../shared
seed() {  # seed DIR FILES...: copy seeds in, small ones only (libFuzzer works best on small inputs)
  local dir=$1; shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 262144 ] && cp "$f" "$dir/" || true
  done
}
seed "$BUILD/corpus-ingest" samples/docs/* samples/bad/* \
  $(ls "$SHARED"/corpora/pdfs/qpdf-fuzz/* 2>/dev/null | head -200) \
  $(ls "$SHARED"/corpora/pdfs/pdfjs/*.pdf 2>/dev/null | head -100)
seed "$BUILD/corpus-gguf" "$SHARED"/oracle/models/*.gguf
if [ ! "$(ls -A "$BUILD/corpus-gguf" 2>/dev/null)" ]; then
  # Without the shared oracle the reader still gets a start: a file that is only a header.
  printf 'GGUF\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
    > "$BUILD/corpus-gguf/header-only.gguf"
fi

export OMP_THREAD_LIMIT=1 OMP_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp"
status=0
for target in ingest gguf; do
  echo "fuzz: archivist_${target}_fuzz for ${SECONDS_PER_TARGET}s"
  mkdir -p "$BUILD/found-$target"
  if ! "$BUILD/tests/fuzz/archivist_${target}_fuzz" "$BUILD/corpus-$target" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
      -artifact_prefix="$BUILD/found-$target/" -print_final_stats=1 \
      > "$BUILD/fuzz-$target.log" 2>&1; then
    echo "fuzz: archivist_${target}_fuzz FAILED (artifacts in $BUILD/found-$target/):"
    tail -40 "$BUILD/fuzz-$target.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/fuzz-$target.log" | sed 's/^/fuzz:   /'
  fi
done
exit $status
