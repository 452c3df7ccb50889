#pragma once
// The FAISS side of the archive: exact inner-product search over chunk vectors keyed by chunk id.
// Derived from the vectors column family; persisted to one file that also records the RocksDB
// sequence number it reflects, so a stale file is detected and rebuilt on open.

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "archivist/base/status.h"

namespace faiss {
struct Index;
}

namespace archivist::index {

class DenseIndex {
 public:
  explicit DenseIndex(int dimension);
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  int dimension() const { return dimension_; }
  uint64_t size() const;

  // `vectors` holds ids.size() * dimension() floats. Thread-safe (exclusive with searches).
  Status Add(const std::vector<uint64_t>& ids, const std::vector<float>& vectors);
  Status Remove(const std::vector<uint64_t>& ids);
  // Top `k` (id, inner product), best first. Thread-safe.
  Result<std::vector<std::pair<uint64_t, float>>> Search(const std::vector<float>& query, int k) const;

  // Writes the index atomically with the sequence it reflects.
  Status Save(const std::string& path, uint64_t sequence) const;
  // Loads a file written by Save; kNotFound if absent, kCorruption if unreadable or of another
  // dimension. `sequence` receives the recorded RocksDB sequence.
  static Result<std::unique_ptr<DenseIndex>> Load(const std::string& path, int dimension,
                                                  uint64_t* sequence);

 private:
  int dimension_;
  std::unique_ptr<faiss::Index> index_;
  mutable std::shared_mutex mu_;
};

}  // namespace archivist::index
