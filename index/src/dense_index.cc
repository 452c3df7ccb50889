#include "dense_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <sys/stat.h>

#include "archivist/base/file_util.h"
#include "coding.h"

namespace archivist::index {
namespace {

// File layout: magic, be64 sequence, be32 dimension, [v2: be64 tombstone count, be64 ids], then
// FAISS's own serialization. Version 1 files (exact index, no tombstones) still load.
constexpr std::string_view kMagicV1 = "ARCHIVIST-FAISS1";
constexpr std::string_view kMagicV2 = "ARCHIVIST-FAISS2";

using IdType = faiss::Index::idx_t;

faiss::IndexIDMap2* IdMap(faiss::Index* index) { return static_cast<faiss::IndexIDMap2*>(index); }

std::unique_ptr<faiss::Index> NewIndex(int dimension, bool hnsw, const DenseIndexOptions& o) {
  faiss::Index* inner = nullptr;
  if (hnsw) {
    auto* h = new faiss::IndexHNSWFlat(dimension, o.hnsw_m, faiss::METRIC_INNER_PRODUCT);
    h->hnsw.efConstruction = o.hnsw_ef_construction;
    h->hnsw.efSearch = o.hnsw_ef_search;
    inner = h;
  } else {
    inner = new faiss::IndexFlatIP(dimension);
  }
  auto idmap = std::make_unique<faiss::IndexIDMap2>(inner);
  idmap->own_fields = true;
  return idmap;
}

// k-means cells trained on an even sample of `vectors` (n of them): at most 64 points per cell,
// so training costs seconds whatever n is.
std::unique_ptr<faiss::Index> NewIvfIndex(int dimension, const DenseIndexOptions& o,
                                          const std::vector<float>& vectors, size_t n) {
  size_t nlist = o.ivf_nlist > 0 ? static_cast<size_t>(o.ivf_nlist)
                                 : static_cast<size_t>(4.0 * std::sqrt(static_cast<double>(n)));
  nlist = std::max<size_t>(1, std::min(nlist, n / 8));  // enough points per cell to train
  auto* quantizer = new faiss::IndexFlatIP(dimension);
  auto* ivf = new faiss::IndexIVFFlat(quantizer, dimension, nlist, faiss::METRIC_INNER_PRODUCT);
  ivf->own_fields = true;
  ivf->cp.max_points_per_centroid = 64;
  auto idmap = std::make_unique<faiss::IndexIDMap2>(ivf);
  idmap->own_fields = true;
  const size_t d = static_cast<size_t>(dimension);
  const size_t sample = std::min(n, nlist * 64);
  std::vector<float> train(sample * d);
  for (size_t i = 0; i < sample; ++i) {
    const size_t src = i * n / std::max<size_t>(sample, 1);
    std::copy_n(vectors.begin() + static_cast<std::ptrdiff_t>(src * d), d,
                train.begin() + static_cast<std::ptrdiff_t>(i * d));
  }
  if (sample > 0) ivf->train(static_cast<IdType>(sample), train.data());
  ivf->make_direct_map(true);  // reconstruct() for later rebuilds
  return idmap;
}

}  // namespace

Status DenseIndexOptions::Validate() const {
  if (hnsw_m < 4 || hnsw_m > 256)
    return Status::InvalidArgument("hnsw_m must be within [4, 256], got " + std::to_string(hnsw_m));
  if (hnsw_ef_construction < 8 || hnsw_ef_construction > 4096)
    return Status::InvalidArgument("hnsw_ef_construction must be within [8, 4096], got " +
                                   std::to_string(hnsw_ef_construction));
  if (hnsw_ef_search < 8 || hnsw_ef_search > 4096)
    return Status::InvalidArgument("hnsw_ef_search must be within [8, 4096], got " +
                                   std::to_string(hnsw_ef_search));
  if (ann_index != "hnsw" && ann_index != "ivf")
    return Status::InvalidArgument("ann_index must be \"hnsw\" or \"ivf\", got \"" + ann_index + "\"");
  if (ivf_nlist < 0 || ivf_nlist > 1000000)
    return Status::InvalidArgument("ivf_nlist must be within [0, 1000000], got " + std::to_string(ivf_nlist));
  if (ivf_nprobe < 1 || ivf_nprobe > 1000000)
    return Status::InvalidArgument("ivf_nprobe must be within [1, 1000000], got " + std::to_string(ivf_nprobe));
  return Status::Ok();
}

DenseIndex::DenseIndex(int dimension, const DenseIndexOptions& options)
    : dimension_(dimension), options_(options), index_(NewIndex(dimension, false, options)) {}
DenseIndex::~DenseIndex() = default;

uint64_t DenseIndex::size() const {
  std::shared_lock lock(mu_);
  return static_cast<uint64_t>(index_->ntotal) - tombstones_.size();
}

bool DenseIndex::approximate() const {
  std::shared_lock lock(mu_);
  return approx_;
}

std::vector<uint64_t> DenseIndex::Ids() const {
  std::shared_lock lock(mu_);
  std::vector<uint64_t> out;
  out.reserve(IdMap(index_.get())->id_map.size());
  for (IdType id : IdMap(index_.get())->id_map)
    if (!tombstones_.count(static_cast<uint64_t>(id))) out.push_back(static_cast<uint64_t>(id));
  return out;
}

void DenseIndex::ApplySearchParamsLocked() {
  if (auto* h = dynamic_cast<faiss::IndexHNSW*>(IdMap(index_.get())->index))
    h->hnsw.efSearch = options_.hnsw_ef_search;
}

Status DenseIndex::RebuildLocked(bool approximate) {
  auto* old = IdMap(index_.get());
  const size_t n = static_cast<size_t>(old->ntotal);
  std::vector<float> all(n * static_cast<size_t>(dimension_));
  std::vector<IdType> ids;
  std::vector<float> live;
  ids.reserve(n - tombstones_.size());
  live.reserve((n - tombstones_.size()) * static_cast<size_t>(dimension_));
  try {
    if (n > 0) old->index->reconstruct_n(0, static_cast<IdType>(n), all.data());
    for (size_t i = 0; i < n; ++i) {
      if (tombstones_.count(static_cast<uint64_t>(old->id_map[i]))) continue;
      ids.push_back(old->id_map[i]);
      live.insert(live.end(), all.begin() + static_cast<std::ptrdiff_t>(i * dimension_),
                  all.begin() + static_cast<std::ptrdiff_t>((i + 1) * dimension_));
    }
    all = {};
    auto fresh = approximate && options_.ann_index == "ivf"
                     ? NewIvfIndex(dimension_, options_, live, ids.size())
                     : NewIndex(dimension_, approximate, options_);
    if (!ids.empty()) fresh->add_with_ids(static_cast<IdType>(ids.size()), live.data(), ids.data());
    index_ = std::move(fresh);
  } catch (const faiss::FaissException& e) {
    return Status::Internal(std::string("FAISS rebuild failed: ") + e.what());
  }
  approx_ = approximate;
  tombstones_.clear();
  return Status::Ok();
}

Status DenseIndex::Add(const std::vector<uint64_t>& ids, const std::vector<float>& vectors) {
  if (vectors.size() != ids.size() * static_cast<size_t>(dimension_))
    return Status::InvalidArgument("vector data does not match " + std::to_string(ids.size()) +
                                   " ids of dimension " + std::to_string(dimension_));
  if (ids.empty()) return Status::Ok();
  std::vector<IdType> fids(ids.begin(), ids.end());
  std::unique_lock lock(mu_);
  // A re-added id must not leave its old vector live next to the new one: drop it first.
  std::vector<IdType> again;
  for (IdType id : fids)
    if (IdMap(index_.get())->rev_map.count(id)) again.push_back(id);
  try {
    if (!again.empty()) {
      if (approx_) {
        for (IdType id : again) tombstones_.insert(static_cast<uint64_t>(id));
        ARCHIVIST_RETURN_IF_ERROR(RebuildLocked(true));
      } else {
        faiss::IDSelectorBatch sel(again.size(), again.data());
        index_->remove_ids(sel);
      }
    }
    index_->add_with_ids(static_cast<IdType>(ids.size()), vectors.data(), fids.data());
  } catch (const faiss::FaissException& e) {
    return Status::Internal(std::string("FAISS add failed: ") + e.what());
  }
  if (!approx_ && static_cast<uint64_t>(index_->ntotal) > options_.ann_threshold)
    return RebuildLocked(true);
  return Status::Ok();
}

Status DenseIndex::SwitchIfOverThreshold() {
  std::unique_lock lock(mu_);
  if (approx_ || static_cast<uint64_t>(index_->ntotal) <= options_.ann_threshold) return Status::Ok();
  return RebuildLocked(true);
}

Status DenseIndex::Remove(const std::vector<uint64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  std::unique_lock lock(mu_);
  if (approx_) {
    for (uint64_t id : ids)
      if (IdMap(index_.get())->rev_map.count(static_cast<IdType>(id))) tombstones_.insert(id);
    const uint64_t total = static_cast<uint64_t>(index_->ntotal);
    if (tombstones_.size() * 5 > total) {
      const uint64_t live = total - tombstones_.size();
      return RebuildLocked(live * 2 >= options_.ann_threshold);
    }
    return Status::Ok();
  }
  std::vector<IdType> fids(ids.begin(), ids.end());
  try {
    faiss::IDSelectorBatch sel(fids.size(), fids.data());
    index_->remove_ids(sel);
  } catch (const faiss::FaissException& e) {
    return Status::Internal(std::string("FAISS remove failed: ") + e.what());
  }
  return Status::Ok();
}

Result<std::vector<std::pair<uint64_t, float>>> DenseIndex::Search(const std::vector<float>& query,
                                                                   int k) const {
  if (query.size() != static_cast<size_t>(dimension_))
    return Status::InvalidArgument("query vector has " + std::to_string(query.size()) +
                                   " dimensions, the index " + std::to_string(dimension_));
  std::shared_lock lock(mu_);
  const auto* idmap = IdMap(index_.get());
  const IdType live = idmap->ntotal - static_cast<IdType>(tombstones_.size());
  const IdType want = std::min<IdType>(k, live);
  std::vector<std::pair<uint64_t, float>> out;
  if (want <= 0) return out;
  // Ask for enough extra to cover tombstones; widen if too many of the answers were dead.
  IdType n = std::min<IdType>(idmap->ntotal, want + std::min<IdType>(static_cast<IdType>(tombstones_.size()), want + 16));
  while (true) {
    std::vector<float> dist(static_cast<size_t>(n));
    std::vector<IdType> labels(static_cast<size_t>(n));
    try {
      if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(idmap->index)) {
        faiss::SearchParametersIVF params;
        params.nprobe = std::min<size_t>(static_cast<size_t>(options_.ivf_nprobe), ivf->nlist);
        idmap->index->search(1, query.data(), n, dist.data(), labels.data(), &params);
      } else if (approx_) {
        // The beam must be at least as wide as the answer; per-call parameters keep concurrent
        // searches from racing on the index's own efSearch.
        faiss::SearchParametersHNSW params;
        params.efSearch = std::max<int>(options_.hnsw_ef_search, static_cast<int>(n));
        idmap->index->search(1, query.data(), n, dist.data(), labels.data(), &params);
      } else {
        idmap->index->search(1, query.data(), n, dist.data(), labels.data());
      }
    } catch (const faiss::FaissException& e) {
      return Status::Internal(std::string("FAISS search failed: ") + e.what());
    }
    out.clear();
    for (IdType i = 0; i < n && static_cast<IdType>(out.size()) < want; ++i) {
      if (labels[i] < 0) continue;
      const uint64_t id = static_cast<uint64_t>(idmap->id_map[static_cast<size_t>(labels[i])]);
      if (tombstones_.count(id)) continue;
      out.emplace_back(id, dist[i]);
    }
    if (static_cast<IdType>(out.size()) >= want || n >= idmap->ntotal) break;
    n = std::min<IdType>(idmap->ntotal, n * 2);
  }
  return out;
}

