#include <gtest/gtest.h>

#include <cmath>

#include "archivist/index/embedder.h"

namespace archivist::index {
namespace {

double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(BuiltinEmbedderTest, DeterministicNormalizedAndNamed) {
  auto e = MakeBuiltinEmbedder();
  EXPECT_EQ(e->Name(), "builtin-hash-v1/384");
  EXPECT_EQ(e->Dimension(), 384);
  auto r = e->Embed({"The patient was prescribed warfarin.", "The patient was prescribed warfarin.", ""});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], (*r)[1]);
  EXPECT_NEAR(Dot((*r)[0], (*r)[0]), 1.0, 1e-5);
  EXPECT_EQ(Dot((*r)[2], (*r)[2]), 0.0);  // nothing to embed: the zero vector
}

TEST(BuiltinEmbedderTest, SharedWordsScoreHigherThanUnrelatedText) {
  auto e = MakeBuiltinEmbedder();
  auto r = e->Embed({
      "wire transfer to an offshore bank account",
      "the offshore account received a wire transfer",
      "patient prescribed anticoagulants after surgery",
      "transfers wired offshore",  // inflections and word forms
  });
  ASSERT_TRUE(r.ok());
  const auto& v = *r;
  const double related = Dot(v[0], v[1]);
  const double unrelated = Dot(v[0], v[2]);
  EXPECT_GT(related, 0.4);
  EXPECT_LT(std::fabs(unrelated), 0.2);
  EXPECT_GT(related, unrelated + 0.3);
  EXPECT_GT(Dot(v[0], v[3]), Dot(v[2], v[3]) + 0.2);
}

}  // namespace
}  // namespace archivist::index
