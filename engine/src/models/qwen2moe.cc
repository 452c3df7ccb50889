// `qwen2moe`: Q/K/V biases, NEOX RoPE, MoE with softmax top-k (not renormalised) plus a shared
// expert scaled by a per-token sigmoid gate.
#include <cmath>

#include "models/architecture.h"
#include "models/blocks.h"
#include "models/decoder_common.h"
#include "ops.h"

namespace archivist::engine {
namespace {

class Qwen2Moe final : public Architecture {
 public:
  explicit Qwen2Moe(HParams hp) : Architecture(std::move(hp)) {}

  Status Load(const GgufFile& file) {
    if (hp_.n_expert <= 0) return Status::InvalidArgument("qwen2moe model without experts");
    WeightLoader w(file);
    ARCHIVIST_ASSIGN_OR_RETURN(head_, LoadDecoderHead(w, hp_));
    layers_.resize(hp_.n_layer);
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      Layer& L = layers_[l];
      const std::string b = "blk." + std::to_string(l) + ".";
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn_norm, w.GetF32(b + "attn_norm.weight", hp_.n_embd));
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn, blocks::LoadAttention(w, l, hp_, {.biases = true}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn_norm, w.GetF32(b + "ffn_norm.weight", hp_.n_embd));
      ARCHIVIST_ASSIGN_OR_RETURN(L.moe, blocks::LoadMoe(w, l, hp_));
      ARCHIVIST_ASSIGN_OR_RETURN(L.shexp,
                                 blocks::LoadSwiGlu(w, b, "_shexp", hp_.n_embd, hp_.n_ff_shexp));
      ARCHIVIST_ASSIGN_OR_RETURN(L.shexp_gate, w.Get(b + "ffn_gate_inp_shexp.weight", {hp_.n_embd}));
    }
    return Status::Ok();
  }

  Status Forward(const Batch& batch, KvCache* kv, std::vector<float>* out) const override {
    const int64_t n = batch.n_tokens, d = hp_.n_embd;
    std::vector<float> x(n * d), h(n * d), y(n * d), s(n * d), gate(n);
    blocks::Embed(head_.token_embd, batch.tokens, n, x.data());
    blocks::AttentionParams ap{.neox = true};
    blocks::MoeParams mp{.router = blocks::RouterKind::kSoftmax, .renormalize = false};
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      const Layer& L = layers_[l];
      ops::RmsNorm(x.data(), L.attn_norm.F32(), hp_.norm_eps, n, d, h.data());
      blocks::Attention(L.attn, ap, hp_, batch, l, h.data(), kv, y.data());
      blocks::Add(x.data(), y.data(), n * d);
      ops::RmsNorm(x.data(), L.ffn_norm.F32(), hp_.norm_eps, n, d, h.data());
      blocks::Moe(L.moe, mp, hp_, h.data(), n, y.data());
      blocks::SwiGlu(L.shexp, h.data(), n, s.data());
      // The gate is a 1-row matrix: one scalar per token.
      ops::MatMul(L.shexp_gate, h.data(), n, gate.data());
      for (int64_t t = 0; t < n; ++t) {
        const float g = 1.0f / (1.0f + std::exp(-gate[t]));
        for (int64_t c = 0; c < d; ++c) y[t * d + c] += g * s[t * d + c];
      }
      blocks::Add(x.data(), y.data(), n * d);
    }
    ComputeLogits(head_, hp_, batch, x.data(), out);
    return Status::Ok();
  }

 private:
  struct Layer {
    Weight attn_norm, ffn_norm, shexp_gate;
    blocks::AttentionWeights attn;
    blocks::MoeWeights moe;
    blocks::FfnWeights shexp;
  };
  DecoderHead head_;
  std::vector<Layer> layers_;
};

}  // namespace

Result<std::unique_ptr<Architecture>> CreateQwen2Moe(const GgufFile& file, HParams hp) {
  auto m = std::make_unique<Qwen2Moe>(std::move(hp));
  ARCHIVIST_RETURN_IF_ERROR(m->Load(file));
  return std::unique_ptr<Architecture>(std::move(m));
}

}  // namespace archivist::engine
