// The dense index's life cycle against RocksDB: load the persisted FAISS file, catch it up when it
// is behind, or rebuild it from the vectors column family.

#include <rocksdb/db.h>

#include <unordered_set>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {

DenseIndexOptions DenseOptionsOf(const ArchiveOptions& o) {
  DenseIndexOptions d;
  d.ann_threshold = o.ann_threshold;
  d.hnsw_m = o.hnsw_m;
  d.hnsw_ef_construction = o.hnsw_ef_construction;
  d.hnsw_ef_search = o.hnsw_ef_search;
  d.ann_index = o.ann_index;
  d.ivf_nlist = o.ivf_nlist;
  d.ivf_nprobe = o.ivf_nprobe;
  return d;
}

namespace {

// Calls `fn(ids, floats)` for batches of stored vectors, checking each one's size.
template <typename Fn>
Status ScanVectors(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, int dimension, Fn&& fn) {
  std::vector<uint64_t> ids;
  std::vector<float> data;
  const size_t bytes = static_cast<size_t>(dimension) * sizeof(float);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t id = GetBe64(it->key().ToStringView());
    if (it->value().size() != bytes)
      return Status::Corruption("stored vector of chunk " + std::to_string(id) + " has " +
                                std::to_string(it->value().size()) + " bytes, expected " +
                                std::to_string(bytes));
    ids.push_back(id);
    const float* f = reinterpret_cast<const float*>(it->value().data());
    data.insert(data.end(), f, f + dimension);
    if (ids.size() == 4096) {
      ARCHIVIST_RETURN_IF_ERROR(fn(ids, data));
      ids.clear();
      data.clear();
    }
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading stored vectors"));
  return fn(ids, data);
}

}  // namespace

Status ArchiveImpl::LoadOrRebuildDense() {
  if (dimension_ <= 0) return Status::Ok();
  uint64_t sequence = 0;
  const uint64_t latest = db_->GetLatestSequenceNumber();
  auto loaded = DenseIndex::Load(DensePath(), dimension_, DenseOptionsOf(options_), &sequence);
  if (loaded.ok() && sequence == latest) {
    dense_ = std::move(loaded).value();
    if (!dense_->approximate() && dense_->size() > options_.ann_threshold) {
      ARCHIVIST_RETURN_IF_ERROR(dense_->SwitchIfOverThreshold());
      dense_dirty_ = true;
    }
    return Status::Ok();
  }
  // Behind RocksDB (a crash after commits, before the file was rewritten): catch up. A file ahead
  // of RocksDB (restored from elsewhere) or unreadable is not trusted at all.
  if (loaded.ok() && sequence < latest) {
    std::unique_ptr<DenseIndex> dense = std::move(loaded).value();
    if (CatchUpDense(dense.get()).ok()) {
      dense_ = std::move(dense);
      dense_dirty_ = true;
      return Status::Ok();
    }
  }
  // Missing, unreadable or inconsistent: the vectors column family is the truth.
  return RebuildDense();
}

Status ArchiveImpl::CatchUpDense(DenseIndex* dense) {
  std::vector<uint64_t> have = dense->Ids();
  std::unordered_set<uint64_t> in_index(have.begin(), have.end());
  have = {};
  std::unordered_set<uint64_t> stored;
  std::vector<uint64_t> add_ids;
  std::vector<float> add_data;
  ARCHIVIST_RETURN_IF_ERROR(ScanVectors(
      db_.get(), cfs_[kVectors], dimension_,
      [&](const std::vector<uint64_t>& ids, const std::vector<float>& data) -> Status {
        for (size_t i = 0; i < ids.size(); ++i) {
          stored.insert(ids[i]);
          if (in_index.count(ids[i])) continue;
          add_ids.push_back(ids[i]);
          add_data.insert(add_data.end(), data.begin() + static_cast<std::ptrdiff_t>(i * dimension_),
                          data.begin() + static_cast<std::ptrdiff_t>((i + 1) * dimension_));
        }
        return Status::Ok();
      }));
  std::vector<uint64_t> gone;
  for (uint64_t id : in_index)
    if (!stored.count(id)) gone.push_back(id);
  ARCHIVIST_RETURN_IF_ERROR(dense->Remove(gone));
  return dense->Add(add_ids, add_data);
}

Status ArchiveImpl::RebuildDense() {
  auto dense = std::make_unique<DenseIndex>(dimension_, DenseOptionsOf(options_));
  ARCHIVIST_RETURN_IF_ERROR(ScanVectors(
      db_.get(), cfs_[kVectors], dimension_,
      [&](const std::vector<uint64_t>& ids, const std::vector<float>& data) {
        return dense->Add(ids, data);
      }));
  dense_ = std::move(dense);
  dense_dirty_ = true;
  return Status::Ok();
}

}  // namespace archivist::index
