// AVX-512 (F, BW, VL, VNNI) kernels: the shared x86 kernels rebuilt with vpdpbusd, plus 512-bit
// Q8_0 and K-quant kernels (float kernels: x86_avx512_float.cc).
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

#define ARCHIVIST_INLINE inline __attribute__((always_inline))

// d(a0) * d(b0) in the low 256 bits and d(a1) * d(b1) in the high: the four fp16 scales of two
// weight and two activation blocks in one F16C conversion instead of four scalar ones (the same
// products, so the same result).
ARCHIVIST_INLINE __m512 Q8_0PairScales(const BlockQ8_0* a, const BlockQ8_0* b) {
  const uint64_t h = uint64_t{a[0].d} | uint64_t{a[1].d} << 16 | uint64_t{b[0].d} << 32 |
                     uint64_t{b[1].d} << 48;
  const __m128 f = _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(h)));
  const __m128 prod = _mm_mul_ps(f, _mm_movehl_ps(f, f));
  const __m512i spread = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi32(1), 1);
  return _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(prod));
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
    acc = _mm512_fmadd_ps(Q8_0PairScales(a + i, b + i), _mm512_cvtepi32_ps(p), acc);
  }
  float s = _mm512_reduce_add_ps(acc);
  if (i < nb) s += Q8_0DotX86((nb - i) * kQK8_0, a + i, b + i);
  return s;
}


// ---- K-quants with 512-bit registers: two 32-value sub-blocks per instruction. ----
//
// Each kernel is split into "unpack one weight block" and "multiply it with one Q8_K activation
// block". The unroll pragmas matter: without them GCC keeps the unpacked block and the
// accumulators in memory.

// DecodeScalesK4 in vector registers (bytes 0..7 sc[0..7], 8..15 m[0..7]); the scalar version
// spilled its four words to the stack and reloaded them in every block. Reads 16 bytes from
// `scales` (12 are the field; the block's quants follow, so the read stays inside the block).
ARCHIVIST_INLINE __m128i DecodeScalesK4Simd(const uint8_t* scales) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(scales));
  // Byte k's low part: q[k] & 63 (sc 0-3), q[k+4] & 15 (sc 4-7), q[k-4] & 63 (m 0-3),
  // q[k-4] >> 4 (m 4-7); its bits 4-5 for k >= 4 of each half: q[k-4] >> 6 resp. q[k-8] >> 6.
  const __m128i lo_src = _mm_shuffle_epi8(q, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7,
                                                           8, 9, 10, 11));
  const __m128i hi_src = _mm_shuffle_epi8(q, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1,
                                                           -1, 4, 5, 6, 7));
  const __m128i lo_shifted = _mm_mask_blend_epi8(0xF000, lo_src, _mm_srli_epi16(lo_src, 4));
  const __m128i lo = _mm_and_si128(lo_shifted, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63,
                                                              63, 63, 15, 15, 15, 15));
  // A 16-bit shift pulls the neighbour byte's bits into bits 6-7 only; the 0x30 mask drops them.
  const __m128i hi = _mm_and_si128(_mm_srli_epi16(hi_src, 2), _mm_set1_epi8(0x30));
  return _mm_or_si128(lo, hi);
}

// Q4_K/Q5_K: values 64c .. 64c+63 are sub-blocks 2c (low nibbles) and 2c+1 (high nibbles), and
// the Q8_K activations hold them contiguously, so one 512-bit maddubs covers both.
struct Q45KBlock {
  __m512i q[4], scv[4];
  __m128i mins16;
  float d, dmin;
};

