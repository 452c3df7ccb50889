#include "sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archivist::pipeline {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  for (const SentenceSpan& s : SplitSentences(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

TEST(SentencesTest, SplitsAtTerminalPunctuationBeforeCapitals) {
  EXPECT_EQ(Split("Warfarin was stopped. Apixaban 5 mg was started! Is it safe? Yes."),
            (std::vector<std::string>{"Warfarin was stopped.", "Apixaban 5 mg was started!",
                                      "Is it safe?", "Yes."}));
}

TEST(SentencesTest, KeepsAbbreviationsAndDecimalsTogether) {
  EXPECT_EQ(Split("Seen by Dr. Smith on ward 3. Dose 2.5 mg daily e.g. with food."),
            (std::vector<std::string>{"Seen by Dr. Smith on ward 3.",
                                      "Dose 2.5 mg daily e.g. with food."}));
}

TEST(SentencesTest, LineBreaksEndSentencesAndSpansPointIntoTheText) {
  std::string text = "  Allergies:\n  penicillin (rash)\n\nNo further notes  ";
  auto spans = SplitSentences(text);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(text.substr(spans[0].begin, spans[0].end - spans[0].begin), "Allergies:");
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "penicillin (rash)");
  EXPECT_EQ(text.substr(spans[2].begin, spans[2].end - spans[2].begin), "No further notes");
}

TEST(SentencesTest, WrappedLinesJoinButShortLinesAndListItemsSplit) {
  std::string wrapped =
      "Reasons: labile INR with a time in therapeutic range of only 41% despite good\n"
      "adherence to dosing. She cannot easily reach the INR clinic for frequent\n"
      "monitoring.\nMedicine\nApixaban\n"
      "Follow-up with the general practitioner within seven days of discharge\n"
      "- check renal function";
  EXPECT_EQ(Split(wrapped),
            (std::vector<std::string>{
                "Reasons: labile INR with a time in therapeutic range of only 41% despite good\n"
                "adherence to dosing.",
                "She cannot easily reach the INR clinic for frequent\nmonitoring.", "Medicine",
                "Apixaban",
                "Follow-up with the general practitioner within seven days of discharge",
                "- check renal function"}));
}

TEST(SentencesTest, LowercaseAfterPeriodDoesNotSplit) {
  EXPECT_EQ(Split("See section 4.2 above. and more"), (std::vector<std::string>{
                                                          "See section 4.2 above. and more"}));
}

}  // namespace
}  // namespace archivist::pipeline
