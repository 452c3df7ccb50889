// AVX-512 float kernels: F32 and F16 dot products (the F16 ones against F32 activations that were
// rounded to F16 once per row) and the attention helpers.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine::kernels {
#if defined(__x86_64__)
namespace {

inline float H2F(uint16_t h) { return _cvtsh_ss(h); }
float DotF32Avx512(int64_t n, const float* a, const float* b) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
  }
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
  }
  float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// The horizontal sums of up to 8 accumulators by one transposing add tree instead of 8 separate
// reductions (lanes of unused accumulators are ignored).
inline void ReduceMany(const __m512* acc, int na, float* out) {
  // 512 -> 256: add the halves of each accumulator.
  __m256 h[8];
  for (int i = 0; i < 8; ++i) {
    h[i] = _mm256_add_ps(_mm512_castps512_ps256(acc[i]),
                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[i]), 1)));
  }
  // hadd tree: after three rounds lane j of each 128-bit half holds partial sums of row j.
  const __m256 s01 = _mm256_hadd_ps(h[0], h[1]), s23 = _mm256_hadd_ps(h[2], h[3]);
  const __m256 s45 = _mm256_hadd_ps(h[4], h[5]), s67 = _mm256_hadd_ps(h[6], h[7]);
  const __m256 s0123 = _mm256_hadd_ps(s01, s23), s4567 = _mm256_hadd_ps(s45, s67);
  // s0123 = [r0 r1 r2 r3 | r0 r1 r2 r3] partials of the low / high 128-bit lanes.
  const __m256 lo = _mm256_permute2f128_ps(s0123, s4567, 0x20);
  const __m256 hi = _mm256_permute2f128_ps(s0123, s4567, 0x31);
  alignas(32) float r[8];
  _mm256_store_ps(r, _mm256_add_ps(lo, hi));
  for (int i = 0; i < na; ++i) out[i] = r[i];
}

// The reduction of one DotManyAvx512 accumulator, in the same order as its add tree.
inline float ReduceLikeMany(__m512 acc) {
  const __m256 upper = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1));
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(acc), upper);
  const __m256 t = _mm256_hadd_ps(h, h);
  const __m256 t2 = _mm256_hadd_ps(t, t);
  return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1)));
}

inline __m512 LoadHalf16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

float DotF32F16Avx512(int64_t n, const float* a, const uint16_t* b) {
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc = _mm512_fmadd_ps(
        _mm512_loadu_ps(a + i),
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i))), acc);
  }
  float s = _mm512_reduce_add_ps(acc);
  for (; i < n; ++i) s += a[i] * H2F(b[i]);
  return s;
}

inline __m512 Load16(const float* p) { return _mm512_loadu_ps(p); }
inline __m512 Load16(const uint16_t* p) { return LoadHalf16(p); }
inline float DotOne(int64_t n, const float* q, const float* k) { return DotF32Avx512(n, q, k); }
inline float DotOne(int64_t n, const float* q, const uint16_t* k) {
  return DotF32F16Avx512(n, q, k);
}

// Dots of up to 8 query rows with one key row (F32 or F16 cache, converted once per 16 values);
// the horizontal sums are done together (ReduceMany).
template <typename K>
void DotManyAvx512(int64_t n, const float* const* q, int nq, const K* k, float* out) {
  if (n % 16 != 0 || nq > 8) {
    for (int i = 0; i < nq; ++i) out[i] = DotOne(n, q[i], k);
    return;
  }
  __m512 acc[8];
  for (int i = 0; i < 8; ++i) acc[i] = _mm512_setzero_ps();
  for (int64_t c = 0; c < n; c += 16) {
    const __m512 kv = Load16(k + c);
    for (int i = 0; i < nq; ++i) acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(q[i] + c), kv, acc[i]);
  }
  ReduceMany(acc, nq, out);
}

