#pragma once
// Watch mode: ingest what is in a folder, then every file that arrives in it (a scanner's drop
// folder), until stopped.

#include <atomic>
#include <functional>
#include <string>

#include "archivist/base/status.h"
#include "archivist/pipeline/ingest_batch.h"

namespace archivist::pipeline {

struct WatchOptions {
  // A file is ingested once it has been closed after writing, or moved in, and nothing more has
  // happened to it for this long (scanners write in bursts). Default: 1000 ms.
  int settle_ms = 1000;
};

// Called after each batch of arrivals (and after the initial sweep) with its report.
using WatchCallback = std::function<void(const IngestReport&)>;

// Ingests `dir` recursively, then watches it (inotify, new subfolders included) and ingests new or
// rewritten files in batches until `stop` becomes true. Returns an error only if the folder
// cannot be watched; per-file failures are in the reports.
Status WatchAndIngest(index::Archive& archive, const index::Embedder& embedder,
                      const std::string& dir, const IngestOptions& options,
                      const WatchOptions& watch, const std::atomic<bool>& stop,
                      const WatchCallback& on_batch);

}  // namespace archivist::pipeline
