// The faithfulness check on hand-written answers (the analyzer is a plain lower-case word split,
// so the expectations can be counted by eye).

#include "faithfulness.h"

#include <gtest/gtest.h>

#include <cctype>

namespace archivist::pipeline {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      if (w != "the" && w != "was" && w != "a") out.push_back(w);
      w.clear();
    }
  }
  return out;
}

std::vector<CitedSource> Sources() {
  CitedSource one{1, {{"Warfarin was stopped after a bleed.", 2, 10, 45},
                      {"Apixaban was started in April.", 2, 46, 76}}};
  CitedSource two{2, {{"The patient went home on Friday.", 3, 0, 32}}};
  return {one, two};
}

TEST(FaithfulnessTest, SupportedUnsupportedUncitedAndUnknownSources) {
  FaithfulnessReport r = CheckFaithfulness(
      "Warfarin was stopped after a bleed [1]. Apixaban was started in April. [1] "
      "The patient went home on apixaban [2]. Warfarin caused the bleed [7]. "
      "Nobody cites this claim.",
      Sources(), Words, 0.75);
  ASSERT_EQ(r.sentences.size(), 5u);
  EXPECT_TRUE(r.sentences[0].supported);
  EXPECT_DOUBLE_EQ(r.sentences[0].support, 1.0);
  // A marker after the full stop belongs to the sentence before it.
  EXPECT_TRUE(r.sentences[1].supported);
  EXPECT_EQ(r.sentences[1].keys, std::vector<int>{1});
  // 4 of 5 terms (patient went home on | apixaban) -> 0.8 >= 0.75.
  EXPECT_TRUE(r.sentences[2].supported) << r.sentences[2].support;
  EXPECT_FALSE(r.sentences[3].supported);
  EXPECT_EQ(r.sentences[3].problem, "cites unknown source [7]");
  EXPECT_FALSE(r.sentences[4].supported);
  EXPECT_EQ(r.sentences[4].problem, "no citation");
  // The citation of [1] points at the sentence that shares the most terms with what cites it.
  ASSERT_TRUE(r.best.count(1));
  EXPECT_EQ(r.best.at(1).page, 2);
  EXPECT_EQ(r.best.count(7), 0u);
}

TEST(FaithfulnessTest, LowOverlapIsFlaggedAndRefusalsNeedNoCitation) {
  FaithfulnessReport r = CheckFaithfulness(
      "Apixaban was stopped for renal failure in May [1]. The archive does not say.", Sources(),
      Words, 0.5);
  ASSERT_EQ(r.sentences.size(), 2u);
  EXPECT_FALSE(r.sentences[0].supported);
  EXPECT_EQ(r.sentences[0].problem, "low overlap with the cited source");
  EXPECT_TRUE(r.sentences[1].supported);
}

TEST(FaithfulnessTest, CitedKeysInOrderOfFirstUse) {
  EXPECT_EQ(CitedKeys("a [3] b [1, 2] c [3][4] d [x] [12"), (std::vector<int>{3, 1, 2, 4}));
}

}  // namespace
}  // namespace archivist::pipeline
