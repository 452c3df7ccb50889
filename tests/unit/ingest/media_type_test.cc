// Type detection by content, names, option validation, and the plain-text / Markdown path.

#include <gtest/gtest.h>

#include <string>

#include "archivist/ingest/extractor.h"

namespace archivist::ingest {
namespace {

using namespace std::string_literals;

TEST(MediaTypeTest, DetectsByMagicBytes) {
  EXPECT_EQ(DetectMediaType("%PDF-1.7\n..."), MediaType::kPdf);
  EXPECT_EQ(DetectMediaType("II*\0rest"s), MediaType::kTiff);
  EXPECT_EQ(DetectMediaType("MM\0*rest"s), MediaType::kTiff);
  EXPECT_EQ(DetectMediaType("\x89PNG\r\n\x1a\n....."s), MediaType::kPng);
  EXPECT_EQ(DetectMediaType("\xFF\xD8\xFF\xE0....JFIF"s), MediaType::kJpeg);
}

TEST(MediaTypeTest, PdfHeaderMayFollowJunkWithinOneKiB) {
  EXPECT_EQ(DetectMediaType(std::string(1000, '\0') + "%PDF-1.4"), MediaType::kPdf);
  EXPECT_NE(DetectMediaType(std::string(2000, '\0') + "%PDF-1.4"), MediaType::kPdf);
}

TEST(MediaTypeTest, TextAndMarkdown) {
  EXPECT_EQ(DetectMediaType("Just a note.\nSecond line, caf\xC3\xA9."), MediaType::kText);
  EXPECT_EQ(DetectMediaType("- one\n- two\nplain list, not markdown by itself"), MediaType::kText);
  EXPECT_EQ(DetectMediaType("# Title\n\nSome text."), MediaType::kMarkdown);
  EXPECT_EQ(DetectMediaType("Intro\n```\ncode\n```\n"), MediaType::kMarkdown);
  EXPECT_EQ(DetectMediaType("* item\n* item two\nsee [docs](http://x)"), MediaType::kMarkdown);
}

TEST(MediaTypeTest, BinaryAndBrokenUtf8AreUnknown) {
  EXPECT_EQ(DetectMediaType(""), MediaType::kUnknown);
  EXPECT_EQ(DetectMediaType("text with a \0 NUL"s), MediaType::kUnknown);
  EXPECT_EQ(DetectMediaType("latin-1 caf\xE9 is not UTF-8"), MediaType::kUnknown);
  EXPECT_EQ(DetectMediaType("overlong \xC0\xAF slash"), MediaType::kUnknown);
  EXPECT_EQ(DetectMediaType("PK\x03\x04zipdata\x01\x02"), MediaType::kUnknown);
}

TEST(MediaTypeTest, NamesRoundTrip) {
  for (MediaType t : {MediaType::kUnknown, MediaType::kPdf, MediaType::kTiff, MediaType::kPng,
                      MediaType::kJpeg, MediaType::kText, MediaType::kMarkdown}) {
    EXPECT_EQ(MediaTypeFromName(MediaTypeName(t)), t);
  }
  EXPECT_EQ(MediaTypeName(MediaType::kPdf), "application/pdf");
  EXPECT_EQ(MediaTypeFromName("video/mp4"), MediaType::kUnknown);
  EXPECT_EQ(PageSourceName(PageSource::kMixed), "mixed");
}

TEST(ExtractTest, EmptyInputIsInvalidArgument) {
  auto result = Extract("", ExtractOptions());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "empty file");
}

TEST(ExtractTest, UnknownTypeIsUnsupportedAndSaysWhatItSaw) {
  auto result =
      Extract("PK\x03\x04\x14\x00\x00\x00\x08\x00 zip-ish bytes \x01\x02\x03"s, ExtractOptions());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(result.status().message().find("unsupported file type (detected: "), std::string::npos)
      << result.status().message();
}

TEST(ExtractTest, InvalidOptionsAreRejected) {
  ExtractOptions options;
  options.ocr_dpi = 5;
  EXPECT_EQ(Extract("hello", options).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ExtractOptions().Validate().ok());
}

TEST(ExtractTest, PlainTextPagesSplitAtFormFeedsAndAreNfkcNormalized) {
  // U+FB01 (fi ligature), U+FF21 (full-width A), a soft hyphen and CRLF line ends.
  const std::string text =
      "The \xEF\xAC\x81rst page\r\nends here\f\xEF\xBC\xA1 second"
      " hy\xC2\xADphen page\f";
  auto result = Extract(text, ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->media_type, MediaType::kText);
  ASSERT_EQ(result->pages.size(), 2u);
  EXPECT_EQ(result->pages[0].text, "The first page\nends here");
  EXPECT_EQ(result->pages[1].text, "A second hyphen page");
  EXPECT_EQ(result->pages[1].number, 2);
  EXPECT_EQ(result->pages[1].source, PageSource::kTextLayer);
}

TEST(ExtractTest, MarkdownIsOnePage) {
  auto result = Extract("# Notes\n\n- first\n- second\n", ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->media_type, MediaType::kMarkdown);
  ASSERT_EQ(result->pages.size(), 1u);
  EXPECT_EQ(result->pages[0].text, "# Notes\n\n- first\n- second\n");
}

}  // namespace
}  // namespace archivist::ingest
