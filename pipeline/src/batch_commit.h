#pragma once
// The batch's commit stage: finished documents are grouped into one synced write when several are
// ready, each written together with its manifest entry and failure-list change, so a crash leaves
// every document either wholly in (and known to the manifest) or wholly absent.

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "archivist/index/archive.h"
#include "archivist/pipeline/ingest_batch.h"
#include "document_builder.h"

namespace archivist::pipeline {

class BatchCommitter {
 public:
  BatchCommitter(index::Archive& archive, const IngestOptions& options)
      : archive_(archive), options_(options) {}

  // Takes a document whose stages are done (ingestible, duplicate or failed).
  void Add(std::shared_ptr<WorkItem> item);
  // Whether to write now: something is pending and either no other document is about to arrive
  // (`more_coming` false) or a bound (documents, bytes) is reached. Never waiting for a document
  // that is still being processed keeps latency at one write and needs no timer.
  bool ShouldFlush(bool more_coming) const;
  // Writes everything pending and returns the items with their final outcomes. A write that fails
  // as a whole is retried one document at a time, so one bad document cannot fail its neighbours.
  std::vector<std::shared_ptr<WorkItem>> Flush();

  int writes() const { return writes_; }
  int retired() const { return retired_; }
  int journal_errors() const { return journal_errors_; }
  bool empty() const { return pending_.empty(); }

 private:
  // Appends the item's manifest and failure-list edits (for its current outcome).
  void AppendEdits(WorkItem& item, std::vector<index::JournalEdit>* edits);
  // Commits `items` (bundles + edits) in one write; on error nothing was written.
  Status Write(const std::vector<std::shared_ptr<WorkItem>>& items);

  index::Archive& archive_;
  const IngestOptions& options_;
  std::vector<std::shared_ptr<WorkItem>> pending_;
  std::set<std::string> pending_ids_;  // doc ids of pending bundles
  uint64_t pending_bytes_ = 0;
  bool pending_retire_ = false;
  int writes_ = 0;
  int retired_ = 0;
  int journal_errors_ = 0;
};

}  // namespace archivist::pipeline
