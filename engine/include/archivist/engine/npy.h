#pragma once
// NumPy .npy files (format 1.0, little-endian float32, C order): logits and embeddings for
// `archivist generate --logits-out` and `archivist embed --npy`.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::engine {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // '<f4' as is; '<i4' converted
};

// Writes `data` with `shape` (the product of shape must equal data.size()) atomically.
Status WriteNpy(const std::string& path, std::span<const float> data,
                std::span<const int64_t> shape);

// Reads a float32 or int32 array; kInvalidArgument for other dtypes or layouts.
Result<NpyArray> ReadNpy(const std::string& path);

}  // namespace archivist::engine