template <bool kFiveBit>
ARCHIVIST_INLINE void UnpackQ45K(const void* w, int64_t i, Q45KBlock* u) {
  const __m512i m4 = _mm512_set1_epi8(0xF);
  const __m512i one = _mm512_set1_epi8(1);
  // Upper 256 bits are shifted by 4 (high nibbles), lower by 0.
  const __m512i nib_shift = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(4), 1);
  const __m512i hi_half = _mm512_srli_epi16(nib_shift, 2);  // 0 in the low half, 1 in the high
  const K45Fields f = K45BlockFields<kFiveBit>(w, i);
  const uint8_t *qs = f.qs, *qh = f.qh;
  const __m128i sm = DecodeScalesK4Simd(f.scales);
  u->mins16 = _mm_cvtepu8_epi16(_mm_srli_si128(sm, 8));
  // Scales as int16 lanes, spread to [sc(2c) x 16, sc(2c+1) x 16] by one permute per pair.
  const __m512i sc512 = _mm512_cvtepu8_epi16(_mm256_zextsi128_si256(sm));
  __m512i hbits = _mm512_setzero_si512();
  if constexpr (kFiveBit) {
    hbits = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)));
  }
  #pragma GCC unroll 8
  for (int c = 0; c < 4; ++c) {
    const __m512i raw =
        _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c)));
    u->q[c] = _mm512_and_si512(_mm512_srlv_epi16(raw, nib_shift), m4);
    if constexpr (kFiveBit) {
      // Bit 2c of qh for the low half, bit 2c + 1 for the high half.
      const __m512i hs = _mm512_add_epi16(hi_half, _mm512_set1_epi16(static_cast<short>(2 * c)));
      const __m512i hshift = _mm512_srlv_epi16(hbits, hs);  // by 2c (low) or 2c + 1 (high)
      u->q[c] = _mm512_or_si512(u->q[c], _mm512_slli_epi16(_mm512_and_si512(hshift, one), 4));
    }
    const __m512i idx = _mm512_add_epi16(hi_half, _mm512_set1_epi16(static_cast<short>(2 * c)));
    u->scv[c] = _mm512_permutexvar_epi16(idx, sc512);
  }
  // d and dmin in one conversion (the same values as two scalar ones).
  const __m128 dd =
      _mm_cvtph_ps(_mm_cvtsi32_si128(static_cast<int>(f.d | uint32_t{f.dmin} << 16)));
  u->d = _mm_cvtss_f32(dd);
  u->dmin = _mm_cvtss_f32(_mm_movehdup_ps(dd));
}

// The activation block's quants and its pairwise-added 16-value sums, loaded once per block.
struct Q8KBlockRegs {
  __m512i y[4];
  __m128i bsum8;  // sums of the 8 sub-blocks of 32
  float d;
};

ARCHIVIST_INLINE void LoadQ8K(const BlockQ8_K& b, Q8KBlockRegs* r) {
  #pragma GCC unroll 8
  for (int c = 0; c < 4; ++c) r->y[c] = _mm512_loadu_si512(b.qs + 64 * c);
  const __m128i bs_lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.bsums));
  const __m128i bs_hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.bsums + 8));
  r->bsum8 = _mm_hadd_epi16(bs_lo, bs_hi);
  r->d = b.d;
}

ARCHIVIST_INLINE void MulQ45K(const Q45KBlock& u, const Q8KBlockRegs& b, __m512* acc,
                              __m128* acc_m) {
  __m512i sumi = _mm512_setzero_si512();
  #pragma GCC unroll 8
  for (int c = 0; c < 4; ++c) {
    // vpdpwssd = madd + add in one instruction (the same exact int32 sums).
    sumi = _mm512_dpwssd_epi32(sumi, _mm512_maddubs_epi16(u.q[c], b.y[c]), u.scv[c]);
  }
  *acc = _mm512_fmadd_ps(_mm512_set1_ps(u.d * b.d), _mm512_cvtepi32_ps(sumi), *acc);
  const __m128i prod = _mm_madd_epi16(u.mins16, b.bsum8);
  *acc_m = _mm_fmadd_ps(_mm_set1_ps(u.dmin * b.d), _mm_cvtepi32_ps(prod), *acc_m);
}