// One query against m key rows, four keys at a time: four independent FMA chains instead of one,
// each in DotManyAvx512's order (so decoding and prompt tiles get the same sums).
template <typename K>
void DotRowsAvx512(int64_t n, const float* q, int64_t m, const K* k, int64_t k_stride,
                   float* out) {
  int64_t r = 0;
  if (n % 16 == 0) {
    for (; r + 4 <= m; r += 4) {
      const K* k0 = k + r * k_stride;
      __m512 acc[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) acc[i] = _mm512_setzero_ps();
      for (int64_t c = 0; c < n; c += 16) {
        const __m512 qv = _mm512_loadu_ps(q + c);
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          acc[i] = _mm512_fmadd_ps(qv, Load16(k0 + i * k_stride + c), acc[i]);
        }
      }
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) out[r + i] = ReduceLikeMany(acc[i]);
    }
  }
  for (; r < m; ++r) DotManyAvx512(n, &q, 1, k + r * k_stride, out + r);
}

void AxpyF32Avx512(int64_t n, float a, const float* x, float* y) {
  const __m512 va = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * x[i];
}

// NV 16-float vectors of y stay in registers across all m rows; each step is the fmadd of
// AxpyF32Avx512, so the result is that of m calls.
template <int NV>
void AxpyRowsNAvx512(const float* a, int64_t m, const float* x, int64_t x_stride, float* y) {
  __m512 acc[NV];
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) acc[v] = _mm512_loadu_ps(y + 16 * v);
  for (int64_t r = 0; r < m; ++r) {
    const __m512 va = _mm512_set1_ps(a[r]);
    const float* xr = x + r * x_stride;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[v] = _mm512_fmadd_ps(va, _mm512_loadu_ps(xr + 16 * v), acc[v]);
  }
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) _mm512_storeu_ps(y + 16 * v, acc[v]);
}

void AxpyRowsF32Avx512(int64_t n, const float* a, int64_t m, const float* x, int64_t x_stride,
                       float* y) {
  switch (n) {
    case 64: AxpyRowsNAvx512<4>(a, m, x, x_stride, y); return;
    case 128: AxpyRowsNAvx512<8>(a, m, x, x_stride, y); return;
    case 256: AxpyRowsNAvx512<16>(a, m, x, x_stride, y); return;
    default:
      for (int64_t r = 0; r < m; ++r) AxpyF32Avx512(n, a[r], x + r * x_stride, y);
  }
}

void AxpyF16Avx512(int64_t n, float a, const uint16_t* x, float* y) {
  const __m512 va = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 xv = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)));
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, xv, _mm512_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * H2F(x[i]);
}

// Columns of y in chunks of 128 (then 16) held in registers across all m rows; each step is
// AxpyF16Avx512's fmadd, so the result is that of m calls.
void AxpyRowsF16Avx512(int64_t n, const float* a, int64_t m, const uint16_t* x, int64_t x_stride,
                       float* y) {
  if (n % 16 != 0) {
    for (int64_t r = 0; r < m; ++r) AxpyF16Avx512(n, a[r], x + r * x_stride, y);
    return;
  }
  int64_t c = 0;
  for (; c + 128 <= n; c += 128) {
    __m512 acc[8];
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v) acc[v] = _mm512_loadu_ps(y + c + 16 * v);
    for (int64_t r = 0; r < m; ++r) {
      const __m512 va = _mm512_set1_ps(a[r]);
      const uint16_t* xr = x + r * x_stride + c;
#pragma GCC unroll 8
      for (int v = 0; v < 8; ++v) acc[v] = _mm512_fmadd_ps(va, LoadHalf16(xr + 16 * v), acc[v]);
    }
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v) _mm512_storeu_ps(y + c + 16 * v, acc[v]);
  }
  for (; c < n; c += 16) {
    __m512 acc = _mm512_loadu_ps(y + c);
    for (int64_t r = 0; r < m; ++r) {
      acc = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), LoadHalf16(x + r * x_stride + c), acc);
    }
    _mm512_storeu_ps(y + c, acc);
  }
}

