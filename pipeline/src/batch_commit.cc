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
    } else if (*present || pending_ids_.count(item->result.doc_id) > 0 ||
               writing_ids_.count(item->result.doc_id) > 0) {
      MarkDuplicate(*item);
    } else {
      pending_ids_.insert(item->result.doc_id);
      pending_bytes_ += BundleBytes(*item);
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

Status BatchCommitter::WriteGroup(const std::vector<std::shared_ptr<WorkItem>>& items) {
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

uint64_t BatchCommitter::BundleBytes(const WorkItem& item) {
  uint64_t bytes = 0;
  if (!item.done && item.bundle) {
    for (const auto& c : item.bundle->chunks) bytes += c.text.size();
  }
  return bytes;
}

std::vector<std::shared_ptr<WorkItem>> BatchCommitter::Take() {
  // At most one group's worth (documents arriving during a write may have piled up beyond it).
  std::vector<std::shared_ptr<WorkItem>> items;
  uint64_t bytes = 0;
  size_t n = 0;
  while (n < pending_.size() &&
         (n == 0 || (static_cast<int>(n) < options_.commit_max_documents &&
                     bytes < options_.commit_max_bytes))) {
    bytes += BundleBytes(*pending_[n]);
    ++n;
  }
  items.assign(std::make_move_iterator(pending_.begin()),
               std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  for (const auto& item : items) {
    if (item->done || !item->bundle) continue;
    writing_ids_.insert(item->result.doc_id);
    pending_ids_.erase(item->result.doc_id);
  }
  pending_bytes_ -= std::min(pending_bytes_, bytes);
  return items;
}

std::vector<std::shared_ptr<WorkItem>> BatchCommitter::Write(
    std::vector<std::shared_ptr<WorkItem>> items) {
  auto start = Clock::now();
  Status s = WriteGroup(items);
  if (!s.ok()) {
    for (const auto& item : items) {
      Status one = items.size() > 1 ? WriteGroup({item}) : s;
      if (one.ok()) continue;
      if (item->done || !item->bundle) {
        ++journal_errors_;  // only bookkeeping was lost; the outcome stands
        continue;
      }
      if (one.code() == StatusCode::kAlreadyExists) MarkDuplicate(*item);
      else Fail(*item, "commit", one);
      // The document is not in: record that (manifest for a duplicate, else the failure list).
      if (!WriteGroup({item}).ok()) ++journal_errors_;
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

CommitWriter::CommitWriter(BatchCommitter& committer, const std::atomic<int>& coming, Finish finish)
    : committer_(committer), coming_(coming), finish_(std::move(finish)) {
  thread_ = std::thread([this] { Run(); });
}

bool CommitWriter::Backlogged() const {
  const IngestOptions& o = committer_.options();
  return committer_.pending_documents() >= 2 * static_cast<size_t>(o.commit_max_documents) ||
         committer_.pending_bytes() >= 2 * o.commit_max_bytes;
}

void CommitWriter::Add(std::shared_ptr<WorkItem> item) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !Backlogged(); });
  committer_.Add(std::move(item));
  cv_.notify_all();
}

void CommitWriter::Close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommitWriter::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return closing_ || committer_.ShouldFlush(coming_.load() > 0); });
    if (committer_.empty()) {
      if (closing_) return;
      continue;
    }
    std::vector<std::shared_ptr<WorkItem>> group = committer_.Take();
    cv_.notify_all();  // an Add waiting on the backlog may go on
    lock.unlock();
    group = committer_.Write(std::move(group));
    for (const auto& item : group) finish_(*item);
    group.clear();
    lock.lock();
    committer_.EndWrite();
  }
}

}  // namespace archivist::pipeline
