// Tokenizers against the reference's token ids for every model and prompt.
#include "archivist/engine/tokenizer.h"

#include <gtest/gtest.h>

#include "archivist/base/file_util.h"
#include "archivist/engine/gguf.h"
#include "oracle_util.h"

namespace archivist::engine {
namespace {

using testing::Manifest;
using testing::OracleDir;

std::unique_ptr<Tokenizer> LoadTokenizer(const std::string& model) {
  auto f = GgufFile::Open(OracleDir() + "/models/" + model + ".q8_0.gguf");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) return nullptr;
  auto t = Tokenizer::FromGguf(**f);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : nullptr;
}

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

TEST(TokenizerOracleTest, PromptTokensMatchTheReference) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  int checked = 0;
  for (const auto& [model, m] : Manifest()["models"].items()) {
    auto tok = LoadTokenizer(model);
    ASSERT_NE(tok, nullptr) << model;
    for (const auto& [prompt, ids] : m["prompt_tokens"].items()) {
      SCOPED_TRACE(model + " / " + prompt);
      auto text = ReadFile(OracleDir() + "/prompts/" + prompt + ".txt");
      ASSERT_TRUE(text.ok());
      auto got = tok->Encode(*text);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const auto want = ids.get<std::vector<TokenId>>();
      EXPECT_EQ(*got, want);
      if (*got != want && m["prompt_pieces_hex"].contains(prompt)) {
        const auto& pieces = m["prompt_pieces_hex"][prompt];
        for (size_t i = 0; i < std::min(got->size(), want.size()); ++i) {
          if ((*got)[i] != want[i]) {
            ADD_FAILURE() << "first difference at " << i << ": got '"
                          << Hex(tok->TokenToPiece((*got)[i], true)) << "' want '"
                          << pieces[i].get<std::string>() << "'";
            break;
          }
        }
      }
      // Byte-level BPE decodes back to the exact input.
      if (tok->model() == "gpt2") {
        EXPECT_EQ(tok->Decode(*got), *text);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 19);  // 6 models x 3 short prompts + the long one (llama4)
}

TEST(TokenizerOracleTest, GeneratedPiecesMatchTheReference) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  for (const char* model : {"llama4_moe_dev", "qwen3moe_dev", "llama_dense_dev"}) {
    auto tok = LoadTokenizer(model);
    ASSERT_NE(tok, nullptr);
    const auto& res = Manifest()["models"][model]["results"]["f32"]["precise"]["clinical"];
    auto run = nlohmann::json::parse(
        *ReadFile(OracleDir() + "/" + res["json"].get<std::string>()));
    const auto gen = run["gen_tokens"].get<std::vector<TokenId>>();
    const auto hex = run["gen_pieces_hex"].get<std::vector<std::string>>();
    ASSERT_EQ(gen.size(), hex.size());
    for (size_t i = 0; i < gen.size(); ++i) EXPECT_EQ(Hex(tok->TokenToPiece(gen[i])), hex[i]);
  }
}

TEST(TokenizerOracleTest, SpecialTokensAndOptions) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  auto tok = LoadTokenizer("llama_moe_dev");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->bos(), 1023);
  EXPECT_TRUE(tok->add_bos());
  EXPECT_TRUE(tok->IsEndOfGeneration(1023));
  TokenizeOptions plain;
  plain.add_special = false;
  auto a = tok->Encode("hi <|endoftext|>", plain);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(std::count(a->begin(), a->end(), 1023), 0);  // special text is plain text by default
  TokenizeOptions special = plain;
  special.parse_special = true;
  auto b = tok->Encode("hi <|endoftext|>", special);
  ASSERT_TRUE(b.ok());
  ASSERT_FALSE(b->empty());
  EXPECT_EQ(b->back(), 1023);
  EXPECT_EQ(tok->Decode(*b), "hi ");
  EXPECT_EQ(tok->Decode(*b, /*render_special=*/true), "hi <|endoftext|>");
  // Invalid UTF-8 and control bytes still round-trip through byte tokens.
  const std::string weird("\xff\xfe a\x01\x80 \xe2\x82", 10);
  auto c = tok->Encode(weird, plain);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(tok->Decode(*c), weird);

  auto bert = LoadTokenizer("bert_dev");
  ASSERT_NE(bert, nullptr);
  auto e = bert->Encode("");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<TokenId>{2, 3}));
}

// A very long single pre-tokenizer piece (one run of letters) must not stall the merge loop.
TEST(TokenizerOracleTest, LongPiecesStayFast) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  auto tok = LoadTokenizer("llama_dense_dev");
  ASSERT_NE(tok, nullptr);
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "thequickbrownfox"[i % 16];
  TokenizeOptions o;
  o.add_special = false;
  auto ids = tok->Encode(text, o);
  ASSERT_TRUE(ids.ok());
  EXPECT_LT(ids->size(), text.size());  // merges happened (the tiny vocabulary compresses little)
  EXPECT_EQ(tok->Decode(*ids), text);
}

