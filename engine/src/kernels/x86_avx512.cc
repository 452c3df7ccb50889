// AVX-512 (F, BW, VL, VNNI) kernels: the shared x86 kernels rebuilt with vpdpbusd, plus 512-bit
// float dot products.
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "kernels/blocks.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine::kernels {
#if defined(__x86_64__)
namespace {
#include "kernels/x86_kernels.inc"

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

// Dots of up to 8 rows with one shared row; the 8 horizontal sums are done together by a
// transposing add tree instead of 8 separate reductions.
void DotF32ManyAvx512(int64_t n, const float* const* a, int na, const float* b, float* out) {
  if (n % 16 != 0 || na > 8) {
    for (int i = 0; i < na; ++i) out[i] = DotF32Avx512(n, a[i], b);
    return;
  }
  __m512 acc[8];
  for (int i = 0; i < 8; ++i) acc[i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < n; k += 16) {
    const __m512 bv = _mm512_loadu_ps(b + k);
    for (int i = 0; i < na; ++i) acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(a[i] + k), bv, acc[i]);
  }
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

void AxpyF32Avx512(int64_t n, float a, const float* x, float* y) {
  const __m512 va = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * x[i];
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

// Two Q8_0 blocks per iteration in one 512-bit vpdpbusd.
float Q8_0DotAvx512(int64_t n, const void* w, const void* x) {
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(w);
  const BlockQ8_0* b = static_cast<const BlockQ8_0*>(x);
  const int64_t nb = n / kQK8_0;
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    const __m512i qa = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i + 1].qs)), 1);
    const __m512i qb = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i + 1].qs)), 1);
    const __m512i ua = _mm512_abs_epi8(qa);
    // sign(b, a): negate b where a < 0 (a == 0 gives a zero |a| anyway).
    const __mmask64 neg = _mm512_movepi8_mask(qa);
    const __m512i sb = _mm512_mask_sub_epi8(qb, neg, _mm512_setzero_si512(), qb);
    const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ua, sb);
    const __m512 d = _mm512_insertf32x8(
        _mm512_set1_ps(H2F(a[i].d) * H2F(b[i].d)),
        _mm256_set1_ps(H2F(a[i + 1].d) * H2F(b[i + 1].d)), 1);
    acc = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(p), acc);
  }
  float s = _mm512_reduce_add_ps(acc);
  if (i < nb) s += Q8_0DotX86((nb - i) * kQK8_0, a + i, b + i);
  return s;
}


// ---- K-quants with 512-bit registers: two 32-value sub-blocks per instruction. ----

