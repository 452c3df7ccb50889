#pragma once
// Per-tensor-type kernels: dequantize a row, quantize an activation row, dot product.
//
// A table of function pointers per instruction set is filled once at start-up: the scalar reference
// (scalar.cc) first, then the entries the AVX2 / AVX-512 files provide override it. Kernels take
// one row (or one pair of rows) and never spawn threads; callers split work across rows.

#include <cstdint>
#include <string_view>

#include "archivist/engine/tensor_type.h"

namespace archivist::engine::kernels {

// Dequantizes n values (n a multiple of the block size) of a row to floats.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
// Quantizes n floats into blocks of this type (the activation side of a dot product).
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of a weight row (this type) with an activation row (of vec_dot_type), n values.
using VecDotFn = float (*)(int64_t n, const void* w, const void* x);
// One weight row against nx activation rows `stride` bytes apart (prompt processing): the weight
// row is unpacked once. out[r] = vec_dot(n, w, x + r * stride).
using VecDotManyFn = void (*)(int64_t n, const void* w, const void* x, uint64_t stride, int nx,
                              float* out);
struct TypeKernels {
  ToFloatFn to_float = nullptr;
  FromFloatFn from_float = nullptr;
  VecDotFn vec_dot = nullptr;
  VecDotManyFn vec_dot_many = nullptr;  // optional; callers fall back to vec_dot per row
  // The type the activation row is converted to before vec_dot, as the reference does:
  // F32 -> F32, F16 -> F16, BF16 -> BF16, Q8_0/Q4_0 -> Q8_0, K-quants -> Q8_K.
  TensorType vec_dot_type = TensorType::kF32;
};

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

constexpr int kMaxTypeId = 40;

struct KernelTable {
  TypeKernels types[kMaxTypeId];
  // Plain f32 helpers used by attention and norms.
  float (*dot_f32)(int64_t n, const float* a, const float* b) = nullptr;
  // y[i] += a * x[i]
  void (*axpy_f32)(int64_t n, float a, const float* x, float* y) = nullptr;
  // out[r] = dot_f32_many(n, {q}, 1, k + r * k_stride) for m key rows, bit for bit, with several
  // keys' chains in flight (one query decoding). Optional: callers loop when it is null.
  void (*dot_rows_f32)(int64_t n, const float* q, int64_t m, const float* k, int64_t k_stride,
                       float* out) = nullptr;
  // axpy_f32 for m rows x_r = x + r * x_stride in order (y += a[r] * x_r): a single query's
  // weighted sum of value rows, with y held in registers; bit for bit the sequence of axpy_f32s.
  // Optional: callers loop over axpy_f32 (of the same table) when it is null.
  void (*axpy_rows_f32)(int64_t n, const float* a, int64_t m, const float* x, int64_t x_stride,
                        float* y) = nullptr;
  // out[i] = dot(a[i], b) for i < na (na <= 8): one key row against a tile of queries.
  void (*dot_f32_many)(int64_t n, const float* const* a, int na, const float* b, float* out) =
      nullptr;
  // F16 weights against activations that were rounded to F16 and widened back to F32 once per row
  // (the same products as the F16 x F16 dot, without converting the activations per weight row).
  VecDotFn dot_f16_f32 = nullptr;
  VecDotManyFn dot_f16_f32_many = nullptr;  // optional
  // The same with the second operand in IEEE half (F16 KV cache rows).
  float (*dot_f32_f16)(int64_t n, const float* a, const uint16_t* b) = nullptr;
  void (*axpy_f16)(int64_t n, float a, const uint16_t* x, float* y) = nullptr;
  // F16 KV cache attention, the counterparts of dot_f32_many / dot_rows_f32 / axpy_rows_f32:
  // out[i] = dot(q[i], k) for one half-precision key row against a tile of nq <= 8 queries;
  // dot_rows_f16's out[r] is bit for bit dot_f16_many(n, {q}, 1, k + r * k_stride), and
  // axpy_rows_f16 is bit for bit the sequence of axpy_f16 over its m rows. Every table has all
  // three (the scalar ones loop), so a token decoded alone and inside a prompt tile get the same
  // sums.
  void (*dot_f16_many)(int64_t n, const float* const* q, int nq, const uint16_t* k,
                       float* out) = nullptr;
  void (*dot_rows_f16)(int64_t n, const float* q, int64_t m, const uint16_t* k, int64_t k_stride,
                       float* out) = nullptr;
  void (*axpy_rows_f16)(int64_t n, const float* a, int64_t m, const uint16_t* x, int64_t x_stride,
                        float* y) = nullptr;
  // x[i] = exp(x[i] - shift) for n values; returns their sum (softmax of attention scores). The
  // scalar entry is std::exp with a double sum; the AVX-512 one a polynomial within 2 ulp of
  // std::exp (tested) and a float sum in 16 lanes.
  double (*exp_shifted_sum)(int64_t n, float* x, float shift) = nullptr;
};

// The table for the best instruction set this CPU supports (chosen once, thread-safe).
const KernelTable& Active();
// A specific table (tests compare each against the scalar reference). Only call when available.
const KernelTable& ForIsa(Isa isa);
bool IsaAvailable(Isa isa);
Isa ActiveIsa();
std::string_view IsaName(Isa isa);

// Whether a weight of this type can be used in matmuls / dequantized.
bool IsComputable(TensorType type);

// Fill functions of each ISA file (a later file overrides entries an earlier one set).
void FillScalar(KernelTable* t);
void FillAvx2(KernelTable* t);
void FillAvx512(KernelTable* t);
void FillAvx512Float(KernelTable* t);  // called by FillAvx512

}  // namespace archivist::engine::kernels
