#include "postings_blocks.h"

#include <algorithm>

#include "coding.h"

namespace archivist::index {

std::string BlockPrefix(std::string_view term) {
  std::string k;
  k.reserve(term.size() + 10);
  k.push_back(kBlockKeyByte);
  k.append(term);
  k.push_back('\0');
  return k;
}

std::string BlockKey(std::string_view term, uint64_t last_chunk_id) {
  std::string k = BlockPrefix(term);
  PutBe64(&k, last_chunk_id);
  return k;
}

std::string BlockSpaceBegin() { return std::string(1, kBlockKeyByte); }
std::string BlockSpaceEnd() { return std::string(2, kBlockKeyByte); }

std::string EncodeBlock(const BlockPosting* p, size_t n) {
  uint32_t max_tf = 0, min_len = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    max_tf = std::max(max_tf, p[i].tf);
    min_len = std::min(min_len, p[i].length);
  }
  std::string v;
  v.reserve(8 + n * 4);
  PutVarint(&v, n);
  PutVarint(&v, max_tf);
  PutVarint(&v, n == 0 ? 0 : min_len);
  PutVarint(&v, n == 0 ? 0 : p[0].chunk_id);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) PutVarint(&v, p[i].chunk_id - p[i - 1].chunk_id);
    PutVarint(&v, p[i].tf);
    PutVarint(&v, p[i].length);
  }
  return v;
}

bool DecodeBlockHeader(std::string_view v, BlockHeader* h, size_t* payload_pos) {
  size_t pos = 0;
  uint64_t count = 0, max_tf = 0, min_len = 0, first = 0;
  if (!GetVarint(v, &pos, &count) || !GetVarint(v, &pos, &max_tf) || !GetVarint(v, &pos, &min_len) ||
      !GetVarint(v, &pos, &first) || count == 0 || count > kBlockPostings)
    return false;
  h->count = static_cast<uint32_t>(count);
  h->max_tf = static_cast<uint32_t>(max_tf);
  h->min_length = static_cast<uint32_t>(min_len);
  h->first_id = first;
  *payload_pos = pos;
  return true;
}

bool DecodeBlock(std::string_view v, std::vector<BlockPosting>* out) {
  BlockHeader h;
  size_t pos = 0;
  out->clear();
  if (!DecodeBlockHeader(v, &h, &pos)) return false;
  out->reserve(h.count);
  uint64_t id = h.first_id;
  for (uint32_t i = 0; i < h.count; ++i) {
    uint64_t delta = 0, tf = 0, len = 0;
    if (i > 0 && (!GetVarint(v, &pos, &delta) || delta == 0)) return false;
    if (!GetVarint(v, &pos, &tf) || !GetVarint(v, &pos, &len)) return false;
    id += delta;
    out->push_back({id, static_cast<uint32_t>(tf), static_cast<uint32_t>(len)});
  }
  return pos == v.size();
}

}  // namespace archivist::index