// Q4_K/Q5_K: values 64c .. 64c+63 are sub-blocks 2c (low nibbles) and 2c+1 (high nibbles), and
// the Q8_K activations hold them contiguously, so one 512-bit maddubs covers both.
template <bool kFiveBit, int NX>
void Q45_KDotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const __m512i m4 = _mm512_set1_epi8(0xF);
  const __m512i one = _mm512_set1_epi8(1);
  // Upper 256 bits are shifted by 4 (high nibbles), lower by 0.
  const __m512i nib_shift = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(4), 1);
  const __m512i hi_half = _mm512_srli_epi16(nib_shift, 2);  // 0 in the low half, 1 in the high
  __m512i scale_idx[4];
  for (int c = 0; c < 4; ++c) {
    scale_idx[c] = _mm512_add_epi16(hi_half, _mm512_set1_epi16(static_cast<short>(2 * c)));
  }
  __m512 acc[NX];
  __m128 acc_m[NX];
  for (int r = 0; r < NX; ++r) {
    acc[r] = _mm512_setzero_ps();
    acc_m[r] = _mm_setzero_ps();
  }
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t *scales, *qs, *qh = nullptr;
    uint16_t d16, dmin16;
    if constexpr (kFiveBit) {
      const BlockQ5_K& a = static_cast<const BlockQ5_K*>(w)[i];
      scales = a.scales;
      qs = a.qs;
      qh = a.qh;
      d16 = a.d;
      dmin16 = a.dmin;
    } else {
      const BlockQ4_K& a = static_cast<const BlockQ4_K*>(w)[i];
      scales = a.scales;
      qs = a.qs;
      d16 = a.d;
      dmin16 = a.dmin;
    }
    const __m128i sm = DecodeScalesK4(scales);
    const __m128i mins16 = _mm_cvtepu8_epi16(_mm_srli_si128(sm, 8));
    // Scales as int16 lanes, spread to [sc(2c) x 16, sc(2c+1) x 16] by one permute per pair.
    const __m512i sc512 = _mm512_cvtepu8_epi16(_mm256_zextsi128_si256(sm));
    __m512i q[4], scv[4];
    __m512i hbits = _mm512_setzero_si512();
    if constexpr (kFiveBit) {
      hbits = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)));
    }
    for (int c = 0; c < 4; ++c) {
      const __m512i raw =
          _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c)));
      q[c] = _mm512_and_si512(_mm512_srlv_epi16(raw, nib_shift), m4);
      if constexpr (kFiveBit) {
        // Bit 2c of qh for the low half, bit 2c + 1 for the high half.
        const __m512i hs = _mm512_add_epi16(_mm512_srli_epi16(nib_shift, 2),
                                            _mm512_set1_epi16(static_cast<short>(2 * c)));
        const __m512i hshift = _mm512_srlv_epi16(hbits, hs);  // by 2c (low) or 2c + 1 (high)
        q[c] = _mm512_or_si512(q[c], _mm512_slli_epi16(_mm512_and_si512(hshift, one), 4));
      }
      scv[c] = _mm512_permutexvar_epi16(scale_idx[c], sc512);
    }
    const float d = H2F(d16), dmin = H2F(dmin16);
    for (int r = 0; r < NX; ++r) {
      const BlockQ8_K& b =
          reinterpret_cast<const BlockQ8_K*>(static_cast<const uint8_t*>(x) + r * stride)[i];
      __m512i sumi = _mm512_setzero_si512();
      for (int c = 0; c < 4; ++c) {
        const __m512i y = _mm512_loadu_si512(b.qs + 64 * c);
        sumi = _mm512_add_epi32(sumi, _mm512_madd_epi16(_mm512_maddubs_epi16(q[c], y), scv[c]));
      }
      acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(d * b.d), _mm512_cvtepi32_ps(sumi), acc[r]);
      const __m128i bs_lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.bsums));
      const __m128i bs_hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.bsums + 8));
      const __m128i prod = _mm_madd_epi16(mins16, _mm_hadd_epi16(bs_lo, bs_hi));
      acc_m[r] = _mm_fmadd_ps(_mm_set1_ps(dmin * b.d), _mm_cvtepi32_ps(prod), acc_m[r]);
    }
  }
  for (int r = 0; r < NX; ++r) {
    __m128 m = acc_m[r];
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    out[r] = _mm512_reduce_add_ps(acc[r]) - _mm_cvtss_f32(m);
  }
}

// Q6_K: chunk pairs (64 values) per instruction; the four 16-value scales of a pair are spread
// over the int16 lanes with a permute.
template <int NX>
void Q6_KDotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const BlockQ6_K* a = static_cast<const BlockQ6_K*>(w);
  const __m512i m4 = _mm512_set1_epi8(0xF);
  const __m512i m2 = _mm512_set1_epi8(3);
  // Per 32 int16 lanes of a pair p: scale index 4p + lane / 8.
  alignas(64) int16_t idx_base[32];
  for (int l = 0; l < 32; ++l) idx_base[l] = static_cast<int16_t>(l / 8);
  const __m512i idx0 = _mm512_load_si512(idx_base);
  __m512 acc[NX];
  for (int r = 0; r < NX; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const int8_t* sc = a[i].scales;
    __m512i q[4];
    for (int h = 0; h < 2; ++h) {
      // Chunks 4h .. 4h+3 as pairs (4h, 4h+1) and (4h+2, 4h+3); chunk k of half h: ql bytes
      // [64h + 32(k&1)), high bits of qh >> 2k.
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].ql + 64 * h));
      const __m256i l1 =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].ql + 64 * h + 32));
      const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].qh + 32 * h));
      const __m512i ql01 = _mm512_inserti64x4(_mm512_castsi256_si512(l0), l1, 1);
      const __m512i hb2 = _mm512_broadcast_i64x4(hb);
      // Pair 0: chunk 0 (l0 & 0xF, qh bits 0-1), chunk 1 (l1 & 0xF, qh bits 2-3).
      const __m512i sh01 = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
      const __m512i h01 = _mm512_and_si512(_mm512_srlv_epi16(hb2, sh01), m2);
      q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql01, m4), _mm512_slli_epi16(h01, 4));
      // Pair 1: chunk 2 (l0 >> 4, qh bits 4-5), chunk 3 (l1 >> 4, qh bits 6-7).
      const __m512i sh23 = _mm512_add_epi16(sh01, _mm512_set1_epi16(4));
      const __m512i h23 = _mm512_and_si512(_mm512_srlv_epi16(hb2, sh23), m2);
      q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql01, 4), m4),
                                     _mm512_slli_epi16(h23, 4));
    }
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
    const __m512i sc512 = _mm512_castsi256_si512(sc16);
    __m512i scv[4];
    for (int p = 0; p < 4; ++p) {
      scv[p] = _mm512_permutexvar_epi16(_mm512_add_epi16(idx0, _mm512_set1_epi16(4 * p)), sc512);
    }
    const float d = H2F(a[i].d);
    for (int r = 0; r < NX; ++r) {
      const BlockQ8_K& b =
          reinterpret_cast<const BlockQ8_K*>(static_cast<const uint8_t*>(x) + r * stride)[i];
      __m512i sumi = _mm512_setzero_si512();
      for (int p = 0; p < 4; ++p) {
        const __m512i y = _mm512_loadu_si512(b.qs + 64 * p);
        sumi = _mm512_add_epi32(sumi, _mm512_madd_epi16(_mm512_maddubs_epi16(q[p], y), scv[p]));
      }
      const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.bsums));
      const __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5);
      sumi = _mm512_sub_epi32(sumi, _mm512_zextsi256_si512(corr));
      acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(d * b.d), _mm512_cvtepi32_ps(sumi), acc[r]);
    }
  }
  for (int r = 0; r < NX; ++r) out[r] = _mm512_reduce_add_ps(acc[r]);
}

