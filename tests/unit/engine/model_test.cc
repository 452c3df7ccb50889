// Models built with the random-model writer: loading errors, determinism, batching, quantized
// recipes against F32.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <filesystem>
#include <functional>

#include "archivist/base/file_util.h"
#include "archivist/engine/gguf.h"
#include "archivist/engine/model.h"
#include "archivist/engine/model_builder.h"

namespace archivist::engine {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

RandomModelSpec SmallSpec(const std::string& arch, WeightRecipe recipe) {
  RandomModelSpec s;
  s.arch = arch;
  s.n_vocab = 600;
  s.n_embd = 256;
  s.n_layer = 2;
  s.n_ff = 256;
  s.n_expert = arch == "llama" ? 0 : 4;
  s.recipe = recipe;
  s.seed = 7;
  return s;
}

std::string Build(const RandomModelSpec& spec, const std::string& name) {
  const std::string path = TempPath(name);
  Status s = WriteRandomModel(spec, path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return path;
}

std::vector<float> Logits(const std::string& path, int threads, int64_t n_batch,
                          bool one_by_one = false, KvCacheType kv = KvCacheType::kF32) {
  ModelOptions mo;
  mo.n_threads = threads;
  auto model = Model::Load(path, mo);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return {};
  SessionOptions so;
  so.n_batch = n_batch;
  so.kv_type = kv;
  auto session = Session::Create(**model, so);
  std::vector<TokenId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back((i * 37 + 11) % 599);
  if (one_by_one) {
    std::vector<float> last;
    for (TokenId t : ids) last = *(*session)->Decode(std::span<const TokenId>(&t, 1));
    return last;
  }
  auto l = (*session)->Decode(ids);
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return l.ok() ? *l : std::vector<float>{};
}

double MaxDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    d = std::max(d, static_cast<double>(std::fabs(a[i] - b[i])));
  }
  return d;
}

double MaxAbs(const std::vector<float>& a) {
  double m = 0;
  for (float v : a) m = std::max(m, static_cast<double>(std::fabs(v)));
  return m;
}

TEST(ModelTest, ThreadsAndBatchingDoNotChangeResults) {
  for (const char* arch : {"llama", "qwen3moe"}) {
    const std::string path = Build(SmallSpec(arch, WeightRecipe::kQ8_0), std::string(arch) + "_q8.gguf");
    auto one = Logits(path, 1, 512);
    ASSERT_EQ(one.size(), 600u);
    for (float v : one) ASSERT_TRUE(std::isfinite(v));
    EXPECT_EQ(Logits(path, 2, 512), one) << arch;  // rows are split, never reduced across threads
    // Micro-batches and single tokens see the same K/V (up to float order in tiny sums).
    EXPECT_LT(MaxDiff(Logits(path, 2, 7), one), 1e-4) << arch;
    EXPECT_LT(MaxDiff(Logits(path, 2, 512, true), one), 1e-4) << arch;
    // The same with an F16 cache (tile kernels for the batch, single-query ones token by token).
    const auto half = Logits(path, 1, 512, false, KvCacheType::kF16);
    EXPECT_EQ(Logits(path, 2, 512, false, KvCacheType::kF16), half) << arch;
    EXPECT_LT(MaxDiff(Logits(path, 2, 7, false, KvCacheType::kF16), half), 1e-4) << arch;
    EXPECT_LT(MaxDiff(Logits(path, 2, 512, true, KvCacheType::kF16), half), 1e-4) << arch;
    // F16 rounding of K and V: measured 1.0-1.5% of max|logit| on these random-weight models.
    EXPECT_LT(MaxDiff(half, one), 3e-2 * MaxAbs(one)) << arch;
  }
}

TEST(ModelTest, QuantizedRecipesStayCloseToF32) {
  const std::string f32 = Build(SmallSpec("qwen3moe", WeightRecipe::kF32), "q3_f32.gguf");
  const auto ref = Logits(f32, 2, 512);
  const double scale = MaxAbs(ref);
  ASSERT_GT(scale, 0.1);
  struct Case {
    WeightRecipe recipe;
    const char* name;
    double rel;
  } cases[] = {{WeightRecipe::kF16, "f16", 0.01},
               {WeightRecipe::kQ8_0, "q8_0", 0.05},
               {WeightRecipe::kQ4_K_M, "q4_k_m", 0.35}};
  for (const auto& c : cases) {
    const std::string path = Build(SmallSpec("qwen3moe", c.recipe), std::string("q3_") + c.name + ".gguf");
    const double d = MaxDiff(Logits(path, 2, 512), ref);
    std::printf("  %s vs f32: max |d| %.4f of max |logit| %.3f\n", c.name, d, scale);
    EXPECT_LT(d, c.rel * scale) << c.name;
  }
}

