// The OCR pixel budget admits pages while they fit, parks the rest in arrival order without
// letting a later page overtake, and always lets a page start when nothing is in OCR, so a page
// larger than the whole budget runs alone instead of waiting forever.

#include "ocr_budget.h"

#include <gtest/gtest.h>

#include <vector>

namespace archivist::pipeline {
namespace {

TEST(OcrBudgetTest, PagesWaitForTheBudgetInArrivalOrderAndNeverOvertake) {
  PixelBudget<int> budget(10);
  int a = 1, b = 2, c = 3, d = 4;
  EXPECT_TRUE(budget.Admit(a, 6));
  EXPECT_FALSE(budget.Admit(b, 6));  // 12 > 10: parked
  EXPECT_FALSE(budget.Admit(c, 1));  // would fit, but b came first
  EXPECT_EQ(budget.waits(), 2);
  // a finishes: b (6) and then c (1) fit together.
  EXPECT_EQ(budget.Release(6), (std::vector<int>{2, 3}));
  EXPECT_EQ(budget.peak(), 7);
  EXPECT_FALSE(budget.Admit(d, 4));  // 7 + 4 > 10
  EXPECT_EQ(budget.Release(1), std::vector<int>{4});  // c done: 6 + 4 fits exactly
  EXPECT_EQ(budget.Release(6), std::vector<int>{});
  EXPECT_EQ(budget.Release(4), std::vector<int>{});
  EXPECT_EQ(budget.peak(), 10);
  EXPECT_EQ(budget.waits(), 3);
}

TEST(OcrBudgetTest, APageLargerThanTheBudgetRunsAloneAndThenReleasesTheRest) {
  PixelBudget<int> budget(10);
  int small = 1, huge = 2, after = 3;
  EXPECT_TRUE(budget.Admit(small, 4));
  EXPECT_FALSE(budget.Admit(huge, 25));   // waits for the page in OCR to finish ...
  EXPECT_FALSE(budget.Admit(after, 1));
  EXPECT_EQ(budget.Release(4), std::vector<int>{2});  // ... then runs alone
  EXPECT_EQ(budget.peak(), 25);
  EXPECT_EQ(budget.Release(25), std::vector<int>{3});
  EXPECT_EQ(budget.Release(1), std::vector<int>{});
  int next = 4;
  EXPECT_TRUE(budget.Admit(next, 30));  // nothing in OCR: any page starts at once
}

TEST(OcrBudgetTest, NoBudgetAdmitsEverything) {
  PixelBudget<int> budget(0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(budget.Admit(i, 1'000'000));
  EXPECT_EQ(budget.peak(), 5'000'000);
  EXPECT_EQ(budget.waits(), 0);
}

}  // namespace
}  // namespace archivist::pipeline
