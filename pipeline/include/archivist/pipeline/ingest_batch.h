#pragma once
// The batch ingest: a oneTBB flow graph read -> extract -> chunk -> embed -> commit.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/ingest/chunker.h"
#include "archivist/ingest/extractor.h"

namespace archivist::pipeline {

struct IngestOptions {
  std::string collection = "default";  // Default: "default"
  std::vector<std::string> tags;       // Default: none
  // Glob patterns (fnmatch, matched against the path relative to the directory given and against
  // the file name) of files to skip when walking directories. Default: none.
  std::vector<std::string> exclude;
  // Worker threads for the parallel stages; 0 = one per core. Default: 0.
  int threads = 0;
  // Documents between read and commit at once; bounds memory. Default: 2 x threads.
  int max_in_flight = 0;
  // Files larger than this are failed with kResourceExhausted. Default: 2 GiB.
  uint64_t max_file_bytes = 2ull << 30;
  ingest::ExtractOptions extract;
  ingest::ChunkOptions chunk;
  // When set and it becomes true (e.g. from a SIGINT handler), no new document is started; those
  // in flight finish and are committed, and the report says the batch was cancelled.
  // Default: none.
  const std::atomic<bool>* cancel = nullptr;

  Status Validate() const;
};

enum class Outcome { kIngested, kDuplicate, kFailed };
std::string_view OutcomeName(Outcome outcome);  // "ingested" | "duplicate" | "failed"

struct FileResult {
  std::string path;
  Outcome outcome = Outcome::kFailed;
  std::string doc_id;        // empty when the file could not be read
  std::string media_type;
  uint64_t size_bytes = 0;
  int pages = 0;
  int ocr_pages = 0;
  int chunks = 0;
  std::string stage;         // failed: "discover" | "read" | "extract" | "embed" | "commit"
  Status error;              // failed: why
  double seconds = 0.0;      // wall time from read to commit
};

// Time spent per stage, summed over documents (and over pages for OCR). With N threads, the
// parallel stages can add up to N times the wall time.
struct StageTotals {
  double read = 0, extract = 0, ocr = 0, build = 0, embed = 0, commit = 0;
};

struct IngestReport {
  std::vector<FileResult> files;  // in discovery order
  int ingested = 0;
  int duplicates = 0;
  int failed = 0;
  int pages = 0;
  int ocr_pages = 0;
  int chunks = 0;
  double seconds = 0.0;
  int threads = 0;
  bool cancelled = false;    // stopped early through IngestOptions::cancel; the rest not started
  int journal_errors = 0;    // outcomes that could not be written to the failure list
  StageTotals stage_seconds;
};

// A snapshot for progress displays.
struct Progress {
  int files_done = 0;
  int files_total = 0;
  int pages_done = 0;        // pages of finished documents
  int ocr_queued = 0;        // pages waiting for or in OCR
  double elapsed = 0.0;      // seconds since the batch started
};

// Called from the commit stage (one thread at a time) after each file finishes.
using ProgressCallback = std::function<void(const FileResult&, const Progress&)>;

// Ingests one document given as bytes (the API's ingest call); `source_path` is recorded as its
// origin. The same stages and rules as a batch, run on the calling thread.
FileResult IngestBytes(index::Archive& archive, const index::Embedder& embedder,
                       std::string_view bytes, const std::string& source_path,
                       const IngestOptions& options);

// Expands `paths` (files and directories, recursively, in sorted order) and ingests every file.
// A file that fails is recorded in the report and the batch goes on; the returned Status is an
// error only when the batch itself could not run.
Result<IngestReport> IngestPaths(index::Archive& archive, const index::Embedder& embedder,
                                 const std::vector<std::string>& paths,
                                 const IngestOptions& options,
                                 const ProgressCallback& progress = nullptr);

}  // namespace archivist::pipeline
