// `bert` encoder: token + type + absolute position embeddings, LayerNorm, post-norm layers with
// biased attention over all tokens and a GELU FFN. Forward returns the final hidden states; pooling
// happens in the session.
#include "models/architecture.h"
#include "models/blocks.h"
#include "ops.h"

namespace archivist::engine {
namespace {

class Bert final : public Architecture {
 public:
  explicit Bert(HParams hp) : Architecture(std::move(hp)) {}
  bool is_encoder() const override { return true; }

  Status Load(const GgufFile& file) {
    WeightLoader w(file);
    const int64_t d = hp_.n_embd;
    ARCHIVIST_ASSIGN_OR_RETURN(token_embd_, w.Get("token_embd.weight", {d, hp_.n_vocab}));
    ARCHIVIST_ASSIGN_OR_RETURN(token_types_, w.Optional("token_types.weight", {d, -1}));
    ARCHIVIST_ASSIGN_OR_RETURN(position_embd_, w.Get("position_embd.weight", {d, -1}));
    if ((token_types_ && token_types_.type != TensorType::kF32) ||
        position_embd_.type != TensorType::kF32) {
      return Status::Unsupported("bert position / token-type embeddings must be F32");
    }
    ARCHIVIST_ASSIGN_OR_RETURN(embd_norm_w_, w.GetF32("token_embd_norm.weight", d));
    ARCHIVIST_ASSIGN_OR_RETURN(embd_norm_b_, w.GetF32("token_embd_norm.bias", d));
    layers_.resize(hp_.n_layer);
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      Layer& L = layers_[l];
      const std::string b = "blk." + std::to_string(l) + ".";
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn, blocks::LoadAttention(w, l, hp_, {.biases = true}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn_norm_w, w.GetF32(b + "attn_output_norm.weight", d));
      ARCHIVIST_ASSIGN_OR_RETURN(L.attn_norm_b, w.GetF32(b + "attn_output_norm.bias", d));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn.up, w.Get(b + "ffn_up.weight", {d, hp_.n_ff}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn.up_bias, w.OptionalF32(b + "ffn_up.bias", hp_.n_ff));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn.down, w.Get(b + "ffn_down.weight", {hp_.n_ff, d}));
      ARCHIVIST_ASSIGN_OR_RETURN(L.ffn.down_bias, w.OptionalF32(b + "ffn_down.bias", d));
      ARCHIVIST_ASSIGN_OR_RETURN(L.out_norm_w, w.GetF32(b + "layer_output_norm.weight", d));
      ARCHIVIST_ASSIGN_OR_RETURN(L.out_norm_b, w.GetF32(b + "layer_output_norm.bias", d));
    }
    return Status::Ok();
  }

  Status Forward(const Batch& batch, KvCache*, std::vector<float>* out) const override {
    const int64_t n = batch.n_tokens, d = hp_.n_embd;
    if (batch.pos0 != 0 || n > position_embd_.n_out) {
      return Status::InvalidArgument("bert input of " + std::to_string(n) +
                                     " tokens exceeds its " +
                                     std::to_string(position_embd_.n_out) + " positions");
    }
    std::vector<float> x(n * d), h(n * d), y(n * d), row(d);
    blocks::Embed(token_embd_, batch.tokens, n, x.data());
    const auto* pos_rows = position_embd_.F32();
    for (int64_t t = 0; t < n; ++t) {
      for (int64_t c = 0; c < d; ++c) {
        x[t * d + c] += (token_types_ ? token_types_.F32()[c] : 0.0f) + pos_rows[t * d + c];
      }
    }
    ops::LayerNorm(x.data(), embd_norm_w_.F32(), embd_norm_b_.F32(), hp_.norm_eps, n, d, x.data());
    blocks::AttentionParams ap{.rope = false, .causal = false};
    for (int64_t l = 0; l < hp_.n_layer; ++l) {
      const Layer& L = layers_[l];
      blocks::Attention(L.attn, ap, hp_, batch, l, x.data(), nullptr, y.data());
      blocks::Add(x.data(), y.data(), n * d);
      ops::LayerNorm(x.data(), L.attn_norm_w.F32(), L.attn_norm_b.F32(), hp_.norm_eps, n, d,
                     x.data());
      blocks::GeluFfn(L.ffn, x.data(), n, y.data());
      blocks::Add(x.data(), y.data(), n * d);
      ops::LayerNorm(x.data(), L.out_norm_w.F32(), L.out_norm_b.F32(), hp_.norm_eps, n, d,
                     x.data());
    }
    *out = std::move(x);
    return Status::Ok();
  }

 private:
  struct Layer {
    blocks::AttentionWeights attn;
    blocks::FfnWeights ffn;
    Weight attn_norm_w, attn_norm_b, out_norm_w, out_norm_b;
  };
  Weight token_embd_, token_types_, position_embd_, embd_norm_w_, embd_norm_b_;
  std::vector<Layer> layers_;
};

}  // namespace

Result<std::unique_ptr<Architecture>> CreateBert(const GgufFile& file, HParams hp) {
  auto m = std::make_unique<Bert>(std::move(hp));
  ARCHIVIST_RETURN_IF_ERROR(m->Load(file));
  return std::unique_ptr<Architecture>(std::move(m));
}

}  // namespace archivist::engine
