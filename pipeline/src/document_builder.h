#pragma once
// The per-document stages shared by the batch graph and the single-document API path.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/index/records.h"
#include "archivist/ingest/extractor.h"
#include "archivist/pipeline/ingest_batch.h"
#include "manifest.h"

namespace archivist::pipeline {

// Seconds a document spent in each stage (summed over its pages for OCR).
struct StageSeconds {
  double read = 0, extract = 0, ocr = 0, build = 0, embed = 0, commit = 0;
};

// A document on its way through the stages.
struct WorkItem {
  size_t ordinal = 0;  // discovery order
  FileResult result;
  // Batch files only (empty for IngestBytes): the manifest key, the file's stamp before it was
  // read, and the path's manifest entry from an earlier run.
  std::string abs_path;
  FileStamp stamp;
  std::optional<ManifestEntry> previous;
  // Extraction options with this document's deadline (set when it is opened).
  ingest::ExtractOptions extract;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string bytes;                              // until extraction (incl. OCR) is complete
  std::optional<ingest::ExtractedDocument> doc;   // after the text layer, until chunking
  std::vector<int> ocr_pages;                     // pages still to OCR (1-based)
  std::atomic<int> ocr_remaining{0};
  std::atomic<bool> ocr_failed{false};
  Status ocr_error;                               // first OCR failure (set once, under ocr_failed)
  std::optional<index::DocumentBundle> bundle;
  StageSeconds seconds;
  bool done = false;   // no further stage applies (duplicate or failed)
};

void Fail(WorkItem& item, std::string_view stage, const Status& error);

// Starts the document's time budget. Reads the file (unless bytes are already set), hashes it and
// checks for a duplicate. A batch file whose manifest entry matches its size and mtime is not read
// (unless options.force): it is a duplicate marked `unchanged`.
void ReadStage(WorkItem& item, index::Archive& archive, const IngestOptions& options);
// Detects the type and reads every text layer; lists the pages that need OCR.
void ExtractStage(WorkItem& item);
// OCRs one page; safe to run concurrently for different pages of one item. Returns true when this
// was the item's last outstanding page.
bool OcrStage(WorkItem& item, int page_number);
// Chunks the pages into item.bundle (fails the item if an OCR page failed).
void BuildStage(WorkItem& item, const IngestOptions& options);
// Embeds the chunks.
void EmbedStage(WorkItem& item, const index::Embedder& embedder);

}  // namespace archivist::pipeline
