// PDF text layer: words on the right pages, reading order, metadata, damaged and encrypted files.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "archivist/base/file_util.h"
#include "archivist/ingest/extractor.h"
#include "pdf_builder.h"

namespace archivist::ingest {
namespace {

using testing::BuildPdf;
using testing::LinesPage;
using testing::PdfInfo;
using testing::TwoColumnPage;

ExtractOptions NoOcr() {
  ExtractOptions options;
  options.enable_ocr = false;
  return options;
}

TEST(PdfExtractTest, ExtractsWordsOnTheRightPages) {
  const std::string pdf = BuildPdf({LinesPage({"Alpha bravo charlie delta", "echo foxtrot golf"}),
                                    LinesPage({"Second page hotel india juliet"}),
                                    LinesPage({"Third page kilo lima mike"})});
  auto result = Extract(pdf, ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->media_type, MediaType::kPdf);
  ASSERT_EQ(result->pages.size(), 3u);
  EXPECT_EQ(result->pages[0].text, "Alpha bravo charlie delta\necho foxtrot golf");
  EXPECT_EQ(result->pages[1].text, "Second page hotel india juliet");
  EXPECT_EQ(result->pages[2].text, "Third page kilo lima mike");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(result->pages[i].number, i + 1);
    EXPECT_EQ(result->pages[i].source, PageSource::kTextLayer);
    EXPECT_FLOAT_EQ(result->pages[i].ocr_confidence, -1.0f);
    EXPECT_DOUBLE_EQ(result->pages[i].width_pt, 612.0);
    EXPECT_DOUBLE_EQ(result->pages[i].height_pt, 792.0);
  }
}

TEST(PdfExtractTest, BlankLineSeparatesParagraphs) {
  const std::string pdf =
      BuildPdf({LinesPage({"First paragraph line one", "first paragraph line two", "",
                           "Second paragraph starts here"})});
  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->pages[0].text,
            "First paragraph line one\nfirst paragraph line two\n\nSecond paragraph starts here");
}

TEST(PdfExtractTest, ReadsTwoColumnsColumnByColumn) {
  const std::string pdf = BuildPdf({TwoColumnPage(
      {"Left column opens the story", "and continues down the left", "side of the page to here"},
      {"Right column follows after", "the left one is finished and", "ends the page right here"})});
  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const std::string& text = result->pages[0].text;
  EXPECT_EQ(text,
            "Left column opens the story\nand continues down the left\nside of the page to here"
            "\n\nRight column follows after\nthe left one is finished and\nends the page right "
            "here");
}

TEST(PdfExtractTest, JoinsHyphenatedLineEnds) {
  const std::string pdf = BuildPdf({LinesPage({"The extraction of docu-", "ments keeps well-",
                                               "Known names and ends in a dash -", "like this"})});
  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // "docu-" + "ments" joins; "well-" stays before an upper-case word; a lone dash is not a hyphen.
  EXPECT_EQ(result->pages[0].text,
            "The extraction of documents keeps well-\nKnown names and ends in a dash -\nlike this");
}

TEST(PdfExtractTest, RemovesRepeatedHeadersAndFooters) {
  std::vector<testing::PdfPageSpec> pages;
  for (int i = 1; i <= 4; ++i) {
    testing::PdfPageSpec page = LinesPage(
        {"Body text of page " + std::to_string(i) + " talks about topic " + std::to_string(i * 7)},
        72, 300);
    page.runs.push_back({72, 40, 9, "ACME Corp Quarterly Report"});
    page.runs.push_back({280, 770, 9, "Page " + std::to_string(i) + " of 4"});
    pages.push_back(page);
  }
  const std::string pdf = BuildPdf(pages);
  auto kept = Extract(pdf, [] {
    auto o = NoOcr();
    o.remove_headers_footers = false;
    return o;
  }());
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_NE(kept->pages[1].text.find("ACME Corp"), std::string::npos);
  EXPECT_NE(kept->pages[1].text.find("Page 2 of 4"), std::string::npos);

  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(result->pages[i].text, "Body text of page " + std::to_string(i + 1) +
                                         " talks about topic " + std::to_string((i + 1) * 7));
  }
}

TEST(PdfExtractTest, ReadsMetadata) {
  PdfInfo info;
  info.title = "Discharge Summary";
  info.author = "Dr. Jane Roe";
  info.creation_date = "D:20240115103000Z";
  auto result = Extract(BuildPdf({LinesPage({"Some body text here"})}, info), NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->metadata.title, "Discharge Summary");
  EXPECT_EQ(result->metadata.author, "Dr. Jane Roe");
  EXPECT_EQ(result->metadata.producer, "archivist pdf_builder");
  EXPECT_EQ(result->metadata.created, "2024-01-15T10:30:00Z");
  EXPECT_EQ(result->metadata.modified, "");
}

