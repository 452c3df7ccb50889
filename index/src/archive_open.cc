#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <system_error>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string m = what + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(m);
  if (s.IsCorruption()) return Status::Corruption(m);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
    return Status::Unavailable(m + " (is another process using this data directory?)");
  if (s.IsNoSpace()) return Status::ResourceExhausted(m);
  return Status::Internal(m);
}

const char* const kCfNames[kCfCount] = {"documents", "pages", "chunks", "postings",
                                        "terms",     "vectors", "meta"};

namespace {

// Memory for all column families' memtables together. Default: 64 MiB.
constexpr size_t kMemtableBudgetBytes = size_t{64} << 20;

}  // namespace

bool ParseU64(const std::string& s, uint64_t* v) {
  if (s.empty()) return false;
  uint64_t r = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    r = r * 10 + static_cast<uint64_t>(c - '0');
  }
  *v = r;
  return true;
}

Status ArchiveOptions::Validate() const {
  if (!(bm25_k1 >= 0.0 && bm25_k1 <= 10.0))
    return Status::InvalidArgument("bm25_k1 must be within [0, 10], got " + std::to_string(bm25_k1));
  if (!(bm25_b >= 0.0 && bm25_b <= 1.0))
    return Status::InvalidArgument("bm25_b must be within [0, 1], got " + std::to_string(bm25_b));
  if (fold_chunks < 1) return Status::InvalidArgument("fold_chunks must be at least 1");
  return DenseOptionsOf(*this).Validate();
}

DocInfo MakeDocInfo(const StoredDocument& d) {
  DocInfo info;
  info.doc_id = d.record.doc_id;
  info.collection = d.record.collection;
  info.media_type = d.record.media_type;
  info.created = d.record.created;
  info.tags = d.record.tags;
  info.title = d.record.title;
  info.source_path = d.record.source_path;
  info.first_chunk_id = d.first_chunk_id;
  info.chunk_count = d.record.chunk_count;
  return info;
}

Result<std::unique_ptr<Archive>> Archive::Open(const std::string& dir, const Embedder* embedder,
                                               const ArchiveOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  if (dir.empty()) return Status::InvalidArgument("the data directory path is empty");
  auto archive = std::make_unique<ArchiveImpl>(dir, embedder, options);
  ARCHIVIST_RETURN_IF_ERROR(archive->OpenDb());
  return std::unique_ptr<Archive>(std::move(archive));
}

ArchiveImpl::ArchiveImpl(std::string dir, const Embedder* embedder, const ArchiveOptions& options)
    : dir_(std::move(dir)), embedder_(embedder), options_(options), analyzer_(options.stemming) {}

ArchiveImpl::~ArchiveImpl() {
  if (db_) {
    (void)Flush();  // best effort: a stale or missing file is rebuilt on the next open
    // Flush memtables so the next open (often a read-only CLI search) does not replay the WAL.
    if (!options_.read_only) (void)db_->Flush(rocksdb::FlushOptions(), cfs_);
    for (auto* h : cfs_) (void)db_->DestroyColumnFamilyHandle(h);
    cfs_.clear();
    if (default_cf_) (void)db_->DestroyColumnFamilyHandle(default_cf_);
    (void)db_->Close();
  }
}

std::string ArchiveImpl::DensePath() const { return dir_ + "/vectors.faiss"; }

