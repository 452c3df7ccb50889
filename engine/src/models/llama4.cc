// `llama4`: dense and MoE layers interleaved (interleave_moe_layer_step), MoE with a sigmoid top-k
// router whose weight scales the expert's input plus a shared expert; RoPE layers use chunked local
// attention and a weightless q/k RMSNorm after RoPE; every 4th layer is NoPE with full causal
// attention and attention temperature tuning.
#include "models/architecture.h"
#include "models/blocks.h"
#include "models/decoder_common.h"
#include "ops.h"

namespace archivist::engine {
namespace {

// Constants of the architecture (the GGUF files carry no keys for them).
constexpr int64_t kNoRopeLayerStep = 4;
constexpr int64_t kAttentionChunk = 8192;
constexpr int64_t kTemperatureFloor = 8192;
constexpr float kTemperatureScale = 0.1f;

class Llama4 final : public Architecture {
 public:
  explicit Llama4(HParams hp) : Architecture(std::move(hp)) {}

  Status Load(const GgufFile& file) {
    if (hp_.n_expert <= 0) return Status::InvalidArgument("llama4 model without experts");
    WeightLoader w(file);
    ARCHIVIST_ASSIGN_OR_RETURN(head_, LoadDecoderHead(w, hp_));
    ARCHIVIST_ASSIGN_OR_RETURN(rope_freqs_, w.OptionalF32("rope_freqs.weight", hp_.head_dim / 2));
    const int64_t step = hp_.interleave_moe_step > 0 ? hp_.interleave_moe_step : 1;
    layers_.resize(hp_.n_layer);
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      Layer& L = layers_[l];
      const std::string b = "blk." + std::to_string(l) + ".";
      L.moe_layer = (l + 1) % step == 0;
      L.nope = (l + 1) % kNoRopeLayerStep == 0;
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn_norm, w.GetF32(b + "attn_norm.weight", hp_.n_embd));
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn, blocks::LoadAttention(w, l, hp_, {}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn_norm, w.GetF32(b + "ffn_norm.weight", hp_.n_embd));
      if (L.moe_layer) {
        ARCHIVIST_ASSIGN_OR_RETURN(L.moe, blocks::LoadMoe(w, l, hp_));
        ARCHIVIST_ASSIGN_OR_RETURN(L.shexp,
                                   blocks::LoadSwiGlu(w, b, "_shexp", hp_.n_embd, hp_.n_ff_exp));
      } else {
        ARCHIVIST_ASSIGN_OR_RETURN(L.ffn, blocks::LoadSwiGlu(w, b, "", hp_.n_embd, hp_.n_ff));
      }
    }
    return Status::Ok();
  }

  int64_t LayerWindow(int64_t layer) const override {
    return layers_[layer].nope ? 0 : kAttentionChunk;
  }

  Status Forward(const Batch& batch, KvCache* kv, std::vector<float>* out) const override {
    const int64_t n = batch.n_tokens, d = hp_.n_embd;
    std::vector<float> x(n * d), h(n * d), y(n * d), s(n * d);
    blocks::Embed(head_.token_embd, batch.tokens, n, x.data());
    blocks::MoeParams mp{.router = blocks::RouterKind::kSigmoidInput, .renormalize = false};
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      const Layer& L = layers_[l];
      blocks::AttentionParams ap;
      if (L.nope) {
        ap.rope = false;
        ap.temperature_tuning = true;
        ap.temperature_floor = kTemperatureFloor;
        ap.temperature_scale = kTemperatureScale;
      } else {
        ap.freq_factors = rope_freqs_ ? rope_freqs_.F32() : nullptr;
        ap.chunk = kAttentionChunk;
        // The reference turns the q/k norm off for the 128-expert (Maverick-style) models.
        ap.qk_norm_plain_after_rope = hp_.n_expert != 128;
      }
      ops::RmsNorm(x.data(), L.attn_norm.F32(), hp_.norm_eps, n, d, h.data());
      blocks::Attention(L.attn, ap, hp_, batch, l, h.data(), kv, y.data());
      blocks::Add(x.data(), y.data(), n * d);
      ops::RmsNorm(x.data(), L.ffn_norm.F32(), hp_.norm_eps, n, d, h.data());
      if (L.moe_layer) {
        blocks::Moe(L.moe, mp, hp_, h.data(), n, y.data());
        blocks::SwiGlu(L.shexp, h.data(), n, s.data());
        blocks::Add(y.data(), s.data(), n * d);
      } else {
        blocks::SwiGlu(L.ffn, h.data(), n, y.data());
      }
      blocks::Add(x.data(), y.data(), n * d);
    }
    ComputeLogits(head_, hp_, batch, x.data(), out);
    return Status::Ok();
  }

 private:
  struct Layer {
    bool moe_layer = false;
    bool nope = false;
    Weight attn_norm, ffn_norm;
    blocks::AttentionWeights attn;
    blocks::FfnWeights ffn, shexp;
    blocks::MoeWeights moe;
  };
  DecoderHead head_;
  Weight rope_freqs_;
  std::vector<Layer> layers_;
};

}  // namespace

Result<std::unique_ptr<Architecture>> CreateLlama4(const GgufFile& file, HParams hp) {
  auto m = std::make_unique<Llama4>(std::move(hp));
  ARCHIVIST_RETURN_IF_ERROR(m->Load(file));
  return std::unique_ptr<Architecture>(std::move(m));
}

}  // namespace archivist::engine
