#pragma once
// One term's postings as of a RocksDB snapshot: the folded blocks (chunks <= watermark) followed by
// the raw per-chunk entries above it, walked in chunk order. Blocks are read whole but decoded only
// when the cursor enters them, so skipping (NextGeq) past a block costs its key, not its postings.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "postings_blocks.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace archivist::index {

class TermCursor {
 public:
  static constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();

  // Reads `term`'s blocks and its raw entries above `watermark` from `postings` at `snapshot`.
  static Result<TermCursor> Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* postings,
                                 const rocksdb::Snapshot* snapshot, const std::string& term,
                                 uint64_t watermark);

  uint64_t doc() const { return doc_; }
  uint32_t tf() const { return cur_[pi_].tf; }
  uint32_t length() const { return cur_[pi_].length; }
  void Next();
  // Moves to the first posting with chunk id >= target (never backwards).
  void NextGeq(uint64_t target);
  // The (max tf, min length) of the block that would hold `target`, without decoding it; false
  // when no posting >= target is left.
  bool BoundAt(uint64_t target, uint32_t* max_tf, uint32_t* min_length) const;
  // Over every block: the pair maximizing the BM25 tf part is unknown without avgdl, so callers
  // evaluate each block's pair; this lists them.
  std::vector<std::pair<uint32_t, uint32_t>> BlockBounds() const;
  size_t postings() const { return total_; }
  // kCorruption when a block could not be decoded (the cursor then ends early).
  const Status& status() const { return status_; }

 private:
  struct Block {
    uint64_t last_id = 0;
    BlockHeader header;
    std::string value;
  };
  void Enter(size_t block);

  std::string term_;
  std::vector<Block> blocks_;
  size_t bi_ = 0;
  std::vector<BlockPosting> cur_;
  size_t pi_ = 0;
  uint64_t doc_ = kEnd;
  size_t total_ = 0;
  Status status_;
};

}  // namespace archivist::index