Status ArchiveImpl::OpenDb() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string db_path = dir_ + "/db";
  if (!fs::exists(db_path + "/CURRENT", ec)) {
    if (options_.read_only || !options_.create_if_missing)
      return Status::NotFound("no archive in '" + dir_ + "'");
    fs::create_directories(db_path, ec);
    if (ec) return Status::Internal("cannot create '" + db_path + "': " + ec.message());
  }
  rocksdb::Options opts;
  opts.create_if_missing = !options_.read_only && options_.create_if_missing;
  opts.create_missing_column_families = !options_.read_only;
  opts.IncreaseParallelism(2);
  // Memtables are the store's largest moving memory: by default every column family may hold
  // 2 x 64 MiB, so a process's RSS grew with the size of the batch it wrote. One budget for all of
  // them (the largest is flushed when it is reached) keeps memory flat however much is ingested.
  opts.db_write_buffer_size = kMemtableBudgetBytes;
  rocksdb::ColumnFamilyOptions cf_opts;
  cf_opts.write_buffer_size = kMemtableBudgetBytes / 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_opts);
  for (const char* name : kCfNames) descs.emplace_back(name, cf_opts);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options_.read_only
                          ? rocksdb::DB::OpenForReadOnly(opts, db_path, descs, &handles, &raw)
                          : rocksdb::DB::Open(opts, db_path, descs, &handles, &raw);
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "cannot open archive '" + dir_ + "'"));
  db_.reset(raw);
  default_cf_ = handles[0];
  cfs_.assign(handles.begin() + 1, handles.end());

  ARCHIVIST_RETURN_IF_ERROR(InitOrCheckMeta());
  ARCHIVIST_RETURN_IF_ERROR(LoadCounters());
  ARCHIVIST_RETURN_IF_ERROR(LoadDocTable());
  ARCHIVIST_RETURN_IF_ERROR(LoadFoldState());
  return LoadOrRebuildDense();
}

Result<std::string> ArchiveImpl::GetRaw(Cf cf, const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[cf], key, &value);
  if (s.IsNotFound()) return Status::NotFound(std::string(kCfNames[cf]) + " has no entry");
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, std::string("reading ") + kCfNames[cf]));
  return value;
}

Status ArchiveImpl::InitOrCheckMeta() {
  auto schema = GetRaw(kMeta, "schema_version");
  if (!schema.ok() && schema.status().code() != StatusCode::kNotFound) return schema.status();
  auto stored = [&](const std::string& key) -> std::string {
    auto v = GetRaw(kMeta, key);
    return v.ok() ? *v : std::string();
  };
  if (!schema.ok()) {
    if (options_.read_only) return Status::NotFound("'" + dir_ + "' holds no archive metadata");
    rocksdb::WriteBatch batch;
    batch.Put(cfs_[kMeta], "schema_version", std::to_string(kSchemaVersion));
    batch.Put(cfs_[kMeta], "analyzer", analyzer_.Name());
    batch.Put(cfs_[kMeta], "next_chunk_id", "1");
    if (embedder_) {
      batch.Put(cfs_[kMeta], "embedder", embedder_->Name());
      batch.Put(cfs_[kMeta], "dimension", std::to_string(embedder_->Dimension()));
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ARCHIVIST_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "initializing archive metadata"));
  } else {
    uint64_t version = 0;
    if (!ParseU64(*schema, &version))
      return Status::Corruption("archive '" + dir_ + "' has an unreadable schema version '" +
                                *schema + "'");
    if (version > static_cast<uint64_t>(kSchemaVersion))
      return Status::Unsupported("archive '" + dir_ + "' uses schema version " +
                                 std::to_string(version) + ", newer than this build supports (" +
                                 std::to_string(kSchemaVersion) +
                                 "); open it with a newer Archivist");
    if (version < static_cast<uint64_t>(kSchemaVersion))
      return Status::Unsupported(
          "archive '" + dir_ + "' uses schema version " + std::to_string(version) +
          "; this build uses version " + std::to_string(kSchemaVersion) +
          ". Run `archivist upgrade` (it backs the archive up first; `archivist upgrade "
          "--rollback BACKUP` undoes it)");
    std::string analyzer = stored("analyzer");
    if (analyzer != analyzer_.Name())
      return Status::InvalidArgument("archive '" + dir_ + "' was indexed with analyzer '" + analyzer +
                                     "' but this open asks for '" + analyzer_.Name() +
                                     "' (check the stemming option)");
  }
  ARCHIVIST_RETURN_IF_ERROR(LoadStoredModel());
  embedder_name_ = stored("embedder");
  uint64_t dim = 0;
  if (ParseU64(stored("dimension"), &dim)) dimension_ = static_cast<int>(dim);
  if (embedder_) {
    if (embedder_name_.empty()) {
      // An archive created without an embedder adopts the first one it is opened with; it holds
      // no vectors yet, so nothing becomes incomparable.
      if (!options_.read_only) {
        rocksdb::WriteBatch batch;
        batch.Put(cfs_[kMeta], "embedder", embedder_->Name());
        batch.Put(cfs_[kMeta], "dimension", std::to_string(embedder_->Dimension()));
        rocksdb::WriteOptions wo;
        wo.sync = true;
        ARCHIVIST_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "recording the embedder"));
      }
      embedder_name_ = embedder_->Name();
      dimension_ = embedder_->Dimension();
    } else if (embedder_name_ != embedder_->Name() || dimension_ != embedder_->Dimension()) {
      return Status::InvalidArgument(
          "archive '" + dir_ + "' holds vectors of embedder '" + embedder_name_ + "' (" +
          std::to_string(dimension_) + " dimensions); it cannot be searched with '" +
          embedder_->Name() + "' (" + std::to_string(embedder_->Dimension()) +
          " dimensions). Use the original embedder or re-index into a new directory");
    }
  }
  return Status::Ok();
}

