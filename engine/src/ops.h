#pragma once
// Row-wise tensor operations of the forward pass. Activations are row-major float matrices
// [n_tokens][width]. MatMul parallelises over output rows with oneTBB (call it inside the model's
// task arena); the other ops are cheap and run on the calling thread.

#include <cstdint>
#include <span>
#include <vector>

#include "weights.h"

namespace archivist::engine::ops {

// y[t][o] = sum_i W[o][i] * x[t][i] for t < n_tokens, o < n_out (expert `expert` of a 3-D weight).
// Activations are converted to the weight type's dot-product type first, as the reference does.
void MatMul(const Weight& w, const float* x, int64_t n_tokens, float* y, int64_t expert = 0);

// Several independent matmuls run as one parallel loop over all their output rows (e.g. q/k/v, or
// every routed expert of a MoE layer), so small matrices still keep all threads busy.
struct MatMulJob {
  const Weight* w = nullptr;
  int64_t expert = 0;
  const float* x = nullptr;  // [n_tokens][w->n_in]
  int64_t n_tokens = 0;
  float* y = nullptr;        // [n_tokens][w->n_out]
};
void MatMulMany(std::span<const MatMulJob> jobs);

// x[t] += b for every row.
void AddBias(float* x, const float* b, int64_t n_tokens, int64_t width);

// y = x / sqrt(mean(x^2) + eps) (* w if w != nullptr); sums in double as the reference does.
void RmsNorm(const float* x, const float* w, float eps, int64_t n_tokens, int64_t width, float* y);

// y = (x - mean) / sqrt(var + eps) * w + b.
void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t n_tokens,
               int64_t width, float* y);

// Rotary embedding of one head vector (head_dim values) at `pos`. `neox` pairs (i, i + d/2),
// otherwise (2i, 2i + 1). `freq_factors` (d/2 values or nullptr) divide each pair's frequency.
void Rope(float* v, int64_t head_dim, int64_t pos, float base, bool neox,
          const float* freq_factors);

float Silu(float x);
// The reference's GELU: tanh approximation looked up through fp16 rounding.
float GeluReference(float x);

// In-place softmax over n values (std::exp: the MoE routers use it, so near-tied expert choices
// follow the reference's as closely as possible).
void Softmax(float* x, int64_t n);
// The same with the kernel table's vectorized exp (within 2 ulp of std::exp; attention scores).
void SoftmaxFast(float* x, int64_t n);

}  // namespace archivist::engine::ops
