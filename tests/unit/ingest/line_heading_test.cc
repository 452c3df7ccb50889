#include <gtest/gtest.h>

#include "archivist/ingest/chunker.h"

namespace archivist::ingest {
namespace {

TEST(LineHeadingLevelTest, RecognizesHeadingsAndRejectsSentencesAndListItems) {
  std::string label;
  EXPECT_EQ(LineHeadingLevel("## Medications", &label), 2);
  EXPECT_EQ(label, "Medications");
  EXPECT_EQ(LineHeadingLevel("DISCHARGE SUMMARY"), 1);
  EXPECT_EQ(LineHeadingLevel("History of Present Illness", &label), 2);
  EXPECT_EQ(label, "History of Present Illness");
  EXPECT_EQ(LineHeadingLevel("Allergies:", &label), 3);
  EXPECT_EQ(label, "Allergies");
  EXPECT_EQ(LineHeadingLevel("She was referred to cardiology in February 2024."), 0);
  EXPECT_EQ(LineHeadingLevel("- Penicillin"), 0);
  EXPECT_EQ(LineHeadingLevel("1. Atrial Fibrillation"), 0);
  EXPECT_EQ(LineHeadingLevel(""), 0);
}

}  // namespace
}  // namespace archivist::ingest
