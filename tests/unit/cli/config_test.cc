#include "config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace archivist::cli {
namespace {

std::string WriteToml(const std::string& name, const std::string& body) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << body;
  return path;
}

TEST(ConfigTest, ShippedExampleLoadsAndEqualsTheDefaults) {
  auto c = LoadConfig(std::string(ARCHIVIST_SOURCE_DIR) + "/deploy/archivist.example.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  AppConfig d;
  EXPECT_EQ(c->data_dir, d.data_dir);
  EXPECT_EQ(c->ingest.extract.ocr_dpi, d.ingest.extract.ocr_dpi);
  EXPECT_EQ(c->ingest.chunk.target_tokens, d.ingest.chunk.target_tokens);
  EXPECT_EQ(c->archive.bm25_k1, d.archive.bm25_k1);
  EXPECT_EQ(c->search.mode, d.search.mode);
  EXPECT_EQ(c->server.host, d.server.host);
  EXPECT_EQ(c->server.port, d.server.port);
  EXPECT_EQ(c->ask.max_sentences, d.ask.max_sentences);
  EXPECT_EQ(c->ask.privacy.redact, d.ask.privacy.redact);
  EXPECT_EQ(c->ask.privacy.kinds, d.ask.privacy.kinds);
}

TEST(ConfigTest, PrivacyKindsAreChecked) {
  auto c = LoadConfig(WriteToml("privacy.toml", "[privacy]\nredact = true\nkinds = [\"email\"]\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ask.privacy.redact);
  EXPECT_EQ(c->ask.privacy.kinds, (std::set<pipeline::PiiKind>{pipeline::PiiKind::kEmail}));
  auto bad = LoadConfig(WriteToml("privacy_bad.toml", "[privacy]\nkinds = [\"shoe_size\"]\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("shoe_size"), std::string::npos);
}

TEST(ConfigTest, ValuesOverrideDefaults) {
  auto c = LoadConfig(WriteToml("override.toml", R"(
[data]
dir = "/srv/archive"
[ingest]
collection = "legal"
tags = ["2024", "contracts"]
ocr_dpi = 200
[search]
mode = "bm25"
k = 25
)"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/srv/archive");
  EXPECT_EQ(c->ingest.collection, "legal");
  EXPECT_EQ(c->ingest.tags, (std::vector<std::string>{"2024", "contracts"}));
  EXPECT_EQ(c->ingest.extract.ocr_dpi, 200);
  EXPECT_EQ(c->search.mode, index::SearchMode::kLexical);
  EXPECT_EQ(c->search.k, 25);
}

TEST(ConfigTest, UnknownKeysWrongTypesAndSyntaxErrorsAreReported) {
  auto unknown = LoadConfig(WriteToml("unknown.toml", "[search]\nkk = 3\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown key 'search.kk'"), std::string::npos);

  auto type = LoadConfig(WriteToml("type.toml", "[search]\nk = \"ten\"\n"));
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("'search.k' has the wrong type"), std::string::npos);

  auto syntax = LoadConfig(WriteToml("syntax.toml", "[search\nk = 3\n"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find(":1:"), std::string::npos);

  auto mode = LoadConfig(WriteToml("mode.toml", "[search]\nmode = \"fuzzy\"\n"));
  ASSERT_FALSE(mode.ok());
  EXPECT_NE(mode.status().message().find("hybrid"), std::string::npos);
}

}  // namespace
}  // namespace archivist::cli
