// The BPE tokenizer on the real Llama 3 and Qwen 3 vocabularies, against the token ids of their
// reference JavaScript implementation. Data: tests/data/engine_tokenizer_vectors.sh (npm; not
// committed). Read from $ARCHIVIST_TOKENIZER_DATA or <build>/engine-tokenizer-data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "archivist/engine/gguf.h"
#include "archivist/engine/tokenizer.h"

namespace archivist::engine {
namespace {

std::string DataDir() {
  const char* env = std::getenv("ARCHIVIST_TOKENIZER_DATA");
  return env != nullptr ? env : ARCHIVIST_BINARY_DIR "/engine-tokenizer-data";
}

// Builds the GGUF tokenizer metadata a converter would write from tokenizer.json.
std::unique_ptr<Tokenizer> FromTokenizerJson(const std::string& dir, const std::string& pre,
                                             int bos, bool add_bos) {
  std::ifstream in(dir + "/tokenizer.json");
  const auto j = nlohmann::json::parse(in);
  const auto& vocab = j["model"]["vocab"];
  size_t n = vocab.size();
  for (const auto& t : j["added_tokens"]) n = std::max(n, t["id"].get<size_t>() + 1);
  std::vector<std::string> tokens(n);
  std::vector<int32_t> types(n, 1);
  for (size_t i = 0; i < n; ++i) tokens[i] = "[PAD" + std::to_string(i) + "]";
  for (const auto& [piece, id] : vocab.items()) tokens[id.get<size_t>()] = piece;
  for (const auto& t : j["added_tokens"]) {
    const size_t id = t["id"].get<size_t>();
    tokens[id] = t["content"].get<std::string>();
    types[id] = t["special"].get<bool>() ? 3 : 4;
  }
  std::vector<std::string> merges;
  for (const auto& m : j["model"]["merges"]) {
    merges.push_back(m.is_string() ? m.get<std::string>()
                                   : m[0].get<std::string>() + " " + m[1].get<std::string>());
  }
  GgufWriter w;
  EXPECT_TRUE(w.Add("tokenizer.ggml.model", GgufValue::String("gpt2")).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.pre", GgufValue::String(pre)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.tokens", GgufValue::StringArray(tokens)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.token_type", GgufValue::I32Array(types)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.merges", GgufValue::StringArray(merges)).ok());
  if (bos >= 0) {
    EXPECT_TRUE(w.Add("tokenizer.ggml.bos_token_id", GgufValue::U32(bos)).ok());
  }
  EXPECT_TRUE(w.Add("tokenizer.ggml.add_bos_token", GgufValue::Bool(add_bos)).ok());
  auto f = GgufFile::FromBytes(*w.Serialize());
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  auto t = Tokenizer::FromGguf(**f);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : nullptr;
}

void CheckVectors(const std::string& name, const std::string& pre, int bos, bool add_bos) {
  const std::string dir = DataDir() + "/" + name;
  if (!std::filesystem::exists(dir + "/expected.json")) {
    GTEST_SKIP() << "no tokenizer vectors in " << dir
                 << " (run tests/data/engine_tokenizer_vectors.sh to fetch them)";
  }
  auto tok = FromTokenizerJson(dir, pre, bos, add_bos);
  ASSERT_NE(tok, nullptr);
  std::ifstream in(dir + "/expected.json");
  const auto e = nlohmann::json::parse(in);
  int checked = 0;
  for (const auto& c : e["cases"]) {
    const std::string text = c["text"].get<std::string>();
    TokenizeOptions o;
    o.add_special = false;
    o.parse_special = c["parse_special"].get<bool>();
    auto ids = tok->Encode(text, o);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, c["ids"].get<std::vector<TokenId>>()) << name << ": \"" << text << "\"";
    EXPECT_EQ(tok->Decode(*ids, /*render_special=*/true), text) << name;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(RealVocabTokenizerTest, Llama3) { CheckVectors("llama3", "llama-bpe", 128000, true); }
TEST(RealVocabTokenizerTest, Qwen3) { CheckVectors("qwen3", "qwen2", -1, false); }

}  // namespace
}  // namespace archivist::engine
