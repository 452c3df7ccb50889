// Random-weight model files. Rows are generated from (seed, tensor, row) so the bytes do not
// depend on the number of threads.
#include "archivist/engine/model_builder.h"

#include <tbb/parallel_for.h>

#include <cmath>
#include <cstring>

#include "archivist/engine/gguf.h"
#include "archivist/engine/quantize.h"
#include "unicode_util.h"

namespace archivist::engine {
namespace {

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t HashName(const std::string& s, uint64_t seed) {
  uint64_t h = seed * 0x100000001B3ULL + 0xCBF29CE484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ULL;
  return h;
}

void NormalRow(uint64_t seed, float mean, float stddev, float* out, int64_t n) {
  uint64_t s = seed;
  for (int64_t i = 0; i < n; i += 2) {
    const double u1 = (static_cast<double>(SplitMix(s) >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(SplitMix(s) >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    out[i] = static_cast<float>(mean + stddev * r * std::cos(2 * M_PI * u2));
    if (i + 1 < n) out[i + 1] = static_cast<float>(mean + stddev * r * std::sin(2 * M_PI * u2));
  }
}

bool UseMoreBits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

}  // namespace

Status RandomModelSpec::Validate() const {
  if (arch != "llama" && arch != "qwen3moe") {
    return Status::InvalidArgument("random models are 'llama' or 'qwen3moe', not '" + arch + "'");
  }
  if (arch == "qwen3moe" && n_expert <= 0) {
    return Status::InvalidArgument("qwen3moe needs experts");
  }
  if (n_vocab < 257 || n_embd <= 0 || n_layer <= 0 || n_head <= 0 || n_head_kv <= 0 ||
      n_head % n_head_kv != 0 || head_dim <= 0 || head_dim % 2 != 0 || n_ff <= 0 ||
      n_expert < 0 || (n_expert > 0 && (n_expert_used <= 0 || n_expert_used > n_expert))) {
    return Status::InvalidArgument("inconsistent random model shape");
  }
  if (recipe != WeightRecipe::kF32 && recipe != WeightRecipe::kF16) {
    const int64_t block = recipe == WeightRecipe::kQ8_0 ? 32 : 256;
    if (n_embd % block || n_ff % block || (n_head * head_dim) % block) {
      return Status::InvalidArgument("widths must be multiples of " + std::to_string(block) +
                                     " for this recipe");
    }
  }
  return Status::Ok();
}

Status WriteRandomModel(const RandomModelSpec& spec, const std::string& path) {
  ARCHIVIST_RETURN_IF_ERROR(spec.Validate());
  GgufWriter w;
  const std::string a = spec.arch;
  auto u32 = [](int64_t v) { return GgufValue::U32(static_cast<uint32_t>(v)); };
  ARCHIVIST_RETURN_IF_ERROR(w.Add("general.architecture", GgufValue::String(a)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("general.name", GgufValue::String(spec.name)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".context_length", u32(spec.n_ctx)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".embedding_length", u32(spec.n_embd)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".block_count", u32(spec.n_layer)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".feed_forward_length", u32(spec.n_ff)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".attention.head_count", u32(spec.n_head)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".attention.head_count_kv", u32(spec.n_head_kv)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".attention.key_length", u32(spec.head_dim)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".attention.value_length", u32(spec.head_dim)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".rope.freq_base", GgufValue::F32(spec.rope_base)));
  ARCHIVIST_RETURN_IF_ERROR(
      w.Add(a + ".attention.layer_norm_rms_epsilon", GgufValue::F32(1e-6f)));
  if (spec.n_expert > 0) {
    ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".expert_count", u32(spec.n_expert)));
    ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".expert_used_count", u32(spec.n_expert_used)));
    if (a == "qwen3moe") {
      ARCHIVIST_RETURN_IF_ERROR(w.Add(a + ".expert_feed_forward_length", u32(spec.n_ff)));
    }
  }
  // Byte-level vocabulary: 256 byte tokens, filler tokens, <|endoftext|> last (BOS/EOS).
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (int b = 0; b < 256; ++b) {
    std::string s;
    unicode::AppendUtf8(unicode::ByteToCodepoint(static_cast<uint8_t>(b)), &s);
    tokens.push_back(s);
    types.push_back(1);
  }
  while (static_cast<int64_t>(tokens.size()) < spec.n_vocab - 1) {
    tokens.push_back("<unused" + std::to_string(tokens.size()) + ">");
    types.push_back(5);
  }
  tokens.push_back("<|endoftext|>");
  types.push_back(3);
  const int64_t eos = spec.n_vocab - 1;
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.model", GgufValue::String("gpt2")));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.pre", GgufValue::String("gpt-2")));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.tokens", GgufValue::StringArray(tokens)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.token_type", GgufValue::I32Array(types)));
  // Byte tokens only, so no merges; the reference implementation refuses a gpt2 vocabulary
  // without the key, and the benchmark models are meant to load there too.
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.merges", GgufValue::StringArray({})));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.bos_token_id", u32(eos)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.eos_token_id", u32(eos)));
  ARCHIVIST_RETURN_IF_ERROR(w.Add("tokenizer.ggml.add_bos_token", GgufValue::Bool(true)));

  auto matrix_type = [&](const std::string& name, int64_t layer) {
    switch (spec.recipe) {
      case WeightRecipe::kF32: return TensorType::kF32;
      case WeightRecipe::kF16: return TensorType::kF16;
      case WeightRecipe::kQ8_0: return TensorType::kQ8_0;
      case WeightRecipe::kQ4_K_M: break;
    }
    if (name == "output.weight") return TensorType::kQ6_K;
    if ((name.find("attn_v") != std::string::npos || name.find("ffn_down") != std::string::npos) &&
        UseMoreBits(layer, spec.n_layer)) {
      return TensorType::kQ6_K;
    }
    return TensorType::kQ4_K;
  };
  const uint64_t seed = spec.seed;
  // A tensor of n_rows rows of `ne0` values, N(mean, stddev^2), stored as `type`.
  auto add = [&](const std::string& name, std::vector<int64_t> ne, TensorType type, float mean,
                 float stddev) -> Status {
    const int64_t ne0 = ne[0];
    const uint64_t row_bytes = *TensorRowBytes(type, static_cast<uint64_t>(ne0));
    const uint64_t tseed = HashName(name, seed);
    return w.AddTensor(name, type, ne, [=](std::span<uint8_t> dst) {
      const int64_t rows = static_cast<int64_t>(dst.size() / row_bytes);
      tbb::parallel_for(int64_t{0}, rows, [&](int64_t r) {
        std::vector<float> v(ne0);
        NormalRow(tseed ^ (static_cast<uint64_t>(r) * 0x9E3779B97F4A7C15ULL), mean, stddev,
                  v.data(), ne0);
        auto q = QuantizeRows(type, v, ne0);
        std::memcpy(dst.data() + r * row_bytes, q->data(), row_bytes);
      });
    });
  };
  const int64_t d = spec.n_embd, qw = spec.n_head * spec.head_dim,
                kw = spec.n_head_kv * spec.head_dim;
  const float s_d = 1.0f / std::sqrt(static_cast<float>(d));
  const float s_q = 1.0f / std::sqrt(static_cast<float>(qw));
  const float s_f = 1.0f / std::sqrt(static_cast<float>(spec.n_ff));
  ARCHIVIST_RETURN_IF_ERROR(add("token_embd.weight", {d, spec.n_vocab},
                                matrix_type("token_embd.weight", 0), 0, 1));
  ARCHIVIST_RETURN_IF_ERROR(add("output_norm.weight", {d}, TensorType::kF32, 1, 0.1f));
  ARCHIVIST_RETURN_IF_ERROR(
      add("output.weight", {d, spec.n_vocab}, matrix_type("output.weight", 0), 0, s_d));
  for (int64_t l = 0; l < spec.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    auto mt = [&](const char* n) { return matrix_type(b + n, l); };
    ARCHIVIST_RETURN_IF_ERROR(add(b + "attn_norm.weight", {d}, TensorType::kF32, 1, 0.1f));
    ARCHIVIST_RETURN_IF_ERROR(add(b + "attn_q.weight", {d, qw}, mt("attn_q.weight"), 0, s_d));
    ARCHIVIST_RETURN_IF_ERROR(add(b + "attn_k.weight", {d, kw}, mt("attn_k.weight"), 0, s_d));
    ARCHIVIST_RETURN_IF_ERROR(add(b + "attn_v.weight", {d, kw}, mt("attn_v.weight"), 0, s_d));
    ARCHIVIST_RETURN_IF_ERROR(
        add(b + "attn_output.weight", {qw, d}, mt("attn_output.weight"), 0, s_q));
    if (a == "qwen3moe") {
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "attn_q_norm.weight", {spec.head_dim}, TensorType::kF32, 1, 0.1f));
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "attn_k_norm.weight", {spec.head_dim}, TensorType::kF32, 1, 0.1f));
    }
    ARCHIVIST_RETURN_IF_ERROR(add(b + "ffn_norm.weight", {d}, TensorType::kF32, 1, 0.1f));
    if (spec.n_expert > 0) {
      const int64_t e = spec.n_expert, f = spec.n_ff;
      ARCHIVIST_RETURN_IF_ERROR(add(b + "ffn_gate_inp.weight", {d, e}, TensorType::kF32, 0, s_d));
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "ffn_gate_exps.weight", {d, f, e}, mt("ffn_gate_exps.weight"), 0, s_d));
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "ffn_up_exps.weight", {d, f, e}, mt("ffn_up_exps.weight"), 0, s_d));
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "ffn_down_exps.weight", {f, d, e}, mt("ffn_down_exps.weight"), 0, s_f));
    } else {
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "ffn_gate.weight", {d, spec.n_ff}, mt("ffn_gate.weight"), 0, s_d));
      ARCHIVIST_RETURN_IF_ERROR(add(b + "ffn_up.weight", {d, spec.n_ff}, mt("ffn_up.weight"), 0, s_d));
      ARCHIVIST_RETURN_IF_ERROR(
          add(b + "ffn_down.weight", {spec.n_ff, d}, mt("ffn_down.weight"), 0, s_f));
    }
  }
  return w.WriteFile(path);
}

}  // namespace archivist::engine
