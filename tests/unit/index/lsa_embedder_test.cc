#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "archivist/base/file_util.h"
#include "archivist/index/embedder.h"

namespace archivist::index {
namespace {

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// Two topics whose words co-occur within documents but never all in one sentence: LSA must put
// words of the same topic together even when the query and target share no word.
std::vector<std::string> TopicCorpus() {
  const std::vector<std::string> medical = {"warfarin", "anticoagulant", "clot", "bleeding", "dose", "inr"};
  const std::vector<std::string> finance = {"invoice", "payment", "wire", "bank", "account", "ledger"};
  std::mt19937 rng(7);
  std::vector<std::string> corpus;
  for (int d = 0; d < 60; ++d) {
    const auto& topic = d % 2 ? medical : finance;
    std::string text = "the report notes";
    for (int w = 0; w < 4; ++w) text += " " + topic[rng() % topic.size()];
    corpus.push_back(text);
  }
  return corpus;
}

TEST(LsaEmbedderTest, LearnsWhichWordsGoTogether) {
  // Far fewer dimensions than the 15 terms: the reduction is what makes words of a topic share
  // a direction (at full rank every word would keep its own).
  LsaOptions o;
  o.dimension = 2;
  auto e = FitLsaEmbedder(TopicCorpus(), o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->Dimension(), 2);
  EXPECT_EQ((*e)->Name().rfind("builtin-lsa-v1/2/", 0), 0u) << (*e)->Name();
  auto v = (*e)->Embed({"warfarin", "anticoagulant bleeding", "wire payment", "zebra"});
  ASSERT_TRUE(v.ok());
  const auto& x = *v;
  EXPECT_NEAR(Dot(x[0], x[0]), 1.0, 1e-5);
  EXPECT_GT(Dot(x[0], x[1]), Dot(x[0], x[2]) + 0.5);
  EXPECT_EQ(Dot(x[3], x[3]), 0.0);  // out of vocabulary: nothing to project
}

TEST(LsaEmbedderTest, SaveLoadRoundTripAndFingerprint) {
  LsaOptions o;
  o.dimension = 8;
  auto e = FitLsaEmbedder(TopicCorpus(), o);
  ASSERT_TRUE(e.ok());
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("archivist-lsa-" + std::to_string(std::random_device{}()))).string();
  ASSERT_TRUE(SaveLsaEmbedder(**e, path).ok());
  auto loaded = LoadLsaEmbedder(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Name(), (*e)->Name());
  auto a = (*e)->Embed({"bank ledger payment"});
  auto b = (*loaded)->Embed({"bank ledger payment"});
  EXPECT_EQ(*a, *b);
  // Another fit (other corpus) gets another name, so an archive can tell them apart.
  auto corpus = TopicCorpus();
  corpus.push_back("entirely new words appear here twice");
  corpus.push_back("entirely new words appear here again");
  auto other = FitLsaEmbedder(corpus, o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->Name(), (*e)->Name());
  // Damaged files are refused, not trusted.
  ASSERT_TRUE(WriteFileAtomic(path, "ARCHIVIST-LSA1 truncated").ok());
  EXPECT_EQ(LoadLsaEmbedder(path).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SaveLsaEmbedder(*MakeBuiltinEmbedder(), path).code(), StatusCode::kInvalidArgument);
  std::filesystem::remove(path);
}

TEST(LsaEmbedderTest, RejectsUnusableInput) {
  EXPECT_EQ(FitLsaEmbedder({"one lonely text"}).status().code(), StatusCode::kInvalidArgument);
  LsaOptions o;
  o.dimension = 0;
  EXPECT_EQ(FitLsaEmbedder(TopicCorpus(), o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace archivist::index
