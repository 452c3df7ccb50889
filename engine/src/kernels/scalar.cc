// Scalar reference kernels. They define the numerics every SIMD kernel is tested against and follow
// the reference implementation's conventions (section 7.4 of the oracle README).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/blocks.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine::kernels {
namespace {

// Round half to even for |v| < 2^22 (the reference's nearest_int trick).
inline int NearestInt(float v) {
  float val = v + 12582912.f;
  int i;
  std::memcpy(&i, &val, 4);
  return (i & 0x007fffff) - 0x00400000;
}

// ---- F32 / F16 / BF16 -------------------------------------------------------------------------

void F32ToFloat(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, n * sizeof(float));
}
void F32FromFloat(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, n * sizeof(float));
}
float F32Dot(int64_t n, const void* w, const void* x) {
  const float* a = static_cast<const float*>(w);
  const float* b = static_cast<const float*>(x);
  double s = 0;  // the scalar reference is deliberately exact-ish
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(s);
}

void F16ToFloat(const void* src, float* dst, int64_t n) {
  const uint16_t* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = Fp16ToFp32(h[i]);
}
void F16FromFloat(const float* src, void* dst, int64_t n) {
  uint16_t* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = Fp32ToFp16(src[i]);
}
float F16Dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const uint16_t* b = static_cast<const uint16_t*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(Fp16ToFp32(a[i])) * Fp16ToFp32(b[i]);
  return static_cast<float>(s);
}

void Bf16ToFloat(const void* src, float* dst, int64_t n) {
  const uint16_t* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToFp32(h[i]);
}
void Bf16FromFloat(const float* src, void* dst, int64_t n) {
  uint16_t* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = Fp32ToBf16(src[i]);
}
float Bf16Dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const uint16_t* b = static_cast<const uint16_t*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(Bf16ToFp32(a[i])) * Bf16ToFp32(b[i]);
  return static_cast<float>(s);
}

// ---- Q8_0 / Q4_0 ------------------------------------------------------------------------------

void Q8_0ToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    for (int j = 0; j < kQK8_0; ++j) dst[i * kQK8_0 + j] = d * b[i].qs[j];
  }
}

// d = max|x| / 127 stored as fp16; q = round_half_even(x * 127 / max|x|).
void Q8_0FromFloat(const float* src, void* dst, int64_t n) {
  BlockQ8_0* b = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const float* x = src + i * kQK8_0;
    float amax = 0;
    for (int j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.f;
    const float id = amax != 0.f ? 127.f / amax : 0.f;
    b[i].d = Fp32ToFp16(d);
    for (int j = 0; j < kQK8_0; ++j) b[i].qs[j] = static_cast<int8_t>(std::nearbyint(x[j] * id));
  }
}

float Q8_0Dot(int64_t n, const void* w, const void* x) {
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(w);
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK8_0; ++j) sumi += a[i].qs[j] * b[i].qs[j];
    sum += sumi * (Fp16ToFp32(a[i].d) * Fp16ToFp32(b[i].d));
  }
  return sum;
}

void Q4_0ToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ4_0* b = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      dst[i * kQK4_0 + j] = d * ((b[i].qs[j] & 0xF) - 8);
      dst[i * kQK4_0 + j + 16] = d * ((b[i].qs[j] >> 4) - 8);
    }
  }
}

// Weight-side quantizer (used to build test models): d = max / -8 with the signed extreme.
void Q4_0FromFloat(const float* src, void* dst, int64_t n) {
  BlockQ4_0* b = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const float* x = src + i * kQK4_0;
    float amax = 0, max = 0;
    for (int j = 0; j < kQK4_0; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8;
    const float id = d != 0.f ? 1.0f / d : 0.f;
    b[i].d = Fp32ToFp16(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(x[j] * id + 8.5f));
      const int q1 = std::min(15, static_cast<int>(x[j + 16] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

float Q4_0Dot(int64_t n, const void* w, const void* x) {
  const BlockQ4_0* a = static_cast<const BlockQ4_0*>(w);
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(x);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      sumi += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j] + ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
    }
    sum += sumi * (Fp16ToFp32(a[i].d) * Fp16ToFp32(b[i].d));
  }
  return sum;
}

// ---- Q8_K (activations) -----------------------------------------------------------------------

// Per 256 values: iscale = -127 / (signed element of largest magnitude); q = min(127, round(x *
// iscale)); d = 1 / iscale; bsums = sums of 16 consecutive q.
void Q8_KFromFloat(const float* src, void* dst, int64_t n) {
  BlockQ8_K* b = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float* x = src + i * kQK_K;
    float max = 0, amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(x[j]);
      if (ax > amax) {
        amax = ax;
        max = x[j];
      }
    }
    if (amax == 0.f) {
      std::memset(&b[i], 0, sizeof(BlockQ8_K));
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j) {
      b[i].qs[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * x[j])));
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += b[i].qs[j * 16 + l];
      b[i].bsums[j] = static_cast<int16_t>(s);
    }
    b[i].d = 1 / iscale;
  }
}

