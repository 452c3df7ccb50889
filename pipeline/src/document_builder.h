#pragma once
// The per-document stages shared by the batch graph and the single-document API path.

#include <optional>
#include <string>
#include <string_view>

#include "archivist/index/records.h"
#include "archivist/pipeline/ingest_batch.h"

namespace archivist::pipeline {

// A document on its way through the stages. `bundle` is set once extraction and chunking succeeded.
struct WorkItem {
  size_t ordinal = 0;  // discovery order
  FileResult result;
  std::string bytes;
  std::optional<index::DocumentBundle> bundle;
  bool done = false;   // no further stage applies (duplicate or failed)
};

void Fail(WorkItem& item, std::string_view stage, const Status& error);

// Reads the file (unless bytes are already set), hashes it and checks for a duplicate.
void ReadStage(WorkItem& item, index::Archive& archive, const IngestOptions& options);
// Extracts pages and chunks them into item.bundle.
void ExtractStage(WorkItem& item, const IngestOptions& options);
// Embeds the chunks.
void EmbedStage(WorkItem& item, const index::Embedder& embedder);
// Commits the bundle in one write; maps "already exists" to a duplicate.
void CommitStage(WorkItem& item, index::Archive& archive);

}  // namespace archivist::pipeline
