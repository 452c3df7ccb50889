// OCR paths: image files, image-only PDF pages, mixed pages, rotation, the two-phase API.
// Pages are small (a few lines of large type) so each recognition stays well under a second.

#include "ocr.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <thread>

#include "archivist/ingest/extractor.h"
#include "pdf_builder.h"
#include "sources.h"

namespace archivist::ingest {
namespace {

using testing::BuildPdf;
using testing::LinesPage;
using testing::PdfPageSpec;

const std::vector<std::string> kLines = {"Quarterly invoice for Harbor", "Medical supplies total",
                                         "amount due in March"};

// Renders a small text page with Poppler: the "scan" the OCR tests read back.
PixHolder RenderTextPage(int dpi, const std::vector<std::string>& lines = kLines,
                         double height = 160) {
  PdfPageSpec spec = LinesPage(lines, 36, 60, 22, 30);
  spec.width = 400;
  spec.height = height;
  const std::string pdf = BuildPdf({spec});
  ExtractOptions options;
  options.ocr_dpi = dpi;
  auto document = OpenPdf(pdf, options);
  EXPECT_TRUE(document.ok());
  if (!document.ok()) return PixHolder();
  std::unique_ptr<poppler::page> page((*document)->create_page(0));
  int used = 0;
  auto pix = RenderPdfPage(*page, options, &used);
  EXPECT_TRUE(pix.ok()) << pix.status().ToString();
  EXPECT_EQ(used, dpi);
  return pix.ok() ? std::move(pix).value() : PixHolder();
}

std::string Encode(Pix* pix, int format) {
  l_uint8* data = nullptr;
  size_t size = 0;
  if (pixWriteMem(&data, &size, pix, format) != 0) return {};
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return bytes;
}

std::string GrayPixels(Pix* pix) {
  std::string pixels;
  for (int y = 0; y < pixGetHeight(pix); ++y) {
    l_uint32* line = pixGetData(pix) + y * pixGetWpl(pix);
    for (int x = 0; x < pixGetWidth(pix); ++x) {
      pixels.push_back(static_cast<char>(GET_DATA_BYTE(line, x)));
    }
  }
  return pixels;
}

bool RanOrientationDetection(const Page& page) {
  return std::find(page.preprocess_steps.begin(), page.preprocess_steps.end(), "osd") !=
         page.preprocess_steps.end();
}

// Seven lines: orientation detection wants a fair amount of text before it is confident; at
// 300 dpi this page is 2.2 megapixels, so orientation is detected on a half-size copy.
PixHolder RenderFullerPage() {
  std::vector<std::string> lines = kLines;
  for (const char* more : {"Shipping and handling included", "Payment by bank transfer only",
                           "Questions go to the billing desk", "Thank you for your business"}) {
    lines.push_back(more);
  }
  return RenderTextPage(300, lines, 300);
}

void ExpectKnownWords(const std::string& text) {
  for (const char* word : {"Quarterly", "invoice", "Harbor", "Medical", "supplies", "March"}) {
    EXPECT_NE(text.find(word), std::string::npos) << "missing '" << word << "' in: " << text;
  }
}

TEST(OcrTest, PngImageIsRecognized) {
  PixHolder pix = RenderTextPage(300);
  ASSERT_TRUE(pix);
  const std::string png = Encode(pix.get(), IFF_PNG);
  ASSERT_EQ(DetectMediaType(png), MediaType::kPng);
  auto result = Extract(png, ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->pages.size(), 1u);
  const Page& page = result->pages[0];
  EXPECT_EQ(page.source, PageSource::kOcr);
  ExpectKnownWords(page.text);
  EXPECT_GT(page.ocr_confidence, 60.0f);
  EXPECT_EQ(page.rotation_degrees, 0);
  // Read confidently as it is: orientation detection is not paid for.
  EXPECT_FALSE(RanOrientationDetection(page)) << ::testing::PrintToString(page.preprocess_steps);
  // 400 pt rendered at 300 dpi and stored with that resolution: back to 400 pt.
  EXPECT_NEAR(page.width_pt, 400.0, 1.0);
  EXPECT_NEAR(page.height_pt, 160.0, 1.0);
}

TEST(OcrTest, ImageOnlyPdfPageIsOcrdAndShortTextLayerMakesItMixed) {
  PixHolder pix = RenderTextPage(200);
  ASSERT_TRUE(pix);
  PdfPageSpec scan;
  scan.width = 400;
  scan.height = 160;
  scan.gray_pixels = GrayPixels(pix.get());
  scan.image_width = pixGetWidth(pix.get());
  scan.image_height = pixGetHeight(pix.get());
  PdfPageSpec stamped = scan;
  stamped.runs.push_back({300, 150, 6, "p. 2"});  // fewer than min_text_chars printable chars
  // Enough text layer to pass min_text_chars, but far too little for the ink on the page.
  PdfPageSpec footed = scan;
  footed.runs.push_back({200, 156, 5, "Scanned by records office 2024"});
  auto result = Extract(BuildPdf({scan, stamped, footed}), ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->pages.size(), 3u);
  EXPECT_EQ(result->pages[0].source, PageSource::kOcr);
  EXPECT_EQ(result->pages[1].source, PageSource::kMixed);
  EXPECT_EQ(result->pages[2].source, PageSource::kMixed);
  for (const Page& page : result->pages) {
    ExpectKnownWords(page.text);
    EXPECT_GT(page.ocr_confidence, 0.0f);
  }
}

TEST(OcrTest, ShortBornDigitalPageIsNotOcrd) {
  // Under 200 characters, so the ink check runs; all ink is explained by the text itself.
  auto result = Extract(BuildPdf({LinesPage({"Cover page", "Annual report 2024"}, 72, 72, 28, 40)}),
                        ExtractOptions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->pages[0].source, PageSource::kTextLayer);
  EXPECT_EQ(result->pages[0].text, "Cover page\nAnnual report 2024");
  EXPECT_FLOAT_EQ(result->pages[0].ocr_confidence, -1.0f);
}

TEST(OcrTest, OcrDisabledLeavesImagePagesEmpty) {
  PixHolder pix = RenderTextPage(100);
  ASSERT_TRUE(pix);
  ExtractOptions options;
  options.enable_ocr = false;
  auto result = Extract(Encode(pix.get(), IFF_PNG), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->pages[0].text.empty());
  EXPECT_FLOAT_EQ(result->pages[0].ocr_confidence, -1.0f);
}

TEST(OcrTest, SidewaysScanIsTurnedUpright) {
  PixHolder pix = RenderFullerPage();
  ASSERT_TRUE(pix);
  // The default: the turned page reads badly as it is, so orientation is detected, the page
  // turned and read again.
  for (int turns : {1, 2, 3}) {  // clockwise quarter turns applied to the scan
    SCOPED_TRACE(turns);
    PixHolder turned(pixRotateOrth(pix.get(), turns));
    auto result = Extract(Encode(turned.get(), IFF_PNG), ExtractOptions());
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    // A clockwise quarter turn Tesseract's layout analysis reads unaided (vertical lines).
    if (turns != 1) {
      EXPECT_EQ(result->pages[0].rotation_degrees, (4 - turns) * 90);
      EXPECT_TRUE(RanOrientationDetection(result->pages[0]));
    }
    ExpectKnownWords(result->pages[0].text);
  }
}

TEST(OcrTest, AlwaysOnOrientationDetectionRunsOnEveryPage) {
  PixHolder pix = RenderFullerPage();
  ASSERT_TRUE(pix);
  ExtractOptions options;
  options.auto_rotate_always = true;
  auto upright = Extract(Encode(pix.get(), IFF_PNG), options);
  ASSERT_TRUE(upright.ok()) << upright.status().ToString();
  EXPECT_TRUE(RanOrientationDetection(upright->pages[0]));
  EXPECT_EQ(upright->pages[0].rotation_degrees, 0);
  ExpectKnownWords(upright->pages[0].text);

  PixHolder sideways(pixRotateOrth(pix.get(), 1));
  auto turned = Extract(Encode(sideways.get(), IFF_PNG), options);
  ASSERT_TRUE(turned.ok()) << turned.status().ToString();
  EXPECT_EQ(turned->pages[0].rotation_degrees, 270);
  EXPECT_TRUE(RanOrientationDetection(turned->pages[0]));
  ExpectKnownWords(turned->pages[0].text);

  // auto_rotate off wins over always: no detection, the sideways page is read as it is.
  options.auto_rotate = false;
  auto off = Extract(Encode(sideways.get(), IFF_PNG), options);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(RanOrientationDetection(off->pages[0]));
  EXPECT_EQ(off->pages[0].rotation_degrees, 0);
}

TEST(OcrTest, MultiPageTiffPagesAreOcrdInParallel) {
  PixHolder first = RenderTextPage(150);
  ASSERT_TRUE(first);
  PixHolder second(pixCopy(nullptr, first.get()));
  pixSetResolution(second.get(), 300, 300);  // same pixels, declared at twice the resolution
  Pixa* pixa = pixaCreate(2);
  pixaAddPix(pixa, first.get(), L_COPY);
  pixaAddPix(pixa, second.get(), L_COPY);
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixaWriteMemMultipageTiff(&data, &size, pixa), 0);
  pixaDestroy(&pixa);
  const std::string tiff(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  ASSERT_EQ(DetectMediaType(tiff), MediaType::kTiff);

  ExtractOptions options;
  auto pending = ExtractWithoutOcr(tiff, options);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->document.pages.size(), 2u);
  ASSERT_EQ(pending->ocr_pages, (std::vector<int>{1, 2}));
  EXPECT_NEAR(pending->document.pages[0].width_pt, 400.0, 1.0);
  EXPECT_NEAR(pending->document.pages[1].width_pt, 200.0, 1.0);

