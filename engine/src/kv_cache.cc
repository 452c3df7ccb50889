#include "kv_cache.h"

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"

namespace archivist::engine {

uint64_t KvCache::RowBytes(int64_t width) const {
  switch (layout_.type) {
    case KvType::kF32: return width * 4;
    case KvType::kF16: return width * 2;
    case KvType::kQ8_0: return width / 32 * 34;
  }
  return 0;
}

KvCache::KvCache(const KvLayout& layout) : layout_(layout) {
  const size_t n_layer = layout.window.size();
  cap_.resize(n_layer);
  k_.resize(n_layer);
  v_.resize(n_layer);
  for (size_t l = 0; l < n_layer; ++l) {
    const int64_t w = layout.window[l];
    cap_[l] = w > 0 ? std::min(layout.n_ctx, w + layout.max_batch) : layout.n_ctx;
    k_[l].assign(static_cast<size_t>(cap_[l] * RowBytes(layout.k_width)), 0);
    v_[l].assign(static_cast<size_t>(cap_[l] * RowBytes(layout.v_width)), 0);
  }
}

uint64_t KvCache::bytes() const {
  uint64_t b = 0;
  for (size_t l = 0; l < k_.size(); ++l) b += k_[l].size() + v_[l].size();
  return b;
}

void KvCache::Store(void* dst, const float* row, int64_t width) {
  if (layout_.type == KvType::kF32) {
    std::memcpy(dst, row, width * sizeof(float));
    return;
  }
  const TensorType t = layout_.type == KvType::kF16 ? TensorType::kF16 : TensorType::kQ8_0;
  kernels::Active().types[static_cast<int>(t)].from_float(row, dst, width);
}

void KvCache::StoreK(int64_t layer, int64_t pos, const float* row) {
  Store(K(layer, pos), row, layout_.k_width);
}

void KvCache::StoreV(int64_t layer, int64_t pos, const float* row) {
  Store(V(layer, pos), row, layout_.v_width);
}

}  // namespace archivist::engine