Status ArchiveImpl::LoadCounters() {
  Counters c;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kMeta]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    uint64_t v = 0;
    if (!ParseU64(it->value().ToString(), &v)) continue;
    if (key == "next_chunk_id") c.next_chunk_id = v;
    else if (key == "documents") c.documents = v;
    else if (key == "pages") c.pages = v;
    else if (key == "chunks") c.chunks = v;
    else if (key == "total_length") c.total_length = v;
    else if (key == "terms") c.terms = v;
    else if (key == "vectors") c.vectors = v;
    else if (key.rfind("collection/", 0) == 0) c.collections[key.substr(11)] = v;
    else if (key.rfind(kMediaCounterPrefix, 0) == 0)
      c.media_types[key.substr(std::string_view(kMediaCounterPrefix).size())] = v;
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading archive counters"));
  std::unique_lock lock(state_mu_);
  counters_ = std::move(c);
  return Status::Ok();
}

Status ArchiveImpl::LoadDocTable() {
  std::map<uint64_t, std::shared_ptr<const DocInfo>> docs;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kDocuments]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument d, DecodeDocument(it->value().ToStringView()));
    auto info = std::make_shared<const DocInfo>(MakeDocInfo(d));
    docs[info->first_chunk_id] = std::move(info);
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading the document table"));
  std::unique_lock lock(state_mu_);
  docs_ = std::move(docs);
  return Status::Ok();
}

// LoadOrRebuildDense / RebuildDense: archive_dense.cc.

Status ArchiveImpl::Flush() {
  if (options_.read_only) return Status::Ok();
  // Holding the commit lock keeps the sequence and the index contents in step.
  std::lock_guard lock(write_mu_);
  ARCHIVIST_RETURN_IF_ERROR(FoldPostings());
  if (!dense_ || !dense_dirty_ || dense_broken_) return Status::Ok();
  ARCHIVIST_RETURN_IF_ERROR(dense_->Save(DensePath(), db_->GetLatestSequenceNumber()));
  dense_dirty_ = false;
  return Status::Ok();
}

Status ArchiveImpl::Backup(const std::string& target_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (target_dir.empty()) return Status::InvalidArgument("the backup directory path is empty");
  if (fs::exists(target_dir, ec))
    return Status::AlreadyExists("backup target '" + target_dir + "' already exists");
  fs::create_directories(target_dir, ec);
  if (ec) return Status::Internal("cannot create '" + target_dir + "': " + ec.message());
  rocksdb::Checkpoint* raw = nullptr;
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing backup"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // No commit may land between the checkpoint and the dense snapshot.
  std::lock_guard lock(write_mu_);
  ARCHIVIST_RETURN_IF_ERROR(
      FromRocks(checkpoint->CreateCheckpoint(target_dir + "/db"), "backing up to '" + target_dir + "'"));
  if (dense_ && !dense_broken_)
    ARCHIVIST_RETURN_IF_ERROR(dense_->Save(target_dir + "/vectors.faiss", db_->GetLatestSequenceNumber()));
  return Status::Ok();
}

Counters ArchiveImpl::CountersSnapshot() const {
  std::shared_lock lock(state_mu_);
  return counters_;
}

