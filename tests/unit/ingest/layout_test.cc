// Layout rules on synthetic word boxes: lines, paragraph breaks, hyphen joining, margins.

#include "layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archivist::ingest {
namespace {

// Words of one line, 6 pt per character plus a space, baseline box [top, top + size].
std::vector<LayoutWord> Line(const std::string& text, double x, double top, double size = 10) {
  std::vector<LayoutWord> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    LayoutWord word;
    word.text = text.substr(pos, end - pos);
    word.x0 = x;
    word.x1 = x + 6.0 * word.text.size();
    word.y0 = top;
    word.y1 = top + size;
    word.font_size = size;
    word.space_after = end < text.size();
    words.push_back(word);
    x = word.x1 + 3;
    pos = end + 1;
  }
  return words;
}

std::vector<LayoutWord> Concat(std::vector<std::vector<LayoutWord>> parts) {
  std::vector<LayoutWord> all;
  for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

TEST(LayoutTest, LinesAndParagraphsFromGeometry) {
  const auto words =
      Concat({Line("Results", 72, 100, 16),  // bigger font: a heading
              Line("The first line of text", 72, 122), Line("continues on the next", 72, 134),
              Line("After a gap a new one", 72, 170)});
  const PageLayout layout = BuildLayout(words, 612, 792);
  ASSERT_EQ(layout.lines.size(), 4u);
  EXPECT_EQ(layout.lines[1].text, "The first line of text");
  EXPECT_EQ(RenderLayout(layout),
            "Results\n\nThe first line of text\ncontinues on the next\n\nAfter a gap a new one");
}

TEST(LayoutTest, ColumnJumpStartsParagraph) {
  const auto words = Concat({Line("left one", 72, 100), Line("left two", 72, 112),
                             Line("right one", 320, 100), Line("right two", 320, 112)});
  EXPECT_EQ(RenderLayout(BuildLayout(words, 612, 792)),
            "left one\nleft two\n\nright one\nright two");
}

TEST(LayoutTest, HyphenJoinsOnlyBeforeLowercase) {
  const auto words =
      Concat({Line("an inter-", 72, 100), Line("national deal", 72, 112),
              Line("with Jean-", 72, 124), Line("Luc and the X-", 72, 136), Line("ray", 72, 148)});
  EXPECT_EQ(RenderLayout(BuildLayout(words, 612, 792)),
            "an international deal\nwith Jean-\nLuc and the X-\nray");
}

TEST(LayoutTest, MarginsNeedThreePagesAndHalfOfThem) {
  auto page = [](int n, bool with_header) {
    auto words = Line("Body " + std::to_string(n * 13), 72, 400);
    if (with_header) {
      auto header = Line("Confidential draft " + std::to_string(n), 72, 20);
      words.insert(words.begin(), header.begin(), header.end());
    }
    return BuildLayout(words, 612, 792);
  };
  std::vector<PageLayout> two = {page(1, true), page(2, true)};
  EXPECT_EQ(RemoveRepeatedMargins(two), 0);

  std::vector<PageLayout> pages = {page(1, true), page(2, true), page(3, true), page(4, false),
                                   page(5, false)};
  EXPECT_EQ(RemoveRepeatedMargins(pages), 3);
  EXPECT_EQ(RenderLayout(pages[0]), "Body 13");

  // Two of five pages are not enough to call a line a running header.
  std::vector<PageLayout> sparse = {page(1, true), page(2, true), page(3, false), page(4, false),
                                    page(5, false)};
  EXPECT_EQ(RemoveRepeatedMargins(sparse), 0);

  // Pages that hold only a line near the top keep it: there is no body for it to head.
  std::vector<PageLayout> titles;
  for (int n = 1; n <= 4; ++n)
    titles.push_back(BuildLayout(Line("Slide " + std::to_string(n), 72, 20), 612, 792));
  EXPECT_EQ(RemoveRepeatedMargins(titles), 0);
}

}  // namespace
}  // namespace archivist::ingest
