// The journal: caller-owned keys under "journal/" in the meta column family. The counters loader
// ignores non-numeric meta values, so journal entries never disturb it.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "archive_impl.h"

namespace archivist::index {
namespace {

constexpr char kJournalPrefix[] = "journal/";

}  // namespace

Status ArchiveImpl::PutJournal(const std::string& key, const std::string& value) {
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  if (key.empty()) return Status::InvalidArgument("journal keys must not be empty");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, cfs_[kMeta], kJournalPrefix + key, value), "writing the journal");
}

Status ArchiveImpl::DeleteJournal(const std::string& key) {
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Delete(wo, cfs_[kMeta], kJournalPrefix + key), "writing the journal");
}

Result<std::optional<std::string>> ArchiveImpl::GetJournal(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], kJournalPrefix + key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "reading the journal"));
  return std::optional<std::string>(std::move(value));
}

Status ArchiveImpl::AppendJournal(const std::vector<JournalEdit>& edits, rocksdb::WriteBatch* batch) {
  for (const JournalEdit& e : edits) {
    if (e.key.empty()) return Status::InvalidArgument("journal keys must not be empty");
    rocksdb::Status s = e.value ? batch->Put(cfs_[kMeta], kJournalPrefix + e.key, *e.value)
                                : batch->Delete(cfs_[kMeta], kJournalPrefix + e.key);
    ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "writing the journal"));
  }
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> ArchiveImpl::ScanJournal(
    const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string start = kJournalPrefix + prefix;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kMeta]));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    out.emplace_back(it->key().ToString().substr(sizeof(kJournalPrefix) - 1),
                     it->value().ToString());
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading the journal"));
  return out;
}

}  // namespace archivist::index
