#pragma once
// The batch's commit stage: finished documents are grouped into one synced write when several are
// ready, each written together with its manifest entry and failure-list change, so a crash leaves
// every document either wholly in (and known to the manifest) or wholly absent.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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
  std::vector<std::shared_ptr<WorkItem>> Flush() { return Write(Take()); }

  // Flush in two steps, so new documents can be added while a group is written (CommitWriter):
  // Take moves the pending group out (its ids still count as present for Add until EndWrite);
  // Write commits a taken group; EndWrite forgets its ids once they are in the store.
  std::vector<std::shared_ptr<WorkItem>> Take();
  std::vector<std::shared_ptr<WorkItem>> Write(std::vector<std::shared_ptr<WorkItem>> items);
  void EndWrite() { writing_ids_.clear(); }

  int writes() const { return writes_; }
  int retired() const { return retired_; }
  int journal_errors() const { return journal_errors_; }
  bool empty() const { return pending_.empty(); }
  const IngestOptions& options() const { return options_; }
  size_t pending_documents() const { return pending_.size(); }
  uint64_t pending_bytes() const { return pending_bytes_; }

 private:
  static uint64_t BundleBytes(const WorkItem& item);  // chunk text of an item still to write
  // Appends the item's manifest and failure-list edits (for its current outcome).
  void AppendEdits(WorkItem& item, std::vector<index::JournalEdit>* edits);
  // Commits `items` (bundles + edits) in one write; on error nothing was written.
  Status WriteGroup(const std::vector<std::shared_ptr<WorkItem>>& items);

  index::Archive& archive_;
  const IngestOptions& options_;
  std::vector<std::shared_ptr<WorkItem>> pending_;
  std::set<std::string> pending_ids_;  // doc ids of pending bundles
  std::set<std::string> writing_ids_;  // doc ids of the group being written (Take .. EndWrite)
  uint64_t pending_bytes_ = 0;
  bool pending_retire_ = false;
  int writes_ = 0;
  int retired_ = 0;
  int journal_errors_ = 0;
};

// Runs the committer's synced writes on a thread of its own, so a compute thread never sits in
// fsync: the graph's serial commit node only adds finished documents and returns to OCR and
// extraction. Documents that arrive while a group is being written wait for the next write,
// which groups them even with one compute thread. `finish` is called on the writer thread, once
// per document, in commit order.
class CommitWriter {
 public:
  using Finish = std::function<void(WorkItem&)>;
  // `coming` counts documents past the build stage that the commit node has not taken yet.
  CommitWriter(BatchCommitter& committer, const std::atomic<int>& coming, Finish finish);
  ~CommitWriter() { Close(); }
  CommitWriter(const CommitWriter&) = delete;
  CommitWriter& operator=(const CommitWriter&) = delete;

  // Hands a document over. Blocks only while twice the committer's bounds are already waiting
  // behind a slow write, so what waits stays bounded.
  void Add(std::shared_ptr<WorkItem> item);
  // Tells the writer that `coming` dropped (a group may be complete).
  void Notify() {
    { std::lock_guard lock(mu_); }  // a writer between its check and its wait must not miss it
    cv_.notify_all();
  }
  // Writes whatever is left and stops the thread (after the graph is idle).
  void Close();

 private:
  void Run();
  bool Backlogged() const;

  BatchCommitter& committer_;
  const std::atomic<int>& coming_;
  Finish finish_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace archivist::pipeline
