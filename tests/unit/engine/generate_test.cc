#include "archivist/engine/generate.h"

#include <gtest/gtest.h>

#include "archivist/base/file_util.h"
#include "archivist/engine/gguf.h"
#include "archivist/engine/model_builder.h"
#include "oracle_util.h"

namespace archivist::engine {
namespace {

using testing::Manifest;
using testing::OracleDir;

std::unique_ptr<Model> LoadOracle(const std::string& model, const std::string& variant) {
  auto m = Model::Load(OracleDir() + "/models/" + model + "." + variant + ".gguf");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(*m) : nullptr;
}

// Greedy generation reproduces the reference's 16 tokens for every F32 model and prompt.
TEST(GenerateOracleTest, GreedyContinuationsMatchTheReference) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  for (const auto& [name, m] : Manifest()["models"].items()) {
    if (name == "bert_dev") continue;
    auto model = LoadOracle(name, "f32");
    ASSERT_NE(model, nullptr);
    for (const char* prompt : {"clinical", "contract", "symbols"}) {
      auto text = ReadFile(OracleDir() + "/prompts/" + prompt + ".txt");
      ASSERT_TRUE(text.ok());
      auto ids = model->tokenizer().Encode(*text);
      ASSERT_TRUE(ids.ok());
      SessionOptions so;
      so.kv_type = KvCacheType::kF32;  // the reference's precise configuration
      auto session = Session::Create(*model, so);
      ASSERT_TRUE(session.ok());
      GenerateOptions go;
      go.max_tokens = 16;
      go.stop_at_end_of_generation = false;  // the reference does not stop at EOS either
      auto r = Generate(**session, *ids, go);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const auto& res = m["results"]["f32"]["precise"][prompt];
      EXPECT_EQ(r->tokens, res["gen_tokens"].get<std::vector<TokenId>>()) << name << " " << prompt;
      EXPECT_EQ(r->stop_reason, StopReason::kMaxTokens);
      EXPECT_EQ((*session)->n_past(), static_cast<int64_t>(ids->size()) + 15);
    }
  }
}

class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::OracleAvailable()) GTEST_SKIP() << "reference set not found at " << OracleDir();
    model_ = LoadOracle("qwen3moe_dev", "q8_0");
    ASSERT_NE(model_, nullptr);
    auto ids = model_->tokenizer().Encode("The patient was given");
    ASSERT_TRUE(ids.ok());
    prompt_ = *ids;
  }
  GenerateResult Run(const GenerateOptions& go) {
    auto session = Session::Create(*model_);
    EXPECT_TRUE(session.ok());
    auto r = Generate(**session, prompt_, go);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : GenerateResult{};
  }
  std::unique_ptr<Model> model_;
  std::vector<TokenId> prompt_;
};

TEST_F(GenerateTest, SeededSamplingIsReproducible) {
  GenerateOptions go;
  go.max_tokens = 24;
  go.stop_at_end_of_generation = false;
  go.sampling.temperature = 1.5f;
  go.sampling.seed = 42;
  auto a = Run(go), b = Run(go);
  EXPECT_EQ(a.tokens, b.tokens);
  go.sampling.seed = 43;
  auto c = Run(go);
  EXPECT_NE(a.tokens, c.tokens);  // 24 draws at a high temperature: equal only by a fluke
  // top_k = 1 is greedy whatever the temperature.
  go.sampling.top_k = 1;
  auto d = Run(go);
  GenerateOptions greedy;
  greedy.max_tokens = 24;
  greedy.stop_at_end_of_generation = false;
  EXPECT_EQ(d.tokens, Run(greedy).tokens);
}