Status DenseIndex::Save(const std::string& path, uint64_t sequence) const {
  std::string data(kMagicV2);
  PutBe64(&data, sequence);
  PutBe32(&data, static_cast<uint32_t>(dimension_));
  faiss::VectorIOWriter writer;
  {
    std::shared_lock lock(mu_);
    PutBe64(&data, tombstones_.size());
    for (uint64_t id : tombstones_) PutBe64(&data, id);
    try {
      faiss::write_index(index_.get(), &writer);
    } catch (const faiss::FaissException& e) {
      return Status::Internal(std::string("FAISS serialization failed: ") + e.what());
    }
  }
  data.append(reinterpret_cast<const char*>(writer.data.data()), writer.data.size());
  return WriteFileAtomic(path, data);
}

Result<std::unique_ptr<DenseIndex>> DenseIndex::Load(const std::string& path, int dimension,
                                                     const DenseIndexOptions& options,
                                                     uint64_t* sequence) {
  // Streamed from the file: reading it whole first would hold the vectors three times at once
  // (file bytes, FAISS's reader buffer, the index), 4.6 GiB peak for 1M x 384 instead of 1.5.
  std::unique_ptr<FILE, int (*)(FILE*)> fp(std::fopen(path.c_str(), "rbe"), &std::fclose);
  if (!fp) return Status::NotFound("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st{};
  if (::fstat(::fileno(fp.get()), &st) != 0 || !S_ISREG(st.st_mode))
    return Status::Corruption("'" + path + "' is not a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  auto read_exact = [&](size_t n) -> Result<std::string> {
    std::string buf(n, '\0');
    if (n != 0 && std::fread(buf.data(), 1, n, fp.get()) != n)
      return Status::Corruption("'" + path + "' is truncated");
    return buf;
  };
  size_t pos = kMagicV1.size() + 12;
  ARCHIVIST_ASSIGN_OR_RETURN(std::string header, read_exact(std::min<uint64_t>(pos, file_size)));
  const std::string_view view(header);
  const bool v2 = view.substr(0, kMagicV2.size()) == kMagicV2;
  if (header.size() < pos || (!v2 && view.substr(0, kMagicV1.size()) != kMagicV1))
    return Status::Corruption("'" + path + "' is not an Archivist dense index file");
  *sequence = GetBe64(view.substr(kMagicV1.size()));
  int dim = static_cast<int>(GetBe32(view.substr(kMagicV1.size() + 8)));
  if (dim != dimension)
    return Status::Corruption("'" + path + "' holds " + std::to_string(dim) +
                              "-dimensional vectors, expected " + std::to_string(dimension));
  auto out = std::make_unique<DenseIndex>(dimension, options);
  if (v2) {
    ARCHIVIST_ASSIGN_OR_RETURN(std::string count_bytes, read_exact(8));
    pos += 8;
    const uint64_t count = GetBe64(count_bytes);
    if (count > (file_size - pos) / 8) return Status::Corruption("'" + path + "' is truncated");
    ARCHIVIST_ASSIGN_OR_RETURN(std::string ids, read_exact(count * 8));
    const std::string_view ids_view(ids);
    for (uint64_t i = 0; i < count; ++i) out->tombstones_.insert(GetBe64(ids_view.substr(i * 8)));
  }
  faiss::FileIOReader reader(fp.get());
  std::unique_ptr<faiss::Index> loaded;
  try {
    loaded.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    return Status::Corruption("'" + path + "' is unreadable: " + e.what());
  }
  auto* idmap = dynamic_cast<faiss::IndexIDMap2*>(loaded.get());
  if (!loaded || loaded->d != dimension || idmap == nullptr ||
      idmap->id_map.size() != static_cast<size_t>(idmap->ntotal))
    return Status::Corruption("'" + path + "' holds an index of an unexpected kind");
  out->approx_ = dynamic_cast<faiss::IndexHNSW*>(idmap->index) != nullptr ||
                 dynamic_cast<faiss::IndexIVF*>(idmap->index) != nullptr;
  if (!out->approx_ && dynamic_cast<faiss::IndexFlat*>(idmap->index) == nullptr)
    return Status::Corruption("'" + path + "' holds an index of an unexpected kind");
  if (!out->approx_ && !out->tombstones_.empty())
    return Status::Corruption("'" + path + "' has tombstones in an exact index");
  out->index_ = std::move(loaded);
  out->ApplySearchParamsLocked();
  return out;
}

}  // namespace archivist::index
