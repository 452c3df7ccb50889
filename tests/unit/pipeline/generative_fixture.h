#pragma once
// Tiny GGUF language models and a small on-disk archive for the generative ask/summarize tests.
//
// "Shaped" models answer with one chosen vocabulary entry whatever the prompt: every token embeds
// to the same all-ones vector, attention and FFN outputs are zero (the residual stream stays that
// vector), and only the chosen entry's output row is non-zero, so its logit is the only positive
// one. The entry is made a user-defined token holding a whole phrase ("unsafe", or an answer
// sentence citing [2]), which is how a test gets a deterministic verdict or cited answer.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "archivist/engine/gguf.h"
#include "archivist/engine/model_builder.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"

namespace archivist::pipeline::testing {

inline engine::RandomModelSpec TinySpec() {
  engine::RandomModelSpec spec;
  spec.arch = "qwen3moe";  // ChatML template
  spec.n_vocab = 512;
  spec.n_embd = 64;
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.head_dim = 16;
  spec.n_ff = 64;
  spec.n_expert = 4;
  spec.n_expert_used = 2;
  spec.n_ctx = 4096;
  spec.recipe = engine::WeightRecipe::kF32;
  return spec;
}

// The vocabulary id the shaped models put their phrase at (an "<unusedN>" filler of the builder).
constexpr int kPhraseToken = 400;

// Copies the random model at `base` to `out`, shaped to always produce `phrase`.
inline void WriteShapedModel(const std::string& base, const std::string& out,
                             const std::string& phrase) {
  auto file = engine::GgufFile::Open(base);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const engine::GgufFile& f = **file;
  engine::GgufWriter w;
  for (const engine::GgufKeyValue& kv : f.metadata()) {
    if (kv.key == "tokenizer.ggml.tokens") {
      auto tokens = f.GetStringArray(kv.key);
      ASSERT_TRUE(tokens.ok());
      (*tokens)[kPhraseToken] = phrase;
      ASSERT_TRUE(w.Add(kv.key, engine::GgufValue::StringArray(*tokens)).ok());
    } else if (kv.key == "tokenizer.ggml.token_type") {
      auto types = f.GetI32Array(kv.key);
      ASSERT_TRUE(types.ok());
      (*types)[kPhraseToken] = 4;  // user-defined: its text is output as is
      ASSERT_TRUE(w.Add(kv.key, engine::GgufValue::I32Array(*types)).ok());
    } else {
      ASSERT_TRUE(w.Add(kv.key, kv.value).ok());
    }
  }
  for (const engine::GgufTensorInfo& t : f.tensors()) {
    ASSERT_EQ(t.type, engine::TensorType::kF32) << t.name;
    std::vector<float> v(t.n_elements);
    std::memcpy(v.data(), t.data, t.n_bytes);
    const int64_t row = t.dim(0);
    if (t.name == "token_embd.weight" || t.name == "output_norm.weight") {
      std::fill(v.begin(), v.end(), 1.0f);
    } else if (t.name.find("attn_output") != std::string::npos ||
               t.name.find("ffn_down") != std::string::npos) {
      std::fill(v.begin(), v.end(), 0.0f);
    } else if (t.name == "output.weight") {
      std::fill(v.begin(), v.end(), 0.0f);
      std::fill(v.begin() + kPhraseToken * row, v.begin() + (kPhraseToken + 1) * row, 1.0f);
    }
    std::string bytes(reinterpret_cast<const char*>(v.data()), t.n_bytes);
    ASSERT_TRUE(w.AddTensor(t.name, t.type, t.ne, std::move(bytes)).ok()) << t.name;
  }
  ASSERT_TRUE(w.WriteFile(out).ok());
}

class GenerativeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("archivist-generative-test-" + std::to_string(rd()) + "-" + std::to_string(rd())))
               .string();
    std::filesystem::create_directories(dir_);
    model_ = dir_ + "/random.gguf";
    ASSERT_TRUE(engine::WriteRandomModel(TinySpec(), model_).ok());
    embedder_ = index::MakeBuiltinEmbedder();
    auto a = index::Archive::Open(dir_ + "/data", embedder_.get(), {});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    archive_ = std::move(a).value();
  }
  void TearDown() override {
    archive_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Shaped(const std::string& name, const std::string& phrase) {
    std::string path = dir_ + "/" + name + ".gguf";
    WriteShapedModel(model_, path, phrase);
    return path;
  }

  // One page per entry, one chunk per page.
  void AddDoc(const std::string& id, const std::string& title, const std::vector<std::string>& pages) {
    index::DocumentBundle b;
    b.document.doc_id = id;
    b.document.title = title;
    b.document.source_path = "/records/" + id + ".pdf";
    b.document.media_type = "application/pdf";
    b.document.collection = "default";
    int n = 1;
    for (const std::string& text : pages) {
      index::PageRecord p;
      p.number = n;
      p.text = text;
      p.source = "text_layer";
      b.pages.push_back(p);
      index::ChunkRecord c;
      c.ordinal = n - 1;
      c.first_page = c.last_page = n;
      c.spans.push_back({n, 0, static_cast<uint32_t>(text.size())});
      c.text = text;
      c.token_count = static_cast<int>(text.size() / 5);
      b.chunks.push_back(c);
      ++n;
    }
    auto ids = archive_->AddDocument(b);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  }

  std::string dir_;
  std::string model_;
  std::unique_ptr<index::Embedder> embedder_;
  std::unique_ptr<index::Archive> archive_;
};

}  // namespace archivist::pipeline::testing
