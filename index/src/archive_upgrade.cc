// Schema upgrades (see archivist/index/upgrade.h). Every step works on the raw column families:
// Archive::Open refuses old schemas, so it cannot be the way in.

#include "archivist/index/upgrade.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <system_error>

#include "archive_impl.h"
#include "record_codec.h"

namespace archivist::index {
namespace {

namespace fs = std::filesystem;

// An open RocksDB with every Archivist column family; closes cleanly on destruction.
struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // [0] default, then Cf order
  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles[static_cast<size_t>(c) + 1]; }
  ~RawDb() {
    if (!db) return;
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
    (void)db->Close();
  }
};

Result<std::unique_ptr<RawDb>> OpenRaw(const std::string& dir, bool read_only) {
  std::error_code ec;
  const std::string path = dir + "/db";
  if (!fs::exists(path + "/CURRENT", ec)) return Status::NotFound("no archive in '" + dir + "'");
  rocksdb::Options opts;
  opts.create_if_missing = false;
  opts.create_missing_column_families = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (const char* name : kCfNames) descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  auto raw = std::make_unique<RawDb>();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = read_only
                          ? rocksdb::DB::OpenForReadOnly(opts, path, descs, &raw->handles, &db)
                          : rocksdb::DB::Open(opts, path, descs, &raw->handles, &db);
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "cannot open archive '" + dir + "'"));
  raw->db.reset(db);
  return raw;
}

Result<int> ReadVersion(const RawDb& raw, const std::string& dir) {
  std::string v;
  rocksdb::Status s = raw.db->Get(rocksdb::ReadOptions(), raw.cf(kMeta), "schema_version", &v);
  if (s.IsNotFound()) return Status::NotFound("'" + dir + "' holds no archive metadata");
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "reading the schema version of '" + dir + "'"));
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
    return Status::Corruption("archive '" + dir + "' has an unreadable schema version '" + v + "'");
  return std::stoi(v);
}

// ---- the steps ---------------------------------------------------------------------------------
// A step stages its changes into `batch`; the caller adds the version bump and commits it synced.

// v1 -> v2: documents per media type, so /metrics and `stats` report them without a scan.
Result<std::string> CountMediaTypes(RawDb& raw, rocksdb::WriteBatch* batch) {
  std::map<std::string, uint64_t> counts;
  std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), raw.cf(kDocuments)));
  uint64_t docs = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument d, DecodeDocument(it->value().ToStringView()));
    ++counts[d.record.media_type];
    ++docs;
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading the document table"));
  for (const auto& [type, n] : counts)
    batch->Put(raw.cf(kMeta), std::string(kMediaCounterPrefix) + type, std::to_string(n));
  return "counted " + std::to_string(docs) + " documents in " + std::to_string(counts.size()) +
         " media types";
}

// v2 -> v3: postings folded into blocks for pruned top-k (postings_blocks.h).
Result<std::string> FoldPostingBlocks(RawDb& raw, rocksdb::WriteBatch* batch) {
  return FoldAllPostings(raw.db.get(), raw.cf(kPostings), raw.cf(kMeta), batch);
}

struct Step {
  int from;  // reaches from + 1
  const char* what;
  Result<std::string> (*run)(RawDb& raw, rocksdb::WriteBatch* batch);
};

// Ordered; one entry per version below kSchemaVersion.
const Step kSteps[] = {
    {1, "documents per media type in the meta column family", CountMediaTypes},
    {2, "postings folded into compressed blocks", FoldPostingBlocks},
};
static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion - 1,
              "every schema version below the current one needs an upgrade step");