// exp(x): x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor series to r^7 (truncation below
// 6e-9 relative), times 2^n by vscalefps (which also produces denormals and 0 for very negative
// x). Inputs below -104 give 0, above 88.7 +inf-like overflow is clamped.
inline __m512 Exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-104.0f)), _mm512_set1_ps(88.72f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // ln 2 split in two floats; each fnmadd rounds once.
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693147182464599609375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-1.904654323148236e-09f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

double ExpShiftedSumAvx512(int64_t n, float* x, float shift) {
  const __m512 s = _mm512_set1_ps(shift);
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 e = Exp16(_mm512_sub_ps(_mm512_loadu_ps(x + i), s));
    _mm512_storeu_ps(x + i, e);
    acc = _mm512_add_ps(acc, e);
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 e = Exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), s));
    _mm512_mask_storeu_ps(x + i, m, e);
    acc = _mm512_mask_add_ps(acc, m, acc, e);
  }
  return _mm512_reduce_add_ps(acc);
}

float F32DotAvx512(int64_t n, const void* w, const void* x) {
  return DotF32Avx512(n, static_cast<const float*>(w), static_cast<const float*>(x));
}

float F16DotAvx512(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const uint16_t* b = static_cast<const uint16_t*>(x);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_fmadd_ps(
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i))),
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i))), acc0);
    acc1 = _mm512_fmadd_ps(
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 16))),
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 16))), acc1);
  }
  float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  for (; i < n; ++i) s += H2F(a[i]) * H2F(b[i]);
  return s;
}

// F16 weights against F32 activation rows (already F16-rounded): each 32-value weight chunk is
// converted once and used for every row.
template <int NX>
void F16F32DotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  __m512 acc0[NX], acc1[NX];
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 w0 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
    const __m512 w1 =
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 16)));
    #pragma GCC unroll 8
    for (int r = 0; r < NX; ++r) {
      const float* b = reinterpret_cast<const float*>(static_cast<const uint8_t*>(x) + r * stride);
      acc0[r] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(b + i), acc0[r]);
      acc1[r] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(b + i + 16), acc1[r]);
    }
  }
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) {
    const float* b = reinterpret_cast<const float*>(static_cast<const uint8_t*>(x) + r * stride);
    float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0[r], acc1[r]));
    for (int64_t k = i; k < n; ++k) s += H2F(a[k]) * b[k];
    out[r] = s;
  }
}

float F16F32DotAvx512(int64_t n, const void* w, const void* x) {
  float r;
  F16F32DotNAvx512<1>(n, w, x, 0, &r);
  return r;
}

void F16F32DotManyAvx512(int64_t n, const void* w, const void* x, uint64_t stride, int nx,
                         float* out) {
  for (; nx >= 8; nx -= 8, x = static_cast<const uint8_t*>(x) + 8 * stride, out += 8) {
    F16F32DotNAvx512<8>(n, w, x, stride, out);
  }
  for (; nx >= 1; nx -= 1, x = static_cast<const uint8_t*>(x) + stride, out += 1) {
    F16F32DotNAvx512<1>(n, w, x, stride, out);
  }
}

}  // namespace

void FillAvx512Float(KernelTable* t) {
  auto& k = t->types;
  k[static_cast<int>(TensorType::kF32)].vec_dot = F32DotAvx512;
  k[static_cast<int>(TensorType::kF16)].vec_dot = F16DotAvx512;
  t->dot_f32 = DotF32Avx512;
  t->dot_f32_many = DotManyAvx512<float>;
  t->dot_f16_f32 = F16F32DotAvx512;
  t->dot_f16_f32_many = F16F32DotManyAvx512;
  t->axpy_f32 = AxpyF32Avx512;
  t->axpy_rows_f32 = AxpyRowsF32Avx512;
  t->dot_rows_f32 = DotRowsAvx512<float>;
  t->axpy_f16 = AxpyF16Avx512;
  t->dot_f32_f16 = DotF32F16Avx512;
  t->dot_f16_many = DotManyAvx512<uint16_t>;
  t->dot_rows_f16 = DotRowsAvx512<uint16_t>;
  t->axpy_rows_f16 = AxpyRowsF16Avx512;
  t->exp_shifted_sum = ExpShiftedSumAvx512;
}

#else
void FillAvx512Float(KernelTable*) {}
#endif
}  // namespace archivist::engine::kernels
