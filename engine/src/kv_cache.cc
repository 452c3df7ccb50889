#include "kv_cache.h"

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"

namespace archivist::engine {

KvCache::KvCache(const KvLayout& layout)
    : layout_(layout), elem_(layout.type == KvType::kF16 ? 2 : 4) {
  const size_t n_layer = layout.window.size();
  cap_.resize(n_layer);
  k_.resize(n_layer);
  v_.resize(n_layer);
  for (size_t l = 0; l < n_layer; ++l) {
    const int64_t w = layout.window[l];
    cap_[l] = w > 0 ? std::min(layout.n_ctx, w + layout.max_batch) : layout.n_ctx;
    k_[l].assign(static_cast<size_t>(cap_[l] * layout.k_width) * elem_, 0);
    v_[l].assign(static_cast<size_t>(cap_[l] * layout.v_width) * elem_, 0);
  }
}

uint64_t KvCache::bytes() const {
  uint64_t b = 0;
  for (size_t l = 0; l < k_.size(); ++l) b += k_[l].size() + v_[l].size();
  return b;
}

void KvCache::StoreK(int64_t layer, int64_t pos, const float* row) {
  if (layout_.type == KvType::kF32) {
    std::memcpy(K(layer, pos), row, layout_.k_width * sizeof(float));
  } else {
    kernels::Active().types[static_cast<int>(TensorType::kF16)].from_float(row, K(layer, pos),
                                                                          layout_.k_width);
  }
}

void KvCache::StoreV(int64_t layer, int64_t pos, const float* row) {
  if (layout_.type == KvType::kF32) {
    std::memcpy(V(layer, pos), row, layout_.v_width * sizeof(float));
  } else {
    kernels::Active().types[static_cast<int>(TensorType::kF16)].from_float(row, V(layer, pos),
                                                                          layout_.v_width);
  }
}

}  // namespace archivist::engine