TEST(TokenizerTest, RefusesUnknownModels) {
  GgufWriter w;
  ASSERT_TRUE(w.Add("tokenizer.ggml.model", GgufValue::String("rwkv")).ok());
  ASSERT_TRUE(w.Add("tokenizer.ggml.tokens", GgufValue::StringArray({"a"})).ok());
  auto f = GgufFile::FromBytes(*w.Serialize());
  ASSERT_TRUE(f.ok());
  auto t = Tokenizer::FromGguf(**f);
  EXPECT_EQ(t.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(t.status().message().find("rwkv"), std::string::npos);

  GgufWriter w2;
  ASSERT_TRUE(w2.Add("tokenizer.ggml.model", GgufValue::String("gpt2")).ok());
  ASSERT_TRUE(w2.Add("tokenizer.ggml.pre", GgufValue::String("mystery")).ok());
  ASSERT_TRUE(w2.Add("tokenizer.ggml.tokens", GgufValue::StringArray({"a"})).ok());
  auto f2 = GgufFile::FromBytes(*w2.Serialize());
  ASSERT_TRUE(f2.ok());
  EXPECT_EQ(Tokenizer::FromGguf(**f2).status().code(), StatusCode::kUnsupported);

  GgufWriter w3;
  ASSERT_TRUE(w3.Add("tokenizer.ggml.model", GgufValue::String("gpt2")).ok());
  ASSERT_TRUE(w3.Add("tokenizer.ggml.tokens", GgufValue::StringArray({"a"})).ok());
  ASSERT_TRUE(w3.Add("tokenizer.ggml.bos_token_id", GgufValue::U32(5)).ok());
  auto f3 = GgufFile::FromBytes(*w3.Serialize());
  ASSERT_TRUE(f3.ok());
  EXPECT_EQ(Tokenizer::FromGguf(**f3).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace archivist::engine

namespace archivist::engine {
namespace {

// A hand-made SentencePiece vocabulary: merges follow the scores, unknown characters fall back to
// byte tokens, spaces become U+2581 with a prefixed space.
std::unique_ptr<Tokenizer> SpmTokenizer() {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};
  std::vector<float> scores = {0, 0, 0};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    tokens.push_back(name);
    types.push_back(6);
    scores.push_back(0);
  }
  const std::pair<const char*, float> pieces[] = {
      {"\xE2\x96\x81", -1}, {"h", -2},  {"e", -2},   {"l", -2},        {"o", -2},
      {"w", -2},            {"r", -2},  {"d", -2},   {"ll", -3},       {"he", -4},
      {"hell", -5},         {"\xE2\x96\x81h", -6},   {"\xE2\x96\x81hello", -1.5f},
      {"hello", -5.5f},     {"wor", -9}, {"or", -3}, {"\xE2\x96\x81w", -7}};
  for (const auto& [p, s] : pieces) {
    tokens.push_back(p);
    types.push_back(1);
    scores.push_back(s);
  }
  GgufWriter w;
  EXPECT_TRUE(w.Add("tokenizer.ggml.model", GgufValue::String("llama")).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.tokens", GgufValue::StringArray(tokens)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.token_type", GgufValue::I32Array(types)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.scores", GgufValue::F32Array(scores)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.bos_token_id", GgufValue::U32(1)).ok());
  EXPECT_TRUE(w.Add("tokenizer.ggml.eos_token_id", GgufValue::U32(2)).ok());
  auto f = GgufFile::FromBytes(*w.Serialize());
  EXPECT_TRUE(f.ok());
  auto t = Tokenizer::FromGguf(**f);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : nullptr;
}

TEST(SpmTokenizerTest, MergesByScoreWithByteFallback) {
  auto tok = SpmTokenizer();
  ASSERT_NE(tok, nullptr);
  auto id = [&](const std::string& piece) {
    for (TokenId i = 0; i < tok->n_vocab(); ++i) {
      if (tok->TokenText(i) == piece) return i;
    }
    return -1;
  };
  auto ids = tok->Encode("hello world!");
  ASSERT_TRUE(ids.ok());
  // ll, he, hell, hello, ▁hello merge in score order; "world" stops at "▁w" + "or" + "l" + "d"
  // ("▁w" outscores "wor");
  // "!" is not in the vocabulary and falls back to its byte token.
  const std::vector<TokenId> want = {1, id("\xE2\x96\x81hello"), id("\xE2\x96\x81w"), id("or"),
                                     id("l"), id("d"), id("<0x21>")};
  EXPECT_EQ(*ids, want);
  EXPECT_EQ(tok->Decode(*ids), " hello world!");
  // Multi-byte characters outside the vocabulary become one byte token per byte.
  auto u = tok->Encode("\xC3\xA9", {.add_special = false});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (std::vector<TokenId>{id("\xE2\x96\x81"), id("<0xC3>"), id("<0xA9>")}));
  EXPECT_EQ(tok->Decode(*u), " \xC3\xA9");
  EXPECT_TRUE(tok->IsEndOfGeneration(2));
  // The whole text is one merge problem: 120k characters must still be quick.
  std::string big;
  for (int i = 0; i < 10000; ++i) big += "hello world!";
  auto many = tok->Encode(big, {.add_special = false});
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 10000u * 6);  // per repeat: (▁)hello ▁w or l d !
  EXPECT_EQ(tok->Decode(*many), " " + big);
}

}  // namespace
}  // namespace archivist::engine