std::shared_ptr<const DocInfo> ArchiveImpl::FindDocByChunk(uint64_t chunk_id) const {
  std::shared_lock lock(state_mu_);
  auto it = docs_.upper_bound(chunk_id);
  if (it == docs_.begin()) return nullptr;
  --it;
  const DocInfo& d = *it->second;
  if (chunk_id >= d.first_chunk_id + static_cast<uint64_t>(d.chunk_count)) return nullptr;
  return it->second;
}

Result<StoredDocument> ArchiveImpl::GetStoredDocument(const std::string& doc_id) {
  auto raw = GetRaw(kDocuments, doc_id);
  if (!raw.ok()) {
    if (raw.status().code() == StatusCode::kNotFound)
      return Status::NotFound("no document '" + doc_id + "' in the archive");
    return raw.status();
  }
  return DecodeDocument(*raw);
}

Result<bool> ArchiveImpl::Contains(const std::string& doc_id) {
  auto raw = GetRaw(kDocuments, doc_id);
  if (raw.ok()) return true;
  if (raw.status().code() == StatusCode::kNotFound) return false;
  return raw.status();
}

Result<DocumentRecord> ArchiveImpl::GetDocument(const std::string& doc_id) {
  ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument d, GetStoredDocument(doc_id));
  return d.record;
}

Result<std::vector<DocumentRecord>> ArchiveImpl::ListDocuments() {
  std::vector<DocumentRecord> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kDocuments]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument d, DecodeDocument(it->value().ToStringView()));
    out.push_back(std::move(d.record));
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "listing documents"));
  return out;
}

Result<PageRecord> ArchiveImpl::GetPage(const std::string& doc_id, int page) {
  std::string key = doc_id;
  PutBe32(&key, static_cast<uint32_t>(page));
  auto raw = GetRaw(kPages, key);
  if (!raw.ok()) {
    if (raw.status().code() == StatusCode::kNotFound)
      return Status::NotFound("no page " + std::to_string(page) + " of document '" + doc_id + "'");
    return raw.status();
  }
  return DecodePage(*raw);
}

Result<ChunkRecord> ArchiveImpl::GetChunk(uint64_t chunk_id) {
  auto raw = GetRaw(kChunks, Be64Key(chunk_id));
  if (!raw.ok()) {
    if (raw.status().code() == StatusCode::kNotFound)
      return Status::NotFound("no chunk " + std::to_string(chunk_id) + " in the archive");
    return raw.status();
  }
  return DecodeChunk(*raw);
}

Result<std::vector<ChunkRecord>> ArchiveImpl::GetChunks(const std::string& doc_id) {
  ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument d, GetStoredDocument(doc_id));
  std::vector<ChunkRecord> out;
  for (int i = 0; i < d.record.chunk_count; ++i) {
    ARCHIVIST_ASSIGN_OR_RETURN(ChunkRecord c, GetChunk(d.first_chunk_id + static_cast<uint64_t>(i)));
    out.push_back(std::move(c));
  }
  return out;
}

Result<ArchiveStats> ArchiveImpl::Stats() {
  Counters c = CountersSnapshot();
  ArchiveStats s;
  s.documents = c.documents;
  s.pages = c.pages;
  s.chunks = c.chunks;
  s.terms = c.terms;
  s.vectors = dense_ ? dense_->size() : c.vectors;
  s.vector_dimension = dimension_;
  s.embedder = embedder_name_;
  for (const auto& [name, n] : c.collections)
    if (n > 0) s.collections.emplace_back(name, n);
  for (const auto& [type, n] : c.media_types)
    if (n > 0) s.media_types.emplace_back(type, n);
  rocksdb::SizeApproximationOptions sao;
  sao.include_memtables = true;
  sao.include_files = true;
  const std::string lo;
  const std::string hi(1, '\xff');
  rocksdb::Range range(lo, hi);
  uint64_t size = 0;
  if (db_->GetApproximateSizes(sao, cfs_[kPostings], &range, 1, &size).ok()) s.postings_bytes = size;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) s.disk_bytes += it->file_size(fec);
  }
  return s;
}

}  // namespace archivist::index
