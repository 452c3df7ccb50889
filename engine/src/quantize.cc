// Weight quantizers (round-to-nearest with per-sub-block scales) for building models.
#include "archivist/engine/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/blocks.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine {
namespace {

using kernels::BlockQ4_K;
using kernels::BlockQ5_K;
using kernels::BlockQ6_K;
using kernels::Fp16ToFp32;
using kernels::Fp32ToFp16;
using kernels::kQK_K;

int Clamp(int v, int lo, int hi) { return std::min(hi, std::max(lo, v)); }

// Shared by Q4_K (levels 15) and Q5_K (levels 31): per 32 values an unsigned scale and a min,
// both 6-bit relative to fp16 super-block scales.
void QuantizeAsymK(const float* x, int levels, uint16_t* d_out, uint16_t* dmin_out,
                   uint8_t* scales, uint8_t* q) {
  float sub_scale[8], sub_min[8];
  for (int j = 0; j < 8; ++j) {
    float mn = 0, mx = 0;
    for (int l = 0; l < 32; ++l) {
      mn = std::min(mn, x[32 * j + l]);
      mx = std::max(mx, x[32 * j + l]);
    }
    sub_scale[j] = (mx - mn) / levels;
    sub_min[j] = -mn;
  }
  const float max_scale = *std::max_element(sub_scale, sub_scale + 8);
  const float max_min = *std::max_element(sub_min, sub_min + 8);
  const float d = max_scale / 63.f, dmin = max_min / 63.f;
  *d_out = Fp32ToFp16(d);
  *dmin_out = Fp32ToFp16(dmin);
  const float dq = Fp16ToFp32(*d_out), dminq = Fp16ToFp32(*dmin_out);
  uint8_t sc[8], m[8];
  for (int j = 0; j < 8; ++j) {
    sc[j] = static_cast<uint8_t>(dq > 0 ? Clamp(static_cast<int>(std::lround(sub_scale[j] / dq)), 0, 63) : 0);
    m[j] = static_cast<uint8_t>(dminq > 0 ? Clamp(static_cast<int>(std::lround(sub_min[j] / dminq)), 0, 63) : 0);
    const float s = dq * sc[j], off = dminq * m[j];
    for (int l = 0; l < 32; ++l) {
      q[32 * j + l] = static_cast<uint8_t>(
          s > 0 ? Clamp(static_cast<int>(std::lround((x[32 * j + l] + off) / s)), 0, levels) : 0);
    }
  }
  for (int j = 0; j < 4; ++j) {
    scales[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    scales[j + 4] = static_cast<uint8_t>(m[j] | ((m[j + 4] >> 4) << 6));
    scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
  }
}

void QuantizeQ4_K(const float* x, void* dst, int64_t n) {
  BlockQ4_K* b = static_cast<BlockQ4_K*>(dst);
  uint8_t q[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    QuantizeAsymK(x + i * kQK_K, 15, &b[i].d, &b[i].dmin, b[i].scales, q);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        b[i].qs[32 * c + l] = static_cast<uint8_t>(q[64 * c + l] | (q[64 * c + 32 + l] << 4));
      }
    }
  }
}

void QuantizeQ5_K(const float* x, void* dst, int64_t n) {
  BlockQ5_K* b = static_cast<BlockQ5_K*>(dst);
  uint8_t q[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    QuantizeAsymK(x + i * kQK_K, 31, &b[i].d, &b[i].dmin, b[i].scales, q);
    std::memset(b[i].qh, 0, sizeof b[i].qh);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t lo = q[64 * c + l], hi = q[64 * c + 32 + l];
        b[i].qs[32 * c + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
        if (lo & 16) b[i].qh[l] |= static_cast<uint8_t>(1 << (2 * c));
        if (hi & 16) b[i].qh[l] |= static_cast<uint8_t>(2 << (2 * c));
      }
    }
  }
}