ARCHIVIST_INLINE float FinishQ45K(__m512 acc, __m128 m) {
  m = _mm_add_ps(m, _mm_movehl_ps(m, m));
  m = _mm_add_ss(m, _mm_movehdup_ps(m));
  return _mm512_reduce_add_ps(acc) - _mm_cvtss_f32(m);
}

const BlockQ8_K& Q8KRow(const void* x, uint64_t stride, int r, int64_t i) {
  return reinterpret_cast<const BlockQ8_K*>(static_cast<const uint8_t*>(x) + r * stride)[i];
}

template <bool kFiveBit, int NX>
void Q45_KDotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  __m512 acc[NX];
  __m128 acc_m[NX];
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) {
    acc[r] = _mm512_setzero_ps();
    acc_m[r] = _mm_setzero_ps();
  }
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    Q45KBlock u;
    UnpackQ45K<kFiveBit>(w, i, &u);
    #pragma GCC unroll 8
    for (int r = 0; r < NX; ++r) {
      Q8KBlockRegs b;
      LoadQ8K(Q8KRow(x, stride, r, i), &b);
      MulQ45K(u, b, &acc[r], &acc_m[r]);
    }
  }
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) out[r] = FinishQ45K(acc[r], acc_m[r]);
}

// Q6_K: chunk pairs (64 values) per instruction; the four 16-value scales of a pair are spread
// over the int16 lanes with a permute.
struct Q6KBlock {
  __m512i q[4], scv[4];
  __m256i sc16;
  float d;
};

ARCHIVIST_INLINE void UnpackQ6K(const BlockQ6_K& a, Q6KBlock* u) {
  const __m512i m4 = _mm512_set1_epi8(0xF);
  const __m512i m2 = _mm512_set1_epi8(3);
  // Per 32 int16 lanes of a pair p: scale index 4p + lane / 8.
  const __m512i idx0 = _mm512_set_epi16(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
                                        1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  #pragma GCC unroll 8
  for (int h = 0; h < 2; ++h) {
    // Chunks 4h .. 4h+3 as pairs (4h, 4h+1) and (4h+2, 4h+3); chunk k of half h: ql bytes
    // [64h + 32(k&1)), high bits of qh >> 2k.
    const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.ql + 64 * h));
    const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.ql + 64 * h + 32));
    const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.qh + 32 * h));
    const __m512i ql01 = _mm512_inserti64x4(_mm512_castsi256_si512(l0), l1, 1);
    const __m512i hb2 = _mm512_broadcast_i64x4(hb);
    // Pair 0: chunk 0 (l0 & 0xF, qh bits 0-1), chunk 1 (l1 & 0xF, qh bits 2-3).
    const __m512i sh01 = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
    const __m512i h01 = _mm512_and_si512(_mm512_srlv_epi16(hb2, sh01), m2);
    u->q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql01, m4), _mm512_slli_epi16(h01, 4));
    // Pair 1: chunk 2 (l0 >> 4, qh bits 4-5), chunk 3 (l1 >> 4, qh bits 6-7).
    const __m512i sh23 = _mm512_add_epi16(sh01, _mm512_set1_epi16(4));
    const __m512i h23 = _mm512_and_si512(_mm512_srlv_epi16(hb2, sh23), m2);
    u->q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql01, 4), m4),
                                      _mm512_slli_epi16(h23, 4));
  }
  u->sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a.scales)));
  const __m512i sc512 = _mm512_castsi256_si512(u->sc16);
  #pragma GCC unroll 8
  for (int p = 0; p < 4; ++p) {
    u->scv[p] = _mm512_permutexvar_epi16(_mm512_add_epi16(idx0, _mm512_set1_epi16(4 * p)), sc512);
  }
  u->d = H2F(a.d);
}

