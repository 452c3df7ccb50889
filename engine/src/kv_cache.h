#pragma once
// Per-layer K/V storage of one sequence. Full-attention layers keep every position up to the
// context budget; local (chunked / sliding) layers keep a ring of `window + max_batch` positions,
// enough for every query of a batch to see its whole window. Rows are F32, F16 or Q8_0 blocks.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "archivist/engine/model.h"

namespace archivist::engine {

using KvType = KvCacheType;

struct KvLayout {
  int64_t n_ctx = 0;        // positions a full layer keeps
  int64_t k_width = 0;      // floats per K row (n_head_kv * head_dim)
  int64_t v_width = 0;
  int64_t max_batch = 512;  // tokens per forward call at most
  KvType type = KvType::kF32;
  std::vector<int64_t> window;  // per layer: 0 = full attention, else the local window length
};

class KvCache {
 public:
  explicit KvCache(const KvLayout& layout);

  KvType type() const { return layout_.type; }
  int64_t n_ctx() const { return layout_.n_ctx; }
  int64_t capacity(int64_t layer) const { return cap_[layer]; }
  int64_t k_width() const { return layout_.k_width; }
  int64_t v_width() const { return layout_.v_width; }
  uint64_t bytes() const;

  // Row of position `pos` (ring slot for local layers): floats, IEEE halves or Q8_0 blocks
  // depending on type(). For Q8_0 a head's slice starts at block head * head_dim / 32.
  void* K(int64_t layer, int64_t pos) { return Row(k_[layer], layer, pos, layout_.k_width); }
  void* V(int64_t layer, int64_t pos) { return Row(v_[layer], layer, pos, layout_.v_width); }
  const void* K(int64_t layer, int64_t pos) const {
    return const_cast<KvCache*>(this)->K(layer, pos);
  }
  const void* V(int64_t layer, int64_t pos) const {
    return const_cast<KvCache*>(this)->V(layer, pos);
  }

  // Stores a float row (converted to the cache type).
  void StoreK(int64_t layer, int64_t pos, const float* row);
  void StoreV(int64_t layer, int64_t pos, const float* row);

 private:
  void* Row(std::vector<uint8_t>& buf, int64_t layer, int64_t pos, int64_t width) {
    return buf.data() + static_cast<uint64_t>(pos % cap_[layer]) * RowBytes(width);
  }
  uint64_t RowBytes(int64_t width) const;
  void Store(void* dst, const float* row, int64_t width);

  KvLayout layout_;
  std::vector<int64_t> cap_;
  std::vector<std::vector<uint8_t>> k_, v_;
};

}  // namespace archivist::engine