void QuantizeQ6_K(const float* x, void* dst, int64_t n) {
  BlockQ6_K* b = static_cast<BlockQ6_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float* xb = x + i * kQK_K;
    float sub[16];
    for (int j = 0; j < 16; ++j) {
      float amax = 0;
      for (int l = 0; l < 16; ++l) amax = std::max(amax, std::fabs(xb[16 * j + l]));
      sub[j] = amax / 31.f;
    }
    const float max_sub = *std::max_element(sub, sub + 16);
    b[i].d = Fp32ToFp16(max_sub / 127.f);
    const float d = Fp16ToFp32(b[i].d);
    int8_t q[kQK_K];
    for (int j = 0; j < 16; ++j) {
      const int sc = d > 0 ? Clamp(static_cast<int>(std::lround(sub[j] / d)), -128, 127) : 0;
      b[i].scales[j] = static_cast<int8_t>(sc);
      const float s = d * sc;
      for (int l = 0; l < 16; ++l) {
        q[16 * j + l] = static_cast<int8_t>(
            s != 0 ? Clamp(static_cast<int>(std::lround(xb[16 * j + l] / s)), -32, 31) : 0);
      }
    }
    for (int h = 0; h < 2; ++h) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = q[128 * h + l] + 32, q2 = q[128 * h + l + 32] + 32;
        const int q3 = q[128 * h + l + 64] + 32, q4 = q[128 * h + l + 96] + 32;
        b[i].ql[64 * h + l] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
        b[i].ql[64 * h + l + 32] = static_cast<uint8_t>((q2 & 0xF) | ((q4 & 0xF) << 4));
        b[i].qh[32 * h + l] =
            static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
      }
    }
  }
}

using QuantizeFn = void (*)(const float*, void*, int64_t);

QuantizeFn WeightQuantizer(TensorType type) {
  switch (type) {
    case TensorType::kQ4_K: return QuantizeQ4_K;
    case TensorType::kQ5_K: return QuantizeQ5_K;
    case TensorType::kQ6_K: return QuantizeQ6_K;
    case TensorType::kF32:
    case TensorType::kF16:
    case TensorType::kBF16:
    case TensorType::kQ8_0:
    case TensorType::kQ4_0:
      return kernels::ForIsa(kernels::Isa::kScalar).types[static_cast<int>(type)].from_float;
    default: return nullptr;
  }
}

}  // namespace

bool IsQuantizable(TensorType type) { return WeightQuantizer(type) != nullptr; }

bool IsComputableType(TensorType type) { return kernels::IsComputable(type); }

Result<std::string> QuantizeRows(TensorType type, std::span<const float> src, int64_t n_per_row) {
  QuantizeFn fn = WeightQuantizer(type);
  if (fn == nullptr) {
    return Status::Unsupported("no quantizer for tensor type " + std::string(TensorTypeName(type)));
  }
  auto row_bytes = TensorRowBytes(type, static_cast<uint64_t>(n_per_row));
  if (n_per_row <= 0 || !row_bytes || src.size() % static_cast<size_t>(n_per_row) != 0) {
    return Status::InvalidArgument("row length " + std::to_string(n_per_row) +
                                   " is not a multiple of the block size of " +
                                   std::string(TensorTypeName(type)) + " or does not divide " +
                                   std::to_string(src.size()) + " values");
  }
  const int64_t n_rows = static_cast<int64_t>(src.size()) / n_per_row;
  std::string out(static_cast<size_t>(*row_bytes * n_rows), '\0');
  for (int64_t r = 0; r < n_rows; ++r) {
    fn(src.data() + r * n_per_row, out.data() + r * *row_bytes, n_per_row);
  }
  return out;
}

Status DequantizeRow(TensorType type, const void* src, float* dst, int64_t n) {
  int id = static_cast<int>(type);
  if (!kernels::IsComputable(type) && type != TensorType::kQ8_K) {
    return Status::Unsupported("cannot dequantize tensor type " + std::string(TensorTypeName(type)));
  }
  if (!TensorRowBytes(type, static_cast<uint64_t>(n))) {
    return Status::InvalidArgument("row length " + std::to_string(n) +
                                   " is not a multiple of the block size");
  }
  kernels::Active().types[id].to_float(src, dst, n);
  return Status::Ok();
}

}  // namespace archivist::engine