  Status statuses[2];
  std::thread worker([&] { statuses[1] = OcrPage(tiff, options, &pending->document.pages[1]); });
  statuses[0] = OcrPage(tiff, options, &pending->document.pages[0]);
  worker.join();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].ToString();
    EXPECT_EQ(pending->document.pages[i].source, PageSource::kOcr);
    ExpectKnownWords(pending->document.pages[i].text);
  }
}

TEST(OcrTest, DeadlineStopsOcrWithATypedTimeout) {
  // Enough lines that recognition takes a good fraction of a second.
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i) lines.insert(lines.end(), kLines.begin(), kLines.end());
  PixHolder pix = RenderTextPage(300, lines, 420);
  ASSERT_TRUE(pix);
  const std::string png = Encode(pix.get(), IFF_PNG);
  ExtractOptions options;
  options.auto_rotate = false;
  auto pending = ExtractWithoutOcr(png, options);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->ocr_pages, (std::vector<int>{1}));

  // Already past when OCR starts: refused before any recognition.
  options.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  Page page = pending->document.pages[0];
  Status late = OcrPage(png, options, &page);
  EXPECT_EQ(late.code(), StatusCode::kResourceExhausted) << late.ToString();
  EXPECT_NE(late.message().find("timeout"), std::string::npos) << late.ToString();
  EXPECT_NE(late.message().find("page 1"), std::string::npos) << late.ToString();
  EXPECT_TRUE(page.text.empty());

  // Passing while Tesseract works: its monitor cancels recognition at the next word. Where it
  // lands (decoding, the pre-OCR check or mid-recognition) depends on the machine; the error is
  // the same typed timeout wherever it does.
  options.preprocess = PreprocessOptions{false, false, false, false};
  options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  Status cut = OcrPage(png, options, &page);
  EXPECT_EQ(cut.code(), StatusCode::kResourceExhausted) << cut.ToString();
  EXPECT_NE(cut.message().find("timeout"), std::string::npos) << cut.ToString();

  // The engine cancelled mid-page is left clean for the next page on this thread.
  options.deadline = std::chrono::steady_clock::time_point::max();
  Status full = OcrPage(png, options, &page);
  ASSERT_TRUE(full.ok()) << full.ToString();
  ExpectKnownWords(page.text);
}

