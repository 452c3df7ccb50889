#pragma once
// ggml tensor element types as stored in GGUF files: ids, names and block geometry.
//
// The ids are the on-disk values of the GGUF format and never change. Only some types can be
// computed with (see kernels); the others are still known by size so a file using them can be
// opened and inspected.

#include <cstdint>
#include <optional>
#include <string_view>

namespace archivist::engine {

enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
};

struct TensorTypeInfo {
  TensorType type;
  std::string_view name;  // ggml's name, e.g. "Q4_K"
  uint32_t block_size;    // values per block (1 for plain types)
  uint32_t type_size;     // bytes per block
};

// The geometry of a type id read from a file; nullopt for ids this build does not know.
std::optional<TensorTypeInfo> FindTensorTypeInfo(uint32_t id);

// Same, for a known enum value (always succeeds for the enumerators above).
TensorTypeInfo GetTensorTypeInfo(TensorType type);

// "Q4_K", or "unknown" for an id this build does not know.
std::string_view TensorTypeName(TensorType type);

// Looks a type up by its ggml name ("F32", "q8_0" — case-insensitive).
std::optional<TensorType> ParseTensorTypeName(std::string_view name);

// Bytes of one row of `n` values; nullopt if n is not a multiple of the block size.
std::optional<uint64_t> TensorRowBytes(TensorType type, uint64_t n);

}  // namespace archivist::engine
