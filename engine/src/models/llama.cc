// `llama`: dense Llama and Mixtral-style Llama with experts (softmax top-k router, renormalised).
// Adjacent-pair RoPE, GQA attention, SwiGLU.
#include "models/architecture.h"
#include "models/blocks.h"
#include "models/decoder_common.h"
#include "ops.h"

namespace archivist::engine {
namespace {

class Llama final : public Architecture {
 public:
  explicit Llama(HParams hp) : Architecture(std::move(hp)) {}

  Status Load(const GgufFile& file) {
    WeightLoader w(file);
    ARCHIVIST_ASSIGN_OR_RETURN(head_, LoadDecoderHead(w, hp_));
    ARCHIVIST_ASSIGN_OR_RETURN(rope_freqs_, w.OptionalF32("rope_freqs.weight", hp_.head_dim / 2));
    layers_.resize(hp_.n_layer);
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      Layer& L = layers_[l];
      const std::string b = "blk." + std::to_string(l) + ".";
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn_norm, w.GetF32(b + "attn_norm.weight", hp_.n_embd));
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn, blocks::LoadAttention(w, l, hp_, {.biases = true}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn_norm, w.GetF32(b + "ffn_norm.weight", hp_.n_embd));
      if (hp_.n_expert > 0) {
        ARCHIVIST_ASSIGN_OR_RETURN(L.moe, blocks::LoadMoe(w, l, hp_));
      } else {
        ARCHIVIST_ASSIGN_OR_RETURN(L.ffn, blocks::LoadSwiGlu(w, b, "", hp_.n_embd, hp_.n_ff));
      }
    }
    return Status::Ok();
  }

  Status Forward(const Batch& batch, KvCache* kv, std::vector<float>* out) const override {
    const int64_t n = batch.n_tokens, d = hp_.n_embd;
    std::vector<float> x(n * d), h(n * d), y(n * d);
    blocks::Embed(head_.token_embd, batch.tokens, n, x.data());
    blocks::AttentionParams ap;
    ap.freq_factors = rope_freqs_ ? rope_freqs_.F32() : nullptr;
    blocks::MoeParams mp{.router = blocks::RouterKind::kSoftmax, .renormalize = true};
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      const Layer& L = layers_[l];
      ops::RmsNorm(x.data(), L.attn_norm.F32(), hp_.norm_eps, n, d, h.data());
      blocks::Attention(L.attn, ap, hp_, batch, l, h.data(), kv, y.data());
      blocks::Add(x.data(), y.data(), n * d);
      ops::RmsNorm(x.data(), L.ffn_norm.F32(), hp_.norm_eps, n, d, h.data());
      if (hp_.n_expert > 0) {
        blocks::Moe(L.moe, mp, hp_, h.data(), n, y.data());
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
    Weight attn_norm, ffn_norm;
    blocks::AttentionWeights attn;
    blocks::FfnWeights ffn;
    blocks::MoeWeights moe;
  };
  DecoderHead head_;
  Weight rope_freqs_;
  std::vector<Layer> layers_;
};

}  // namespace

Result<std::unique_ptr<Architecture>> CreateLlama(const GgufFile& file, HParams hp) {
  auto m = std::make_unique<Llama>(std::move(hp));
  ARCHIVIST_RETURN_IF_ERROR(m->Load(file));
  return std::unique_ptr<Architecture>(std::move(m));
}

}  // namespace archivist::engine
