#pragma once
// Building blocks shared by the architectures: attention (with the variants the supported models
// need), dense SwiGLU / GELU FFNs and the mixture-of-experts FFN.

#include <cstdint>
#include <vector>

#include "models/architecture.h"
#include "weights.h"

namespace archivist::engine::blocks {

// ---- attention ---------------------------------------------------------------------------------

struct AttentionWeights {
  Weight q, k, v, o;
  Weight q_bias, k_bias, v_bias, o_bias;  // optional
  Weight q_norm, k_norm;                  // optional per-head RMSNorm weights (head_dim)
};

struct AttentionOptions {
  bool biases = false;
  bool qk_norm = false;  // load attn_q_norm / attn_k_norm
};

Result<AttentionWeights> LoadAttention(const WeightLoader& w, int64_t layer, const HParams& hp,
                                       const AttentionOptions& options);

struct AttentionParams {
  bool rope = true;
  bool neox = false;                     // split-halves pairs instead of adjacent pairs
  const float* freq_factors = nullptr;   // rope_freqs (head_dim / 2), or nullptr
  bool qk_norm_weighted = false;         // per-head RMSNorm with q_norm/k_norm before RoPE
  bool qk_norm_plain_after_rope = false; // per-head weightless RMSNorm after RoPE (llama4)
  bool temperature_tuning = false;       // scale q by 1 + s * ln(floor((pos+1)/floor_scale) + 1)
  float temperature_scale = 0.1f;
  int64_t temperature_floor = 8192;
  int64_t chunk = 0;                     // > 0: a query sees keys from its chunk only
  bool causal = true;
};

// x: normalised input [n][n_embd]; out: [n][n_embd] after the output projection (+ bias).
// Decoder models keep K/V in `kv` (positions batch.pos0 ..); encoders pass kv == nullptr and
// attend within the batch.
void Attention(const AttentionWeights& w, const AttentionParams& p, const HParams& hp,
               const Batch& batch, int64_t layer, const float* x, KvCache* kv, float* out);

// ---- feed-forward ------------------------------------------------------------------------------

struct FfnWeights {
  Weight gate, up, down;
  Weight up_bias, down_bias;  // optional (bert)
};

Result<FfnWeights> LoadSwiGlu(const WeightLoader& w, const std::string& prefix,
                              const std::string& suffix, int64_t n_embd, int64_t n_ff);

// out = down(silu(gate x) * up x)
void SwiGlu(const FfnWeights& w, const float* x, int64_t n, float* out);
// out = down(gelu(up x + b_up)) + b_down
void GeluFfn(const FfnWeights& w, const float* x, int64_t n, float* out);

struct MoeWeights {
  Weight router;                       // ffn_gate_inp [n_embd, n_expert]
  Weight gate_exps, up_exps, down_exps;
};

Result<MoeWeights> LoadMoe(const WeightLoader& w, int64_t layer, const HParams& hp);

enum class RouterKind {
  kSoftmax,       // softmax over all experts, top-k by probability, weight = probability
  kSigmoidInput,  // top-k by raw logit, weight = sigmoid(logit) multiplies the expert's INPUT
};

struct MoeParams {
  RouterKind router = RouterKind::kSoftmax;
  bool renormalize = false;  // weights of the chosen experts rescaled to sum 1
};

// out = sum over the chosen experts of w_e * SwiGLU_e(x) (or SwiGLU_e(w_e x)). Tokens are grouped
// by expert so each expert's weights are read once per batch, and only chosen experts are read.
void Moe(const MoeWeights& w, const MoeParams& p, const HParams& hp, const float* x, int64_t n,
         float* out);

// ---- common ------------------------------------------------------------------------------------

// Token embedding rows (any tensor type), [n][n_embd].
void Embed(const Weight& token_embd, const TokenId* tokens, int64_t n, float* out);

// x += y
void Add(float* x, const float* y, int64_t n);

}  // namespace archivist::engine::blocks