void Q8_KToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ8_K* b = static_cast<const BlockQ8_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    for (int j = 0; j < kQK_K; ++j) dst[i * kQK_K + j] = b[i].d * b[i].qs[j];
  }
}

// ---- Q4_K / Q5_K / Q6_K -----------------------------------------------------------------------

void Q4_KToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ4_K* b = static_cast<const BlockQ4_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    const float dmin = Fp16ToFp32(b[i].dmin);
    float* y = dst + i * kQK_K;
    for (int c = 0; c < 4; ++c) {
      uint8_t sc, m;
      ScaleMinK4(2 * c, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      ScaleMinK4(2 * c + 1, b[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      const uint8_t* q = b[i].qs + 32 * c;
      for (int l = 0; l < 32; ++l) y[64 * c + l] = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) y[64 * c + 32 + l] = d2 * (q[l] >> 4) - m2;
    }
  }
}

void Q5_KToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ5_K* b = static_cast<const BlockQ5_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    const float dmin = Fp16ToFp32(b[i].dmin);
    float* y = dst + i * kQK_K;
    for (int c = 0; c < 4; ++c) {
      uint8_t sc, m;
      ScaleMinK4(2 * c, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      ScaleMinK4(2 * c + 1, b[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      const uint8_t* q = b[i].qs + 32 * c;
      const uint8_t u1 = 1 << (2 * c), u2 = 2 << (2 * c);
      for (int l = 0; l < 32; ++l) {
        y[64 * c + l] = d1 * ((q[l] & 0xF) + (b[i].qh[l] & u1 ? 16 : 0)) - m1;
      }
      for (int l = 0; l < 32; ++l) {
        y[64 * c + 32 + l] = d2 * ((q[l] >> 4) + (b[i].qh[l] & u2 ? 16 : 0)) - m2;
      }
    }
  }
}

// Unpacks the signed 6-bit values of a Q6_K block into q[256] (value order).
void UnpackQ6_K(const BlockQ6_K& b, int8_t* q) {
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = b.ql + 64 * h;
    const uint8_t* qh = b.qh + 32 * h;
    int8_t* y = q + 128 * h;
    for (int l = 0; l < 32; ++l) {
      y[l] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
      y[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
      y[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
      y[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
    }
  }
}

void Q6_KToFloat(const void* src, float* dst, int64_t n) {
  const BlockQ6_K* b = static_cast<const BlockQ6_K*>(src);
  int8_t q[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    UnpackQ6_K(b[i], q);
    // Scale index: 16 groups of 16 values in value order.
    for (int j = 0; j < kQK_K; ++j) dst[i * kQK_K + j] = d * b[i].scales[j / 16] * q[j];
  }
}

// Unpacks 4/5-bit values of a Q4_K (qh == nullptr) or Q5_K block into q[256] (value order).
void UnpackQ45_K(const uint8_t* qs, const uint8_t* qh, uint8_t* q) {
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) {
      uint8_t lo = qs[32 * c + l] & 0xF, hi = qs[32 * c + l] >> 4;
      if (qh != nullptr) {
        lo += (qh[l] >> (2 * c)) & 1 ? 16 : 0;
        hi += (qh[l] >> (2 * c + 1)) & 1 ? 16 : 0;
      }
      q[64 * c + l] = lo;
      q[64 * c + 32 + l] = hi;
    }
  }
}

template <bool kFiveBit>
float Q45_KDot(int64_t n, const void* w, const void* x) {
  const BlockQ8_K* b = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  uint8_t q[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const K45Fields f = K45BlockFields<kFiveBit>(w, i);
    const uint8_t *scales = f.scales, *qs = f.qs, *qh = f.qh;
    const uint16_t d16 = f.d, dmin16 = f.dmin;
    UnpackQ45_K(qs, qh, q);
    int32_t sumi = 0, summ = 0;
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      ScaleMinK4(j, scales, &sc, &m);
      int32_t s = 0;
      for (int l = 0; l < 32; ++l) s += q[32 * j + l] * b[i].qs[32 * j + l];
      sumi += sc * s;
      summ += m * (b[i].bsums[2 * j] + b[i].bsums[2 * j + 1]);
    }
    sum += Fp16ToFp32(d16) * b[i].d * sumi - Fp16ToFp32(dmin16) * b[i].d * summ;
  }
  return sum;
}