template <bool kFiveBit>
float Q45_KDotAvx512(int64_t n, const void* w, const void* x) {
  float r;
  Q45_KDotNAvx512<kFiveBit, 1>(n, w, x, 0, &r);
  return r;
}

template <bool kFiveBit>
void Q45_KDotManyAvx512(int64_t n, const void* w, const void* x, uint64_t stride, int nx,
                        float* out) {
  // 32 vector registers hold the unpacked block, its scales and 8 accumulators.
  for (; nx >= 8; nx -= 8, x = static_cast<const uint8_t*>(x) + 8 * stride, out += 8) {
    Q45_KDotNAvx512<kFiveBit, 8>(n, w, x, stride, out);
  }
  for (; nx >= 4; nx -= 4, x = static_cast<const uint8_t*>(x) + 4 * stride, out += 4) {
    Q45_KDotNAvx512<kFiveBit, 4>(n, w, x, stride, out);
  }
  switch (nx) {
    case 3: Q45_KDotNAvx512<kFiveBit, 3>(n, w, x, stride, out); break;
    case 2: Q45_KDotNAvx512<kFiveBit, 2>(n, w, x, stride, out); break;
    case 1: Q45_KDotNAvx512<kFiveBit, 1>(n, w, x, stride, out); break;
    default: break;
  }
}

float Q6_KDotAvx512(int64_t n, const void* w, const void* x) {
  float r;
  Q6_KDotNAvx512<1>(n, w, x, 0, &r);
  return r;
}

void Q6_KDotManyAvx512(int64_t n, const void* w, const void* x, uint64_t stride, int nx,
                       float* out) {
  for (; nx >= 8; nx -= 8, x = static_cast<const uint8_t*>(x) + 8 * stride, out += 8) {
    Q6_KDotNAvx512<8>(n, w, x, stride, out);
  }
  for (; nx >= 4; nx -= 4, x = static_cast<const uint8_t*>(x) + 4 * stride, out += 4) {
    Q6_KDotNAvx512<4>(n, w, x, stride, out);
  }
  switch (nx) {
    case 3: Q6_KDotNAvx512<3>(n, w, x, stride, out); break;
    case 2: Q6_KDotNAvx512<2>(n, w, x, stride, out); break;
    case 1: Q6_KDotNAvx512<1>(n, w, x, stride, out); break;
    default: break;
  }
}

// F16 weights against F32 activation rows (already F16-rounded): each 32-value weight chunk is
// converted once and used for every row.
template <int NX>
void F16F32DotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  __m512 acc0[NX], acc1[NX];
  for (int r = 0; r < NX; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 w0 = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
    const __m512 w1 =
        _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 16)));
    for (int r = 0; r < NX; ++r) {
      const float* b = reinterpret_cast<const float*>(static_cast<const uint8_t*>(x) + r * stride);
      acc0[r] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(b + i), acc0[r]);
      acc1[r] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(b + i + 16), acc1[r]);
    }
  }
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