TEST(OcrTest, SkewedScanIsDeskewedAndTheSkewReported) {
  std::vector<std::string> lines = kLines;
  for (const char* more : {"Shipping and handling included", "Payment by bank transfer only"}) {
    lines.push_back(more);
  }
  PixHolder pix = RenderTextPage(300, lines, 260);
  ASSERT_TRUE(pix);
  constexpr float kDegrees = 3.0f;
  PixHolder skewed(pixRotate(pix.get(), kDegrees * 3.14159265f / 180.0f, L_ROTATE_AREA_MAP,
                             L_BRING_IN_WHITE, 0, 0));
  ASSERT_TRUE(skewed);
  const std::string png = Encode(skewed.get(), IFF_PNG);
  ExtractOptions options;
  options.auto_rotate = false;
  options.preprocess = PreprocessOptions{};
  options.preprocess.deskew = true;
  auto result = Extract(png, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Page& page = result->pages[0];
  EXPECT_EQ(page.preprocess_steps, (std::vector<std::string>{"deskew"}));
  EXPECT_NEAR(std::abs(page.skew_degrees), kDegrees, 0.5) << page.skew_degrees;
  ExpectKnownWords(page.text);

  // Every step off: nothing runs, nothing is measured.
  options.preprocess = PreprocessOptions{false, false, false, false};
  auto raw = Extract(png, options);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_TRUE(raw->pages[0].preprocess_steps.empty());
  EXPECT_EQ(raw->pages[0].skew_degrees, 0.0);
}

TEST(OcrTest, EveryPreprocessingStepKeepsThePageReadable) {
  PixHolder pix = RenderTextPage(150);
  ASSERT_TRUE(pix);
  const std::string png = Encode(pix.get(), IFF_PNG);  // records 150 dpi: small text
  ExtractOptions options;
  options.auto_rotate = false;
  options.preprocess = PreprocessOptions{true, true, true, true};
  auto result = Extract(png, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Deskew measures but leaves an upright page alone; every other step changes the image.
  EXPECT_EQ(result->pages[0].preprocess_steps,
            (std::vector<std::string>{"upscale_small", "normalize_background",
                                      "adaptive_binarize"}));
  ExpectKnownWords(result->pages[0].text);
}

TEST(OcrTest, MissingLanguageIsUnavailable) {
  PixHolder pix = RenderTextPage(100);
  ASSERT_TRUE(pix);
  ExtractOptions options;
  options.ocr_languages = "xyz_no_such_language";
  options.auto_rotate = false;
  auto result = Extract(Encode(pix.get(), IFF_PNG), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
}

TEST(OcrTest, RenderingStaysWithinThePixelBudget) {
  PdfPageSpec huge = LinesPage({"A very large page box"});
  huge.width = 2000;
  huge.height = 1000;
  const std::string pdf = BuildPdf({huge});
  ExtractOptions options;
  options.max_page_pixels = 2'000'000;  // 2000x1000 pt fits at 72 dpi exactly
  auto document = OpenPdf(pdf, options);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  std::unique_ptr<poppler::page> page((*document)->create_page(0));
  int dpi = 0;
  auto pix = RenderPdfPage(*page, options, &dpi);
  ASSERT_TRUE(pix.ok()) << pix.status().ToString();
  EXPECT_EQ(dpi, 72);
  EXPECT_LE(static_cast<int64_t>(pixGetWidth(pix->get())) * pixGetHeight(pix->get()),
            options.max_page_pixels);
}

TEST(OcrTest, HugeImageIsRefusedBeforeDecoding) {
  PixHolder pix = RenderTextPage(100);
  ASSERT_TRUE(pix);
  ExtractOptions options;
  options.max_page_pixels = 100'000;  // the page is 556 x 222 = 123,432 pixels
  auto result = Extract(Encode(pix.get(), IFF_PNG), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace archivist::ingest
