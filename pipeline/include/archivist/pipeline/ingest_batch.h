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
  // Re-read and hash every file, even one whose size and mtime match the manifest, and retire
  // (delete with all its chunks, postings and vectors) the document a changed path held before,
  // unless another path still holds the same bytes. Without it a changed file is ingested as a new
  // document and the old version stays searchable. Default: false.
  bool force = false;
  // Wall-clock budget of one document from the moment it is opened (OCR queueing included); past
  // it the document fails with a "timeout" reason and the batch goes on. 0 = no limit. Default: 300.
  double document_timeout_seconds = 300;
  // Finished documents waiting for the commit stage are written together, in one synced RocksDB
  // write, up to this many documents or bytes of chunk text; a document never waits for one that
  // is not finished yet. 1 = one write per document. Default: 64 documents, 16 MiB.
  int commit_max_documents = 64;
  uint64_t commit_max_bytes = 16ull << 20;
  // Pages in OCR at once (rendering plus Tesseract) may hold at most this many megapixels in all,
  // counted in 8-bit gray: a colour image's pixels count 4 times (Leptonica and Tesseract hold
  // them in 32 bits). A page that does not fit waits, without holding a thread, until pages
  // finish; a page larger than the budget runs alone. Page images set the batch's peak memory, so
  // this keeps the peak from depending on which pages happen to meet. 0 = no budget. Default: 20
  // (two gray 300-dpi letter pages at once; a colour A4 scan, 35, runs alone).
  double ocr_max_inflight_megapixels = 20;
  // When set and it becomes true (e.g. from a SIGINT handler), no new document is started; those
  // in flight finish and are committed, and the report says the batch was cancelled.
  // Default: none.
  const std::atomic<bool>* cancel = nullptr;

  Status Validate() const;
};

// True for the failures caused by IngestOptions::document_timeout_seconds.
bool IsTimeout(const Status& status);

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
  Status error;              // failed: why (a timeout is kResourceExhausted "timeout: ...")
  // duplicate: known from the manifest (same path, size and mtime as when it was ingested), so the
  // file was not even read
  bool unchanged = false;
  // The document this path held before its content changed (empty if new or unchanged).
  std::string replaced_doc_id;
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
  int duplicates = 0;        // includes `unchanged`
  int unchanged = 0;         // duplicates skipped through the manifest without reading the file
  int replaced = 0;          // paths whose content changed since they were ingested
  int retired = 0;           // old versions deleted (--force)
  int failed = 0;
  int timeouts = 0;          // failures by document_timeout_seconds
  int commits = 0;           // synced writes of documents (fewer than `ingested` when grouped)
  int pages = 0;
  int ocr_pages = 0;
  int chunks = 0;
  double seconds = 0.0;
  int threads = 0;
  bool cancelled = false;    // stopped early through IngestOptions::cancel; the rest not started
  int journal_errors = 0;    // outcomes that could not be written to the failure list
  double ocr_peak_megapixels = 0;  // the most pixels in OCR at once (ocr_max_inflight_megapixels)
  int ocr_budget_waits = 0;  // OCR pages that waited for the pixel budget
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
// error only when the batch itself could not run. Every file's outcome is recorded in the archive
// (the manifest for what is in, the failure list for what is not) in the same write as its
// document, so a run killed at any moment and started again with the same arguments skips what is
// in without reading it and does the rest.
Result<IngestReport> IngestPaths(index::Archive& archive, const index::Embedder& embedder,
                                 const std::vector<std::string>& paths,
                                 const IngestOptions& options,
                                 const ProgressCallback& progress = nullptr);

}  // namespace archivist::pipeline