TEST_F(GenerateTest, StopStringsCallbacksAndLimits) {
  GenerateOptions go;
  go.max_tokens = 12;
  go.stop_at_end_of_generation = false;
  auto full = Run(go);
  ASSERT_EQ(full.tokens.size(), 12u);
  EXPECT_EQ(full.text, model_->tokenizer().Decode(full.tokens));
  // A stop string taken from the middle of the output cuts the text before it.
  const std::string piece = model_->tokenizer().TokenToPiece(full.tokens[5]);
  if (!piece.empty()) {
    go.stop = {piece};
    auto s = Run(go);
    EXPECT_EQ(s.stop_reason, StopReason::kStopString);
    EXPECT_EQ(s.text, full.text.substr(0, full.text.find(piece)));
    go.stop.clear();
  }
  int calls = 0;
  go.on_token = [&](TokenId, std::string_view) { return ++calls < 3; };
  auto cb = Run(go);
  EXPECT_EQ(cb.stop_reason, StopReason::kCallback);
  EXPECT_EQ(cb.tokens.size(), 3u);
  go.on_token = nullptr;
  // A context budget that ends mid-way.
  SessionOptions so;
  so.n_ctx = static_cast<int64_t>(prompt_.size()) + 4;
  auto session = Session::Create(*model_, so);
  ASSERT_TRUE(session.ok());
  auto r = Generate(**session, prompt_, go);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stop_reason, StopReason::kContextFull);
  EXPECT_EQ(r->tokens.size(), 5u);
  // A prompt longer than the context is refused, leaving the session usable.
  SessionOptions tiny;
  tiny.n_ctx = 2;
  auto s2 = Session::Create(*model_, tiny);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ((*s2)->Decode(prompt_).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ((*s2)->n_past(), 0);
  const TokenId bad = 5000;
  EXPECT_EQ((*s2)->Decode(std::span<const TokenId>(&bad, 1)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(GenerateTest, BadOptionsAreRejected) {
  GenerateOptions go;
  go.sampling.top_p = 0.0f;
  auto session = Session::Create(*model_);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(Generate(**session, prompt_, go).status().code(), StatusCode::kInvalidArgument);
  go = {};
  go.stop = {""};
  EXPECT_EQ(Generate(**session, prompt_, go).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GenerateTest, ChatTemplates) {
  std::vector<ChatMessage> msgs = {{"system", "Be brief."}, {"user", "Hi"}};
  auto s = ApplyChatTemplate(*model_, msgs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                "<|im_start|>assistant\n");
  auto l4 = LoadOracle("llama4_moe_dev", "q8_0");
  ASSERT_NE(l4, nullptr);
  auto t = ApplyChatTemplate(*l4, msgs, false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "<|endoftext|><|header_start|>system<|header_end|>\n\nBe brief.<|eot|>"
                "<|header_start|>user<|header_end|>\n\nHi<|eot|>");
  std::vector<ChatMessage> bad = {{"robot", "x"}};
  EXPECT_EQ(ApplyChatTemplate(*model_, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelLoadTest, ClearErrors) {
  EXPECT_EQ(Model::Load("/nonexistent/model.gguf").status().code(), StatusCode::kNotFound);
  std::string path = ::testing::TempDir() + "/unknown_arch.gguf";
  GgufWriter w;
  ASSERT_TRUE(w.Add("general.architecture", GgufValue::String("mamba")).ok());
  ASSERT_TRUE(w.WriteFile(path).ok());
  auto m = Model::Load(path);
  EXPECT_EQ(m.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(m.status().message().find("mamba"), std::string::npos);
}

}  // namespace
}  // namespace archivist::engine

namespace archivist::engine {
namespace {

// With any draft model the output is the target's own greedy output.
TEST(SpeculativeTest, OutputEqualsGreedy) {
  if (!testing::OracleAvailable()) GTEST_SKIP() << "reference set not found";
  auto target = Model::Load(testing::OracleDir() + "/models/llama_moe_dev.f32.gguf");
  ASSERT_TRUE(target.ok());
  auto text = ReadFile(testing::OracleDir() + "/prompts/contract.txt");
  ASSERT_TRUE(text.ok());
  auto prompt = (*target)->tokenizer().Encode(*text);
  ASSERT_TRUE(prompt.ok());
  GenerateOptions go;
  go.max_tokens = 40;
  go.stop_at_end_of_generation = false;
  // Verification decodes the drafted tokens as one batch (a prompt tile) while greedy decodes them
  // one at a time (the single-query kernels): both cache types must give the same sums.
  for (KvCacheType kv : {KvCacheType::kF32, KvCacheType::kF16}) {
    SessionOptions so;
    so.kv_type = kv;
    auto s0 = Session::Create(**target, so);
    auto greedy = Generate(**s0, *prompt, go);
    ASSERT_TRUE(greedy.ok());
    // A close draft (same weights, Q4_K_M) and an unrelated one (another architecture's weights).
    for (const char* draft_file : {"llama_moe_dev.q4_k_m.gguf", "qwen3moe_dev.q8_0.gguf"}) {
      auto draft = Model::Load(testing::OracleDir() + "/models/" + draft_file);
      ASSERT_TRUE(draft.ok());
      for (int n_draft : {1, 3, 6}) {
        if (kv == KvCacheType::kF16 && n_draft == 1) continue;  // one draft token is no tile
        auto ts = Session::Create(**target, so);
        auto ds = Session::Create(**draft, so);
        auto spec = GenerateSpeculative(**ts, **ds, *prompt, go, n_draft);
        ASSERT_TRUE(spec.ok()) << spec.status().ToString();
        EXPECT_EQ(spec->tokens, greedy->tokens)
            << draft_file << " n_draft " << n_draft << " kv " << static_cast<int>(kv);
        EXPECT_EQ(spec->text, greedy->text);
        EXPECT_GT(spec->n_drafted, 0);
        std::printf("  draft %-26s n_draft %d: accepted %lld of %lld\n", draft_file, n_draft,
                    static_cast<long long>(spec->n_accepted),
                    static_cast<long long>(spec->n_drafted));
        // The sessions end where plain greedy decoding would (every emitted token but the last).
        EXPECT_EQ((*ts)->n_past(),
                  static_cast<int64_t>(prompt->size() + greedy->tokens.size() - 1));
      }
    }
  }
  GenerateOptions sampled = go;
  sampled.sampling.temperature = 0.7f;
  auto ts = Session::Create(**target);
  auto ds = Session::Create(**target);
  EXPECT_EQ(GenerateSpeculative(**ts, **ds, *prompt, sampled).status().code(),
            StatusCode::kInvalidArgument);
  // A draft with another vocabulary is refused.
  RandomModelSpec spec;
  spec.n_vocab = 700;
  const std::string other = ::testing::TempDir() + "/draft_other_vocab.gguf";
  ASSERT_TRUE(WriteRandomModel(spec, other).ok());
  auto small = Model::Load(other);
  ASSERT_TRUE(small.ok());
  auto ss = Session::Create(**small);
  EXPECT_EQ(GenerateSpeculative(**ts, **ss, *prompt, go).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace archivist::engine
