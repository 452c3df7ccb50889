#!/bin/sh
# The issue's pipeline figures: builds the ~2,000-document corpus under /tmp, measures our stage
# costs and the command-line tools alone at 1 and 2 threads/processes (~6 min), then the graph with
# 1 and 2 threads against those bounds (~3 min), then peak RSS for 200 and for 2,000 documents
# (separate processes: peak RSS is per process). Each step is its own process, so each can be run
# through the shared machine's benchmark slot on its own. Keys: pipeline/README.md.
#
#   bench/pipeline_bench.sh [BUILD_DIR] [WORK_DIR]     (defaults: build, /tmp/archivist-pipeline-bench)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
work=${2:-/tmp/archivist-pipeline-bench}
bench=$build/bench/archivist_pipeline_bench
mkdir -p "$work"
echo "load before: $(cat /proc/loadavg)" >&2
python3 "$here/pipeline_corpus.py" "$work/corpus" >&2
"$bench" --work "$work/run" --skip-e2e "$work/corpus/all" > "$work/stages.json"
echo "load after stages and tools: $(cat /proc/loadavg)" >&2
"$bench" --work "$work/run" --profile --stages-from "$work/stages.json" "$work/corpus/all" \
  > "$work/throughput.json"
echo "load after throughput: $(cat /proc/loadavg)" >&2
"$bench" --work "$work/run" --e2e-only 2 "$work/corpus/subset200" > "$work/rss200.json"
"$bench" --work "$work/run" --e2e-only 2 "$work/corpus/all" > "$work/rss2000.json"
echo "load after rss: $(cat /proc/loadavg)" >&2
cat "$work/throughput.json"
echo "peak RSS, 200 documents:   $(grep peak_rss_mb "$work/rss200.json")"
echo "peak RSS, 2,000 documents: $(grep peak_rss_mb "$work/rss2000.json")"
