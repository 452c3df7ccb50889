#pragma once
// The FAISS side of the archive: inner-product search over chunk vectors keyed by chunk id, always
// behind an IndexIDMap2. Exact (IndexFlatIP) while the collection is small; once it holds more than
// `ann_threshold` vectors it is rebuilt as an HNSW graph (IndexHNSWFlat) or an inverted file of
// k-means cells (IndexIVFFlat, `ann_index`), which answer in sub-linear time at a small recall cost. Derived from the vectors column family; persisted to one
// file that also records the RocksDB sequence number it reflects, so a stale file is caught up (or
// rebuilt) on open.
//
// HNSW in FAISS cannot remove vectors (and IVF's removal breaks IndexIDMap2's id table), so removals
// from an approximate index are tombstones: filtered out
// of every answer, persisted with the index, and purged by rebuilding the graph once they exceed a
// fifth of it (the rebuild drops back to exact search when the live count fell below half the
// threshold: hysteresis, so a collection hovering at the threshold does not flip back and forth).

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "archivist/base/status.h"

namespace faiss {
struct Index;
}

namespace archivist::index {

struct DenseIndexOptions {
  uint64_t ann_threshold = 100000;  // more vectors than this: HNSW. Default: 100,000
  int hnsw_m = 32;                  // graph degree. Default: 32
  int hnsw_ef_construction = 80;    // build-time beam. Default: 80
  int hnsw_ef_search = 96;          // query-time beam (raised to k when k is larger). Default: 96
  // The approximate index above the threshold: "hnsw" (IndexHNSWFlat) or "ivf" (IndexIVFFlat over
  // k-means cells trained on a sample of the vectors at the switch). Default: "hnsw"
  std::string ann_index = "hnsw";
  int ivf_nlist = 0;    // IVF cells; 0: 4 x sqrt(vectors at the switch). Default: 0
  int ivf_nprobe = 32;  // IVF cells visited per query. Default: 32

  Status Validate() const;
};

class DenseIndex {
 public:
  explicit DenseIndex(int dimension, const DenseIndexOptions& options = {});
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  int dimension() const { return dimension_; }
  // Live vectors (tombstones excluded).
  uint64_t size() const;
  // True once the index is approximate (HNSW or IVF).
  bool approximate() const;
  // Every live id, in no particular order.
  std::vector<uint64_t> Ids() const;

  // `vectors` holds ids.size() * dimension() floats. Thread-safe (exclusive with searches). May
  // switch the index to HNSW (a one-off rebuild of the whole index) when it crosses the threshold.
  Status Add(const std::vector<uint64_t>& ids, const std::vector<float>& vectors);
  // Rebuilds an exact index that holds more than the threshold as HNSW (e.g. a file written under
  // a higher threshold). Called on open.
  Status SwitchIfOverThreshold();
  // Unknown ids are ignored.
  Status Remove(const std::vector<uint64_t>& ids);
  // Top `k` (id, inner product), best first. Thread-safe.
  Result<std::vector<std::pair<uint64_t, float>>> Search(const std::vector<float>& query, int k) const;

  // Writes the index atomically with the sequence it reflects.
  Status Save(const std::string& path, uint64_t sequence) const;
  // Loads a file written by Save; kNotFound if absent, kCorruption if unreadable or of another
  // dimension. `sequence` receives the recorded RocksDB sequence.
  static Result<std::unique_ptr<DenseIndex>> Load(const std::string& path, int dimension,
                                                  const DenseIndexOptions& options,
                                                  uint64_t* sequence);

 private:
  // Rebuilds the FAISS index from the live vectors, as HNSW or exact depending on the live count.
  Status RebuildLocked(bool approximate);
  void ApplySearchParamsLocked();

  int dimension_;
  DenseIndexOptions options_;
  std::unique_ptr<faiss::Index> index_;
  bool approx_ = false;
  std::unordered_set<uint64_t> tombstones_;  // approximate index only
  mutable std::shared_mutex mu_;
};

}  // namespace archivist::index