// Q8_0 weights against several activation rows: each pair of weight blocks is loaded, made
// unsigned and its scales decoded once. Per row the arithmetic is that of Q8_0DotAvx512.
template <int NX>
void Q8_0DotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(w);
  const int64_t nb = n / kQK8_0;
  __m512 acc[NX];
  for (int r = 0; r < NX; ++r) acc[r] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    const __m512i qa = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i + 1].qs)), 1);
    const __m512i ua = _mm512_abs_epi8(qa);
    const __mmask64 neg = _mm512_movepi8_mask(qa);
    const float da0 = H2F(a[i].d), da1 = H2F(a[i + 1].d);
    for (int r = 0; r < NX; ++r) {
      const BlockQ8_0* b =
          reinterpret_cast<const BlockQ8_0*>(static_cast<const uint8_t*>(x) + r * stride);
      const __m512i qb = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs))),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i + 1].qs)), 1);
      const __m512i sb = _mm512_mask_sub_epi8(qb, neg, _mm512_setzero_si512(), qb);
      const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ua, sb);
      const __m512 d = _mm512_insertf32x8(_mm512_set1_ps(da0 * H2F(b[i].d)),
                                          _mm256_set1_ps(da1 * H2F(b[i + 1].d)), 1);
      acc[r] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(p), acc[r]);
    }
  }
  for (int r = 0; r < NX; ++r) {
    const BlockQ8_0* b =
        reinterpret_cast<const BlockQ8_0*>(static_cast<const uint8_t*>(x) + r * stride);
    float s = _mm512_reduce_add_ps(acc[r]);
    if (i < nb) s += Q8_0DotX86((nb - i) * kQK8_0, a + i, b + i);
    out[r] = s;
  }
}

void Q8_0DotManyAvx512(int64_t n, const void* w, const void* x, uint64_t stride, int nx,
                       float* out) {
  for (; nx >= 8; nx -= 8, x = static_cast<const uint8_t*>(x) + 8 * stride, out += 8) {
    Q8_0DotNAvx512<8>(n, w, x, stride, out);
  }
  for (; nx >= 4; nx -= 4, x = static_cast<const uint8_t*>(x) + 4 * stride, out += 4) {
    Q8_0DotNAvx512<4>(n, w, x, stride, out);
  }
  for (; nx >= 1; nx -= 1, x = static_cast<const uint8_t*>(x) + stride, out += 1) {
    Q8_0DotNAvx512<1>(n, w, x, stride, out);
  }
}

}  // namespace

void FillAvx512(KernelTable* t) {
  FillX86Common(t);
  auto& k = t->types;
  k[static_cast<int>(TensorType::kF32)].vec_dot = F32DotAvx512;
  k[static_cast<int>(TensorType::kF16)].vec_dot = F16DotAvx512;
  k[static_cast<int>(TensorType::kQ8_0)].vec_dot = Q8_0DotAvx512;
  k[static_cast<int>(TensorType::kQ8_0)].vec_dot_many = Q8_0DotManyAvx512;
  k[static_cast<int>(TensorType::kQ4_K)].vec_dot = Q45_KDotAvx512<false>;
  k[static_cast<int>(TensorType::kQ4_K)].vec_dot_many = Q45_KDotManyAvx512<false>;
  k[static_cast<int>(TensorType::kQ5_K)].vec_dot = Q45_KDotAvx512<true>;
  k[static_cast<int>(TensorType::kQ5_K)].vec_dot_many = Q45_KDotManyAvx512<true>;
  k[static_cast<int>(TensorType::kQ6_K)].vec_dot = Q6_KDotAvx512;
  k[static_cast<int>(TensorType::kQ6_K)].vec_dot_many = Q6_KDotManyAvx512;
  t->dot_f32 = DotF32Avx512;
  t->dot_f32_many = DotF32ManyAvx512;
  t->dot_f16_f32 = F16F32DotAvx512;
  t->dot_f16_f32_many = F16F32DotManyAvx512;
  t->axpy_f32 = AxpyF32Avx512;
  t->axpy_f16 = AxpyF16Avx512;
  t->dot_f32_f16 = DotF32F16Avx512;
}

#else
void FillAvx512(KernelTable*) {}
#endif
}  // namespace archivist::engine::kernels
