#pragma once
// Typed views of a model's tensors in the mapped GGUF file.

#include <cstdint>
#include <string>

#include "archivist/engine/gguf.h"

namespace archivist::engine {

// A 1-D vector, 2-D matrix [n_out rows of n_in] or 3-D expert stack [n_expert][n_out][n_in].
struct Weight {
  const GgufTensorInfo* info = nullptr;
  TensorType type = TensorType::kF32;
  int64_t n_in = 0;       // ne[0], the row length
  int64_t n_out = 1;      // ne[1]
  int64_t n_expert = 1;   // ne[2]
  uint64_t row_bytes = 0;
  const uint8_t* data = nullptr;

  explicit operator bool() const { return info != nullptr; }
  const uint8_t* Row(int64_t row, int64_t expert = 0) const {
    return data + (static_cast<uint64_t>(expert) * n_out + row) * row_bytes;
  }
  // F32 vectors (norm weights, biases) are read directly.
  const float* F32() const { return reinterpret_cast<const float*>(data); }
};

// Looks tensors up by name and checks their shapes against what the architecture expects.
class WeightLoader {
 public:
  explicit WeightLoader(const GgufFile& file) : file_(file) {}

  // kNotFound if absent; kInvalidArgument if the shape differs from `ne` (a -1 entry matches any
  // size); kUnsupported for tensor types the kernels cannot compute with.
  Result<Weight> Get(const std::string& name, std::initializer_list<int64_t> ne) const;
  // As Get, but an absent tensor gives an empty Weight.
  Result<Weight> Optional(const std::string& name, std::initializer_list<int64_t> ne) const;
  // 1-D tensors used as plain float vectors must be F32.
  Result<Weight> GetF32(const std::string& name, int64_t n) const;
  Result<Weight> OptionalF32(const std::string& name, int64_t n) const;

 private:
  const GgufFile& file_;
};

}  // namespace archivist::engine
