#include "batch_commit.h"

#include <chrono>

#include "archivist/pipeline/failures.h"

namespace archivist::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

void MarkDuplicate(WorkItem& item) {
  item.bundle.reset();
  item.result.outcome = Outcome::kDuplicate;
  item.done = true;
}

}  // namespace

void BatchCommitter::Add(std::shared_ptr<WorkItem> item) {
  if (!item->done && item->bundle) {
    // Same bytes under two paths of one batch, or committed since the read stage looked: the first
    // copy stays, the second is a duplicate (one write may not hold a document twice).
    Result<bool> present = archive_.Contains(item->result.doc_id);
    if (!present.ok()) {
      Fail(*item, "commit", present.status());
    } else if (*present || pending_ids_.count(item->result.doc_id) > 0) {
      MarkDuplicate(*item);
    } else {
      pending_ids_.insert(item->result.doc_id);
      for (const auto& c : item->bundle->chunks) pending_bytes_ += c.text.size();
    }
  }
  pending_.push_back(std::move(item));
}

bool BatchCommitter::ShouldFlush(bool more_coming) const {
  if (pending_.empty()) return false;
  return !more_coming || static_cast<int>(pending_.size()) >= options_.commit_max_documents ||
         pending_bytes_ >= options_.commit_max_bytes;
}

void BatchCommitter::AppendEdits(WorkItem& item, std::vector<index::JournalEdit>* edits) {
  const FileResult& r = item.result;
  if (!item.abs_path.empty() && r.outcome != Outcome::kFailed && !r.unchanged) {
    ManifestEntry entry{item.stamp, r.doc_id};
    AppendManifestEdits(item.abs_path, entry, item.previous, options_.force, edits);
  }
  // The failure list is bookkeeping: if it cannot be read the document still goes in.
  if (!AppendOutcomeEdits(archive_, r, edits).ok()) ++journal_errors_;
}

Status BatchCommitter::Write(const std::vector<std::shared_ptr<WorkItem>>& items) {
  std::vector<index::DocumentBundle> bundles;
  std::vector<index::JournalEdit> edits;
  for (const auto& item : items) {
    // An ingestible item is committed as ingested; its edits must describe that outcome.
    if (!item->done && item->bundle) item->result.outcome = Outcome::kIngested;
    AppendEdits(*item, &edits);
    if (!item->done && item->bundle) bundles.push_back(*item->bundle);
  }
  if (bundles.empty() && edits.empty()) return Status::Ok();
  Result<std::vector<std::vector<uint64_t>>> ids =
      archive_.CommitDocuments(std::move(bundles), edits);
  if (!ids.ok()) {
    for (const auto& item : items) {
      if (!item->done && item->bundle) item->result.outcome = Outcome::kFailed;
    }
    return ids.status();
  }
  ++writes_;
  return Status::Ok();
}

std::vector<std::shared_ptr<WorkItem>> BatchCommitter::Flush() {
  std::vector<std::shared_ptr<WorkItem>> items = std::move(pending_);
  pending_.clear();
  pending_ids_.clear();
  pending_bytes_ = 0;
  auto start = Clock::now();
  Status s = Write(items);
  if (!s.ok()) {
    for (const auto& item : items) {
      Status one = items.size() > 1 ? Write({item}) : s;
      if (one.ok()) continue;
      if (item->done || !item->bundle) {
        ++journal_errors_;  // only bookkeeping was lost; the outcome stands
        continue;
      }
      if (one.code() == StatusCode::kAlreadyExists) MarkDuplicate(*item);
      else Fail(*item, "commit", one);
      // The document is not in: record that (manifest for a duplicate, else the failure list).
      if (!Write({item}).ok()) ++journal_errors_;
    }
  }
  for (const auto& item : items) {
    item->bundle.reset();
    item->done = true;
    // A new version is in (or its bytes were already): the old one may be retired now.
    if (options_.force && !item->result.replaced_doc_id.empty() &&
        item->result.outcome != Outcome::kFailed) {
      pending_retire_ = true;
    }
  }
  double each = std::chrono::duration<double>(Clock::now() - start).count() /
                static_cast<double>(std::max<size_t>(1, items.size()));
  for (const auto& item : items) item->seconds.commit += each;
  if (pending_retire_) {
    pending_retire_ = false;
    Result<int> n = RetireMarked(archive_);
    // A retirement that fails stays marked and is finished by the next run.
    if (n.ok()) retired_ += *n;
    else ++journal_errors_;
  }
  return items;
}

}  // namespace archivist::pipeline
