#pragma once
// Writes random-weight GGUF models of the supported decoder architectures, for tests, samples and
// benchmarks (shapes like a real model, weights i.i.d. normal, a byte-level BPE vocabulary).

#include <cstdint>
#include <string>

#include "archivist/base/status.h"
#include "archivist/engine/tensor_type.h"

namespace archivist::engine {

enum class WeightRecipe {
  kF32,    // every matrix F32
  kF16,    // every matrix F16
  kQ8_0,   // every matrix Q8_0
  kQ4_K_M, // the Q4_K_M mix: Q4_K, with Q6_K for output and some attn_v / ffn_down layers
};

struct RandomModelSpec {
  // "llama" (dense when n_expert == 0, Mixtral-style otherwise) or "qwen3moe". Default: qwen3moe.
  std::string arch = "qwen3moe";
  std::string name = "random";
  int64_t n_vocab = 1024;       // Default: 1024 (at least 257)
  int64_t n_embd = 256;         // Default: 256
  int64_t n_layer = 1;          // Default: 1
  int64_t n_head = 4;           // Default: 4
  int64_t n_head_kv = 2;        // Default: 2
  int64_t head_dim = 64;        // Default: 64
  int64_t n_ff = 256;           // dense FFN width (llama) or expert width (MoE). Default: 256
  int64_t n_expert = 4;         // Default: 4 (0 = dense llama)
  int64_t n_expert_used = 2;    // Default: 2
  int64_t n_ctx = 4096;         // context_length written to the file. Default: 4096
  float rope_base = 1e6f;       // Default: 1e6
  WeightRecipe recipe = WeightRecipe::kF32;  // Default: F32
  uint64_t seed = 1;            // Default: 1

  Status Validate() const;
};

// Streams the model to `path` (never holds all weights in memory; tensors are filled with oneTBB).
Status WriteRandomModel(const RandomModelSpec& spec, const std::string& path);

}  // namespace archivist::engine
