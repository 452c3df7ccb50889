#include "dense_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <cstring>
#include <mutex>

#include "archivist/base/file_util.h"
#include "coding.h"

namespace archivist::index {
namespace {

// File layout: magic, be64 sequence, be32 dimension, then FAISS's own serialization.
constexpr std::string_view kMagic = "ARCHIVIST-FAISS1";

using IdType = faiss::Index::idx_t;

std::unique_ptr<faiss::Index> NewIndex(int dimension) {
  auto idmap = std::make_unique<faiss::IndexIDMap2>(new faiss::IndexFlatIP(dimension));
  idmap->own_fields = true;
  return idmap;
}

}  // namespace

DenseIndex::DenseIndex(int dimension) : dimension_(dimension), index_(NewIndex(dimension)) {}
DenseIndex::~DenseIndex() = default;

uint64_t DenseIndex::size() const {
  std::shared_lock lock(mu_);
  return static_cast<uint64_t>(index_->ntotal);
}

Status DenseIndex::Add(const std::vector<uint64_t>& ids, const std::vector<float>& vectors) {
  if (vectors.size() != ids.size() * static_cast<size_t>(dimension_))
    return Status::InvalidArgument("vector data does not match " + std::to_string(ids.size()) +
                                   " ids of dimension " + std::to_string(dimension_));
  if (ids.empty()) return Status::Ok();
  std::vector<IdType> fids(ids.begin(), ids.end());
  std::unique_lock lock(mu_);
  try {
    index_->add_with_ids(static_cast<IdType>(ids.size()), vectors.data(), fids.data());
  } catch (const faiss::FaissException& e) {
    return Status::Internal(std::string("FAISS add failed: ") + e.what());
  }
  return Status::Ok();
}

Status DenseIndex::Remove(const std::vector<uint64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<IdType> fids(ids.begin(), ids.end());
  std::unique_lock lock(mu_);
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
  const IdType n = std::min<IdType>(k, index_->ntotal);
  std::vector<std::pair<uint64_t, float>> out;
  if (n <= 0) return out;
  std::vector<float> dist(static_cast<size_t>(n));
  std::vector<IdType> labels(static_cast<size_t>(n));
  try {
    index_->search(1, query.data(), n, dist.data(), labels.data());
  } catch (const faiss::FaissException& e) {
    return Status::Internal(std::string("FAISS search failed: ") + e.what());
  }
  for (IdType i = 0; i < n; ++i)
    if (labels[i] >= 0) out.emplace_back(static_cast<uint64_t>(labels[i]), dist[i]);
  return out;
}

Status DenseIndex::Save(const std::string& path, uint64_t sequence) const {
  std::string data(kMagic);
  PutBe64(&data, sequence);
  PutBe32(&data, static_cast<uint32_t>(dimension_));
  faiss::VectorIOWriter writer;
  {
    std::shared_lock lock(mu_);
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
                                                     uint64_t* sequence) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  const size_t header = kMagic.size() + 12;
  if (data.size() < header || std::string_view(data).substr(0, kMagic.size()) != kMagic)
    return Status::Corruption("'" + path + "' is not an Archivist dense index file");
  *sequence = GetBe64(std::string_view(data).substr(kMagic.size()));
  int dim = static_cast<int>(GetBe32(std::string_view(data).substr(kMagic.size() + 8)));
  if (dim != dimension)
    return Status::Corruption("'" + path + "' holds " + std::to_string(dim) +
                              "-dimensional vectors, expected " + std::to_string(dimension));
  faiss::VectorIOReader reader;
  reader.data.assign(data.begin() + static_cast<std::ptrdiff_t>(header), data.end());
  std::unique_ptr<faiss::Index> loaded;
  try {
    loaded.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    return Status::Corruption("'" + path + "' is unreadable: " + e.what());
  }
  if (!loaded || loaded->d != dimension || dynamic_cast<faiss::IndexIDMap2*>(loaded.get()) == nullptr)
    return Status::Corruption("'" + path + "' holds an index of an unexpected kind");
  auto out = std::make_unique<DenseIndex>(dimension);
  out->index_ = std::move(loaded);
  return out;
}

}  // namespace archivist::index