TEST(PdfExtractTest, ToleratesJunkBeforeHeader) {
  const std::string pdf =
      std::string(300, 'x') + "\n" + BuildPdf({LinesPage({"Prefixed document text"})});
  EXPECT_EQ(DetectMediaType(pdf), MediaType::kPdf);
  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->pages[0].text, "Prefixed document text");
}

TEST(PdfExtractTest, ReadsPdfWithoutHeaderLine) {
  std::string pdf = BuildPdf({LinesPage({"Headerless but readable"})});
  pdf.erase(0, pdf.find('\n') + 1);  // drop "%PDF-1.4"
  ASSERT_EQ(pdf.find("%PDF"), std::string::npos);
  EXPECT_EQ(DetectMediaType(pdf), MediaType::kPdf);
  auto result = Extract(pdf, NoOcr());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->pages[0].text, "Headerless but readable");
}

TEST(PdfExtractTest, TruncatedPdfIsCorruption) {
  const std::string pdf = BuildPdf({LinesPage({"Will be cut short"})});
  auto result = Extract(pdf.substr(0, 60), NoOcr());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption) << result.status().ToString();
}

TEST(PdfExtractTest, GarbledPdfIsCorruption) {
  std::string pdf = "%PDF-1.7\n" + std::string(4000, '\x01') + "\n%%EOF\n";
  auto result = Extract(pdf, NoOcr());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption) << result.status().ToString();
}

TEST(PdfExtractTest, TooManyPagesIsResourceExhausted) {
  const std::string pdf =
      BuildPdf({LinesPage({"one page"}), LinesPage({"two pages"}), LinesPage({"three pages"})});
  ExtractOptions options = NoOcr();
  options.max_pages = 2;
  auto result = Extract(pdf, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
}

TEST(PdfExtractTest, PassedDeadlineIsATypedTimeoutNamingThePage) {
  const std::string pdf =
      BuildPdf({LinesPage({"one page"}), LinesPage({"two pages"}), LinesPage({"three pages"})});
  ExtractOptions options = NoOcr();
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto result = Extract(pdf, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(result.status().message().find("timeout"), std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("page 1 of 3"), std::string::npos)
      << result.status().ToString();

  // The same file with a generous deadline goes through: the limit, not the file, failed it.
  options.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  auto in_time = Extract(pdf, options);
  ASSERT_TRUE(in_time.ok()) << in_time.status().ToString();
  EXPECT_EQ(in_time->pages.size(), 3u);
}

TEST(PdfExtractTest, ConcurrentCallsAgree) {
  const std::string pdf = BuildPdf({TwoColumnPage({"left words here", "more left words"},
                                                  {"right words here", "more right words"}),
                                    LinesPage({"A second page with plain lines"})});
  auto expected = Extract(pdf, NoOcr());
  ASSERT_TRUE(expected.ok());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto result = Extract(pdf, NoOcr());
        if (!result.ok() || result->pages.size() != 2 ||
            result->pages[0].text != expected->pages[0].text ||
            result->pages[1].text != expected->pages[1].text) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

std::string EncryptionDir() {
  return std::string(ARCHIVIST_SOURCE_DIR) + "/../shared/corpora/pdfs/pdfminer-samples/encryption";
}

TEST(PdfExtractTest, EncryptedPdfNeedsPassword) {
  if (!std::filesystem::is_directory(EncryptionDir())) {
    GTEST_SKIP() << "encryption corpus not found at " << EncryptionDir();
  }
  for (const char* name : {"rc4-40.pdf", "rc4-128.pdf", "aes-128.pdf", "aes-256.pdf"}) {
    SCOPED_TRACE(name);
    auto bytes = ReadFile(EncryptionDir() + "/" + name);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto locked = Extract(*bytes, NoOcr());
    ASSERT_FALSE(locked.ok());
    EXPECT_EQ(locked.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(locked.status().message().find("encrypted"), std::string::npos);

    ExtractOptions wrong = NoOcr();
    wrong.pdf_password = "not-the-password";
    EXPECT_EQ(Extract(*bytes, wrong).status().code(), StatusCode::kPermissionDenied);

    ExtractOptions right = NoOcr();
    right.pdf_password = "baz";
    auto opened = Extract(*bytes, right);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_FALSE(opened->pages.empty());
    // The unencrypted twin of these files holds the same text.
    auto base = ReadFile(EncryptionDir() + "/base.pdf");
    ASSERT_TRUE(base.ok());
    auto plain = Extract(*base, NoOcr());
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    ASSERT_EQ(plain->pages.size(), opened->pages.size());
    EXPECT_EQ(plain->pages[0].text, opened->pages[0].text);
    EXPECT_FALSE(opened->pages[0].text.empty());
  }
}

}  // namespace
}  // namespace archivist::ingest