ARCHIVIST_INLINE void MulQ6K(const Q6KBlock& u, const __m512i (&y)[4], __m256i bs, float bd,
                             __m512* acc) {
  __m512i sumi = _mm512_setzero_si512();
  #pragma GCC unroll 8
  for (int p = 0; p < 4; ++p) {
    sumi = _mm512_dpwssd_epi32(sumi, _mm512_maddubs_epi16(u.q[p], y[p]), u.scv[p]);
  }
  const __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(u.sc16, bs), 5);
  sumi = _mm512_sub_epi32(sumi, _mm512_zextsi256_si512(corr));
  *acc = _mm512_fmadd_ps(_mm512_set1_ps(u.d * bd), _mm512_cvtepi32_ps(sumi), *acc);
}

template <int NX>
void Q6_KDotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const BlockQ6_K* a = static_cast<const BlockQ6_K*>(w);
  __m512 acc[NX];
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    Q6KBlock u;
    UnpackQ6K(a[i], &u);
    #pragma GCC unroll 8
    for (int r = 0; r < NX; ++r) {
      const BlockQ8_K& b = Q8KRow(x, stride, r, i);
      __m512i y[4];
      #pragma GCC unroll 8
      for (int p = 0; p < 4; ++p) y[p] = _mm512_loadu_si512(b.qs + 64 * p);
      MulQ6K(u, y, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.bsums)), b.d, &acc[r]);
    }
  }
  #pragma GCC unroll 8
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

// Q8_0 weights against several activation rows: each pair of weight blocks is loaded, made
// unsigned and its scales decoded once. Per row the arithmetic is that of Q8_0DotAvx512.
template <int NX>
void Q8_0DotNAvx512(int64_t n, const void* w, const void* x, uint64_t stride, float* out) {
  const BlockQ8_0* a = static_cast<const BlockQ8_0*>(w);
  const int64_t nb = n / kQK8_0;
  __m512 acc[NX];
  #pragma GCC unroll 8
  for (int r = 0; r < NX; ++r) acc[r] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    const __m512i qa = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].qs))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i + 1].qs)), 1);
    const __m512i ua = _mm512_abs_epi8(qa);
    const __mmask64 neg = _mm512_movepi8_mask(qa);
    #pragma GCC unroll 8
    for (int r = 0; r < NX; ++r) {
      const BlockQ8_0* b =
          reinterpret_cast<const BlockQ8_0*>(static_cast<const uint8_t*>(x) + r * stride);
      const __m512i qb = _mm512_inserti64x4(
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs))),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i + 1].qs)), 1);
      const __m512i sb = _mm512_mask_sub_epi8(qb, neg, _mm512_setzero_si512(), qb);
      const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ua, sb);
      acc[r] = _mm512_fmadd_ps(Q8_0PairScales(a + i, b + i), _mm512_cvtepi32_ps(p), acc[r]);
    }
  }
  #pragma GCC unroll 8
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
  FillAvx512Float(t);
  auto& k = t->types;
  k[static_cast<int>(TensorType::kQ8_0)].vec_dot = Q8_0DotAvx512;
  k[static_cast<int>(TensorType::kQ8_0)].vec_dot_many = Q8_0DotManyAvx512;
  k[static_cast<int>(TensorType::kQ4_K)].vec_dot = Q45_KDotAvx512<false>;
  k[static_cast<int>(TensorType::kQ4_K)].vec_dot_many = Q45_KDotManyAvx512<false>;
  k[static_cast<int>(TensorType::kQ5_K)].vec_dot = Q45_KDotAvx512<true>;
  k[static_cast<int>(TensorType::kQ5_K)].vec_dot_many = Q45_KDotManyAvx512<true>;
  k[static_cast<int>(TensorType::kQ6_K)].vec_dot = Q6_KDotAvx512;
  k[static_cast<int>(TensorType::kQ6_K)].vec_dot_many = Q6_KDotManyAvx512;
}

#else
void FillAvx512(KernelTable*) {}
#endif
}  // namespace archivist::engine::kernels