#pragma once
// Read-optimized postings ("folded" blocks), derived from the per-(term, chunk) entries.
//
// The write path stays one entry per (term, chunk) in the postings CF (term \0 be64 chunk_id), so a
// document is wholly present or absent after a crash and phrase queries keep their positions. A
// fold turns the entries of chunks up to a watermark into blocks of up to kBlockPostings postings
// stored in the same CF under a key space no term can reach (0xFF never starts a UTF-8 term):
//
//   0xFF term \0 be64(last chunk id of the block) -> varint count, varint max tf, varint min
//       length, varint first chunk id, then per posting: varint id delta (not for the first),
//       varint tf, varint chunk length
//
// Queries read the blocks (chunks <= watermark, meta "fold_watermark") plus the raw entries above
// the watermark. Every block but a term's last is full: a fold rewrites that last block with the
// new postings appended, so folding often never leaves a term in many small pieces. Block max tf and
// min length bound any posting's BM25 term score in the block (tf part rises with tf, falls with
// length), which is what MaxScore pruning needs, at whatever avgdl the query runs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivist::index {

inline constexpr size_t kBlockPostings = 128;
inline constexpr char kBlockKeyByte = '\xff';
inline constexpr const char* kFoldWatermarkKey = "fold_watermark";

struct BlockPosting {
  uint64_t chunk_id = 0;
  uint32_t tf = 0;
  uint32_t length = 0;
};

struct BlockHeader {
  uint32_t count = 0;
  uint32_t max_tf = 0;
  uint32_t min_length = 0;
  uint64_t first_id = 0;
};

std::string BlockKey(std::string_view term, uint64_t last_chunk_id);
std::string BlockPrefix(std::string_view term);
// The whole block key space, for a range delete.
std::string BlockSpaceBegin();
std::string BlockSpaceEnd();

std::string EncodeBlock(const BlockPosting* postings, size_t n);
// Header only (cheap); false on damaged input.
bool DecodeBlockHeader(std::string_view v, BlockHeader* h, size_t* payload_pos);
// Every posting; false on damaged input.
bool DecodeBlock(std::string_view v, std::vector<BlockPosting>* out);

// Cuts ascending postings into blocks of kBlockPostings and hands each (key, value) to `put`.
template <typename Put>
void WriteBlocks(std::string_view term, const std::vector<BlockPosting>& postings, Put&& put) {
  for (size_t i = 0; i < postings.size(); i += kBlockPostings) {
    const size_t n = std::min(kBlockPostings, postings.size() - i);
    put(BlockKey(term, postings[i + n - 1].chunk_id), EncodeBlock(&postings[i], n));
  }
}

}  // namespace archivist::index