float Q6_KDot(int64_t n, const void* w, const void* x) {
  const BlockQ6_K* a = static_cast<const BlockQ6_K*>(w);
  const BlockQ8_K* b = static_cast<const BlockQ8_K*>(x);
  float sum = 0;
  int8_t q[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    UnpackQ6_K(a[i], q);
    int32_t sumi = 0;
    for (int j = 0; j < 16; ++j) {
      int32_t s = 0;
      for (int l = 0; l < 16; ++l) s += q[16 * j + l] * b[i].qs[16 * j + l];
      sumi += a[i].scales[j] * s;
    }
    sum += Fp16ToFp32(a[i].d) * b[i].d * sumi;
  }
  return sum;
}

float DotF32(int64_t n, const float* a, const float* b) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

void AxpyF32(int64_t n, float a, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float F16F32Dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const float* b = static_cast<const float*>(x);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(Fp16ToFp32(a[i])) * b[i];
  return static_cast<float>(s);
}

void DotF32Many(int64_t n, const float* const* a, int na, const float* b, float* out) {
  for (int i = 0; i < na; ++i) out[i] = DotF32(n, a[i], b);
}

float DotF32F16(int64_t n, const float* a, const uint16_t* b) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * Fp16ToFp32(b[i]);
  return s;
}

void AxpyF16(int64_t n, float a, const uint16_t* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * Fp16ToFp32(x[i]);
}

double ExpShiftedSum(int64_t n, float* x, float shift) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - shift);
    sum += x[i];
  }
  return sum;
}

void DotF16Many(int64_t n, const float* const* q, int nq, const uint16_t* k, float* out) {
  for (int i = 0; i < nq; ++i) out[i] = DotF32F16(n, q[i], k);
}

void DotRowsF16(int64_t n, const float* q, int64_t m, const uint16_t* k, int64_t k_stride,
                float* out) {
  for (int64_t r = 0; r < m; ++r) out[r] = DotF32F16(n, q, k + r * k_stride);
}

void AxpyRowsF16(int64_t n, const float* a, int64_t m, const uint16_t* x, int64_t x_stride,
                 float* y) {
  for (int64_t r = 0; r < m; ++r) AxpyF16(n, a[r], x + r * x_stride, y);
}

}  // namespace

void FillScalar(KernelTable* t) {
  auto set = [t](TensorType type, ToFloatFn to, FromFloatFn from, VecDotFn dot, TensorType vdt) {
    t->types[static_cast<int>(type)] = {to, from, dot, nullptr, vdt};
  };
  // vec_dot_many stays null in the scalar table: callers loop over vec_dot.
  set(TensorType::kF32, F32ToFloat, F32FromFloat, F32Dot, TensorType::kF32);
  set(TensorType::kF16, F16ToFloat, F16FromFloat, F16Dot, TensorType::kF16);
  set(TensorType::kBF16, Bf16ToFloat, Bf16FromFloat, Bf16Dot, TensorType::kBF16);
  set(TensorType::kQ8_0, Q8_0ToFloat, Q8_0FromFloat, Q8_0Dot, TensorType::kQ8_0);
  set(TensorType::kQ4_0, Q4_0ToFloat, Q4_0FromFloat, Q4_0Dot, TensorType::kQ8_0);
  set(TensorType::kQ8_K, Q8_KToFloat, Q8_KFromFloat, nullptr, TensorType::kQ8_K);
  set(TensorType::kQ4_K, Q4_KToFloat, nullptr, Q45_KDot<false>, TensorType::kQ8_K);
  set(TensorType::kQ5_K, Q5_KToFloat, nullptr, Q45_KDot<true>, TensorType::kQ8_K);
  set(TensorType::kQ6_K, Q6_KToFloat, nullptr, Q6_KDot, TensorType::kQ8_K);
  t->dot_f32 = DotF32;
  t->axpy_f32 = AxpyF32;
  t->dot_f32_f16 = DotF32F16;
  t->dot_f32_many = DotF32Many;
  t->dot_f16_f32 = F16F32Dot;
  t->axpy_f16 = AxpyF16;
  t->dot_f16_many = DotF16Many;
  t->dot_rows_f16 = DotRowsF16;
  t->axpy_rows_f16 = AxpyRowsF16;
  t->exp_shifted_sum = ExpShiftedSum;
}

}  // namespace archivist::engine::kernels
