#pragma once
// Converting float rows to and from the tensor types the engine computes with. Used to build
// models with GgufWriter (tests, samples, benchmarks) and to inspect weights.
//
// The weight quantizers here are simple round-to-nearest schemes; they produce valid blocks of the
// GGUF layouts but not the reference quantizer's exact choices of scales.

#include <cstdint>
#include <span>
#include <string>

#include "archivist/base/status.h"
#include "archivist/engine/tensor_type.h"

namespace archivist::engine {

// True for F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K.
bool IsQuantizable(TensorType type);
// True when matmuls and dequantization support weights of this type.
bool IsComputableType(TensorType type);

// Quantizes n_rows rows of n_per_row floats into `type` (rows are independent). Returns the
// bytes; kInvalidArgument when n_per_row is not a multiple of the block size, kUnsupported for
// types without a quantizer.
Result<std::string> QuantizeRows(TensorType type, std::span<const float> src, int64_t n_per_row);

// Dequantizes `n` values of one row of `type` starting at `src` into `dst`.
Status DequantizeRow(TensorType type, const void* src, float* dst, int64_t n);

}  // namespace archivist::engine
