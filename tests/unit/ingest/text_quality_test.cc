// The "garbage text layer" half of the OCR decision: unmapped glyphs (U+FFFD, private-use code
// points) and too few characters send a page to OCR; a clean layer with a few odd glyphs does not.

#include <gtest/gtest.h>

#include <string>

#include "text_util.h"

namespace archivist::ingest {
namespace {

constexpr int kMinChars = 8;  // ExtractOptions::min_text_chars default

bool Usable(const std::string& text) { return IsUsableText(AssessText(text), kMinChars); }

TEST(TextQualityTest, CleanTextLayerIsUsable) {
  EXPECT_TRUE(Usable("Quarterly invoice for Harbor Medical"));
  // One unmapped glyph in a sentence does not condemn the page.
  EXPECT_TRUE(Usable("Quarterly invoice \xEF\xBF\xBD for Harbor Medical"));
}

TEST(TextQualityTest, UnmappedGlyphsMakeTheLayerGarbage) {
  // Mostly U+FFFD: a font without a ToUnicode map.
  std::string replacement;
  for (int i = 0; i < 30; ++i) replacement += "\xEF\xBF\xBD";
  const TextQuality quality = AssessText(replacement + " ab cd");
  EXPECT_EQ(quality.garbage, 30);
  EXPECT_EQ(quality.printable, 4);
  EXPECT_FALSE(IsUsableText(quality, kMinChars));
  // Private-use code points (U+E000..) are what symbolic fonts without a map produce.
  std::string private_use;
  for (int i = 0; i < 10; ++i) private_use += "\xEE\x80\x81";
  EXPECT_FALSE(Usable(private_use + " Harbor"));
  // The boundary: garbage may be up to a third of the characters.
  EXPECT_TRUE(Usable("abcdefgh\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
  EXPECT_FALSE(
      Usable("abcdefgh\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
}

TEST(TextQualityTest, TooFewCharactersCountAsNoTextLayer) {
  EXPECT_FALSE(Usable(""));
  EXPECT_FALSE(Usable("  \n 12 \n"));    // a page number on a scan
  EXPECT_FALSE(Usable("p. 1 of 9"));     // 6 printable: under the default 8
  EXPECT_TRUE(Usable("Page 1 of 9 ok"));  // 10 printable
}

}  // namespace
}  // namespace archivist::ingest
