// Every model of the reference set opens and matches its manifest entry.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "archivist/base/file_util.h"
#include "archivist/engine/gguf.h"
#include "archivist/engine/model_summary.h"
#include "oracle_util.h"

namespace archivist::engine {
namespace {

using testing::Manifest;
using testing::OracleDir;

TEST(GgufOracleTest, EveryModelFileMatchesTheManifest) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  int files = 0;
  for (const auto& [model, m] : Manifest()["models"].items()) {
    for (const auto& [variant, fm] : m["files"].items()) {
      SCOPED_TRACE(model + "." + variant);
      auto f = GgufFile::Open(OracleDir() + "/" + fm["file"].get<std::string>());
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      const GgufFile& g = **f;
      EXPECT_EQ(g.file_size(), fm["bytes"].get<uint64_t>());
      EXPECT_EQ(g.Architecture(), m["arch"].get<std::string>());
      const auto& tensors = fm["tensors"];
      ASSERT_EQ(g.tensors().size(), tensors.size());
      for (const auto& [name, t] : tensors.items()) {
        const GgufTensorInfo* ti = g.FindTensor(name);
        ASSERT_NE(ti, nullptr) << name;
        EXPECT_EQ(TensorTypeName(ti->type), t["type"].get<std::string>()) << name;
        EXPECT_EQ(ti->ne, t["ne"].get<std::vector<int64_t>>()) << name;
      }
      // Non-tokenizer metadata of the F32 file agree in value.
      if (variant == "f32") {
        for (const auto& [key, val] : m["gguf_metadata"].items()) {
          const GgufValue* v = g.Find(key);
          ASSERT_NE(v, nullptr) << key;
          if (val.is_string()) {
            EXPECT_EQ(v->AsString(), val.get<std::string>()) << key;
          } else if (val.is_number_integer()) {
            EXPECT_EQ(v->AsI64(), val.get<int64_t>()) << key;
          } else if (val.is_number_float()) {
            EXPECT_FLOAT_EQ(v->AsF64(), val.get<double>()) << key;
          }
        }
        const auto& tok = m["tokenizer"];
        auto tokens = g.GetStringArray("tokenizer.ggml.tokens");
        ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
        EXPECT_EQ(tokens->size(), tok["n_tokens"].get<size_t>());
        EXPECT_EQ(*g.GetString("tokenizer.ggml.model"), tok["tokenizer.ggml.model"].get<std::string>());
      }
      ModelSummary s = SummarizeGguf(g);
      EXPECT_EQ(s.parameter_count, m["n_params"].get<uint64_t>());
      ++files;
    }
  }
  EXPECT_EQ(files, 18);
}

TEST(GgufOracleTest, TruncatedRealModelFailsCleanly) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  auto bytes = ReadFile(OracleDir() + "/models/qwen3moe_dev.q4_k_m.gguf");
  ASSERT_TRUE(bytes.ok());
  auto full = GgufFile::FromBytes(*bytes);
  ASSERT_TRUE(full.ok());
  const uint64_t header = (*full)->data_offset();
  // Dense through the metadata and tensor table (tokenizer arrays included), sparse in the data.
  for (uint64_t n = 0; n < bytes->size(); n += (n < header ? 7 : 4099)) {
    auto f = GgufFile::FromBytes(std::string_view(*bytes).substr(0, n));
    ASSERT_FALSE(f.ok()) << n;
    EXPECT_NE(f.status().message(), "") << n;
  }
}

// A small in-process fuzzer: random byte flips, smashed 8-byte counts and splices on a real model's
// header; every mutant must parse or fail with a Status (run under ASan/UBSan to catch the rest).
TEST(GgufOracleTest, RandomMutationsNeverCrash) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  auto bytes = ReadFile(OracleDir() + "/models/llama_dense_dev.q4_k_m.gguf");
  ASSERT_TRUE(bytes.ok());
  auto full = GgufFile::FromBytes(*bytes);
  ASSERT_TRUE(full.ok());
  const size_t header = (*full)->data_offset();
  const std::string& base = *bytes;
  std::mt19937_64 rng(20261127);
  int parsed = 0, failed = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % header;
      switch (rng() % 3) {
        case 0: m[at] = static_cast<char>(rng()); break;
        case 1: {
          const uint64_t v = rng() % 2 ? rng() : (rng() % 64);
          std::memcpy(m.data() + std::min(at, m.size() - 8), &v, 8);
          break;
        }
        default: m.erase(at, rng() % 16); break;
      }
    }
    auto f = GgufFile::FromBytes(m);
    if (f.ok()) {
      ++parsed;
      for (const auto& t : (*f)->tensors()) {
        // Whatever parsed must lie inside the buffer.
        ASSERT_LE((*f)->data_offset() + t.offset + t.n_bytes, (*f)->file_size());
      }
    } else {
      ++failed;
      EXPECT_FALSE(f.status().message().empty());
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(parsed, 0);  // mutations of string bytes and padding still parse
  std::printf("  mutations: %d parsed, %d refused\n", parsed, failed);
}

}  // namespace
}  // namespace archivist::engine