Status Checkpoint(RawDb& raw, const std::string& dir, const std::string& target) {
  rocksdb::Checkpoint* cp = nullptr;
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(raw.db.get(), &cp), "preparing backup"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(cp);
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return Status::Internal("cannot create '" + target + "': " + ec.message());
  ARCHIVIST_RETURN_IF_ERROR(
      FromRocks(checkpoint->CreateCheckpoint(target + "/db"), "backing up to '" + target + "'"));
  // The vector index file is derived data: a copy that is behind is caught up on the next open.
  const std::string dense = dir + "/vectors.faiss";
  if (fs::exists(dense, ec)) {
    fs::copy_file(dense, target + "/vectors.faiss", ec);
    if (ec) return Status::Internal("copying the vector index to '" + target + "': " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

int SchemaVersion() { return kSchemaVersion; }

Result<int> StoredSchemaVersion(const std::string& dir) {
  ARCHIVIST_ASSIGN_OR_RETURN(auto raw, OpenRaw(dir, /*read_only=*/true));
  return ReadVersion(*raw, dir);
}

Result<UpgradeReport> UpgradeArchive(const std::string& dir, const UpgradeOptions& options) {
  auto point = [&](const std::string& p) {
    if (options.on_point) options.on_point(p);
  };
  ARCHIVIST_ASSIGN_OR_RETURN(auto raw, OpenRaw(dir, /*read_only=*/false));
  ARCHIVIST_ASSIGN_OR_RETURN(int version, ReadVersion(*raw, dir));
  UpgradeReport report;
  report.from_version = version;
  report.to_version = version;
  if (version > kSchemaVersion)
    return Status::Unsupported("archive '" + dir + "' uses schema version " +
                               std::to_string(version) + ", newer than this build (" +
                               std::to_string(kSchemaVersion) + "); use a newer Archivist");
  if (version < 1) return Status::Corruption("archive '" + dir + "' has schema version 0");
  if (version == kSchemaVersion) return report;

  if (options.backup_dir.empty())
    return Status::InvalidArgument("an upgrade needs a backup directory");
  std::error_code ec;
  if (fs::exists(options.backup_dir, ec))
    return Status::AlreadyExists("backup directory '" + options.backup_dir + "' already exists");
  if (Status s = Checkpoint(*raw, dir, options.backup_dir); !s.ok()) {
    fs::remove_all(options.backup_dir, ec);  // a half-written backup must not look like one
    return s.WithContext("backing up before the upgrade");
  }
  report.backup_dir = options.backup_dir;
  point("backup-written");

  for (const Step& step : kSteps) {
    if (step.from != version) continue;
    rocksdb::WriteBatch batch;
    auto done = step.run(*raw, &batch);
    if (!done.ok())
      return done.status().WithContext("upgrade step " + std::to_string(step.from) + " -> " +
                                       std::to_string(step.from + 1) + " (" + step.what +
                                       "); the archive is unchanged at version " +
                                       std::to_string(version));
    batch.Put(raw->cf(kMeta), "schema_version", std::to_string(step.from + 1));
    point("step-" + std::to_string(step.from) + "-staged");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ARCHIVIST_RETURN_IF_ERROR(FromRocks(raw->db->Write(wo, &batch),
                                        "committing upgrade step " + std::to_string(step.from)));
    version = step.from + 1;
    report.to_version = version;
    report.steps.push_back("v" + std::to_string(step.from) + " -> v" + std::to_string(version) +
                           ": " + step.what + " (" + *done + ")");
    point("step-" + std::to_string(step.from) + "-committed");
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(raw->db->FlushWAL(true), "syncing the upgraded archive"));
  return report;
}

Status RollbackArchive(const std::string& dir, const std::string& backup_dir,
                       std::string* kept_dir) {
  ARCHIVIST_ASSIGN_OR_RETURN(int backup_version, StoredSchemaVersion(backup_dir));
  if (backup_version > kSchemaVersion)
    return Status::Unsupported("backup '" + backup_dir + "' uses schema version " +
                               std::to_string(backup_version) + ", newer than this build");
  std::error_code ec;
  if (fs::exists(dir + "/db/CURRENT", ec)) {
    // Refuse while a server or ingest holds the archive (the open takes RocksDB's lock). The lock
    // is released before the swap: a process starting in between is the operator's race.
    ARCHIVIST_ASSIGN_OR_RETURN(auto in_use_check, OpenRaw(dir, /*read_only=*/false));
    in_use_check.reset();
  }
  const std::string staging = dir + ".rollback-tmp";
  fs::remove_all(staging, ec);
  fs::copy(backup_dir, staging, fs::copy_options::recursive, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    return Status::Internal("copying backup '" + backup_dir + "': " + ec.message());
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string kept = dir + ".rolled-back-" + std::to_string(now);
  if (fs::exists(dir, ec)) {
    fs::rename(dir, kept, ec);
    if (ec) return Status::Internal("moving '" + dir + "' aside: " + ec.message());
  } else {
    kept.clear();
  }
  fs::rename(staging, dir, ec);
  if (ec)
    return Status::Internal("putting the backup in place of '" + dir + "' failed (" + ec.message() +
                            "); the restored copy is in '" + staging + "', the old data in '" +
                            kept + "'");
  if (kept_dir) *kept_dir = kept;
  return Status::Ok();
}

}  // namespace archivist::index