// Rewrites `src` into `dst` with `edit` applied to the metadata / tensor list.
std::string Rewrite(const std::string& src, const std::string& name,
                    const std::function<void(GgufWriter&, const GgufFile&)>& edit,
                    const std::vector<std::string>& skip_keys = {},
                    const std::string& skip_tensor = "") {
  auto f = GgufFile::Open(src);
  EXPECT_TRUE(f.ok());
  GgufWriter w;
  for (const auto& kv : (*f)->metadata()) {
    if (std::find(skip_keys.begin(), skip_keys.end(), kv.key) == skip_keys.end()) {
      EXPECT_TRUE(w.Add(kv.key, kv.value).ok());
    }
  }
  for (const auto& t : (*f)->tensors()) {
    if (t.name == skip_tensor) continue;
    EXPECT_TRUE(w.AddTensor(t.name, t.type, t.ne,
                            std::string(reinterpret_cast<const char*>(t.data), t.n_bytes))
                    .ok());
  }
  edit(w, **f);
  const std::string dst = TempPath(name);
  EXPECT_TRUE(w.WriteFile(dst).ok());
  return dst;
}

TEST(ModelTest, BadModelsGiveClearErrors) {
  const std::string good = Build(SmallSpec("llama", WeightRecipe::kF32), "bad_base.gguf");
  // A vocabulary that does not match the embedding matrix.
  const std::string vocab = Rewrite(
      good, "bad_vocab.gguf",
      [](GgufWriter& w, const GgufFile& f) {
        auto tokens = *f.GetStringArray("tokenizer.ggml.tokens");
        tokens.resize(500);
        ASSERT_TRUE(w.Add("tokenizer.ggml.tokens", GgufValue::StringArray(tokens)).ok());
        auto types = *f.GetI32Array("tokenizer.ggml.token_type");
        types.resize(500);
        ASSERT_TRUE(w.Add("tokenizer.ggml.token_type", GgufValue::I32Array(types)).ok());
      },
      {"tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id",
       "tokenizer.ggml.eos_token_id"});
  auto m = Model::Load(vocab);
  EXPECT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("vocabulary"), std::string::npos) << m.status().ToString();

  // A missing tensor is named.
  const std::string missing = Rewrite(good, "bad_missing.gguf", [](GgufWriter&, const GgufFile&) {},
                                      {}, "blk.1.ffn_up.weight");
  m = Model::Load(missing);
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("blk.1.ffn_up.weight"), std::string::npos);

  // A tensor of the wrong shape is named.
  const std::string shape = Rewrite(
      good, "bad_shape.gguf",
      [](GgufWriter& w, const GgufFile&) {
        ASSERT_TRUE(w.AddTensor("blk.1.ffn_up.weight", TensorType::kF32, {256, 128},
                                std::string(256 * 128 * 4, '\0'))
                        .ok());
      },
      {}, "blk.1.ffn_up.weight");
  m = Model::Load(shape);
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("blk.1.ffn_up.weight"), std::string::npos);

  // A tensor type the kernels cannot compute with.
  const std::string type = Rewrite(
      good, "bad_type.gguf",
      [](GgufWriter& w, const GgufFile&) {
        ASSERT_TRUE(w.AddTensor("blk.1.ffn_up.weight", TensorType::kIQ2_XXS, {256, 256},
                                std::string(256 * 66, '\0'))
                        .ok());
      },
      {}, "blk.1.ffn_up.weight");
  m = Model::Load(type);
  EXPECT_EQ(m.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("IQ2_XXS"), std::string::npos);

  // Truncated files: every cut gives an error, never a crash.
  auto bytes = ReadFile(good);
  ASSERT_TRUE(bytes.ok());
  const std::string cut = TempPath("bad_cut.gguf");
  for (size_t n : {size_t{100}, bytes->size() / 3, bytes->size() - 1}) {
    ASSERT_TRUE(WriteFileAtomic(cut, std::string_view(*bytes).substr(0, n)).ok());
    auto c = Model::Load(cut);
    EXPECT_EQ(c.status().code(), StatusCode::kCorruption) << n << ": " << c.status().ToString();
  }
  // Options are validated.
  ModelOptions mo;
  mo.n_threads = -1;
  EXPECT_EQ(Model::Load(good, mo).status().code(), StatusCode::kInvalidArgument);
  RandomModelSpec bad = SmallSpec("falcon", WeightRecipe::kF32);
  EXPECT_EQ(WriteRandomModel(bad, TempPath("x.gguf")).code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, InfoDescribesTheModel) {
  const std::string path = Build(SmallSpec("qwen3moe", WeightRecipe::kQ4_K_M), "info.gguf");
  auto m = Model::Load(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const ModelInfo& i = (*m)->info();
  EXPECT_EQ(i.architecture, "qwen3moe");
  EXPECT_EQ(i.n_vocab, 600);
  EXPECT_EQ(i.n_layer, 2);
  EXPECT_EQ(i.n_expert, 4);
  EXPECT_EQ(i.n_expert_used, 2);
  EXPECT_FALSE(i.is_encoder);
  EXPECT_EQ((*m)->tokenizer().bos(), 599);
  // Byte-level vocabulary without merges: text still round-trips.
  auto ids = (*m)->tokenizer().Encode("héllo wörld");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*m)->tokenizer().Decode(*ids), "héllo wörld");
}

}  // namespace
}  // namespace archivist::engine
