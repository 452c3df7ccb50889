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

}  // namespace

void FillAvx512(KernelTable* t) {
  FillX86Common(t);
  auto& k = t->types;
  k[static_cast<int>(TensorType::kF32)].vec_dot = F32DotAvx512;
  k[static_cast<int>(TensorType::kF16)].vec_dot = F16DotAvx512;
  k[static_cast<int>(TensorType::kQ8_0)].vec_dot = Q8_0DotAvx512;
  t->dot_f32 = DotF32Avx512;
}

#else
void FillAvx512(KernelTable*) {}
#endif
}  // namespace archivist::engine::kernels
