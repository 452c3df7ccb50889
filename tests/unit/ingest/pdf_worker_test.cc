// Out-of-process Poppler: the wire format round-trips, isolated extraction equals in-process
// extraction, and a worker that hangs or crashes ends as a typed error after which the next
// document works. Real worker processes throughout (archivist-extract-worker from the build).

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "archivist/base/file_util.h"
#include "archivist/ingest/extractor.h"
#include "pdf_builder.h"
#include "pdf_worker.h"
#include "pdf_worker_protocol.h"
#include "sources.h"

namespace archivist::ingest {
namespace {

Page SamplePage(int number) {
  Page page;
  page.number = number;
  page.text = "Straße ﬁne \xe2\x80\x94 line one\n\nparagraph two";
  page.source = PageSource::kMixed;
  page.ocr_confidence = 87.25f;
  page.rotation_degrees = 270;
  page.width_pt = 612.5;
  page.height_pt = 791.25;
  page.preprocess_steps = {"deskew", "normalize_background"};
  page.skew_degrees = -1.875;
  return page;
}

void ExpectSamePage(const Page& a, const Page& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.ocr_confidence, b.ocr_confidence);
  EXPECT_EQ(a.rotation_degrees, b.rotation_degrees);
  EXPECT_EQ(a.width_pt, b.width_pt);
  EXPECT_EQ(a.height_pt, b.height_pt);
  EXPECT_EQ(a.preprocess_steps, b.preprocess_steps);
  EXPECT_EQ(a.skew_degrees, b.skew_degrees);
}

void ExpectSameDocument(const PendingExtraction& a, const PendingExtraction& b) {
  EXPECT_EQ(a.document.media_type, b.document.media_type);
  EXPECT_EQ(a.document.metadata.title, b.document.metadata.title);
  EXPECT_EQ(a.document.metadata.author, b.document.metadata.author);
  EXPECT_EQ(a.document.metadata.subject, b.document.metadata.subject);
  EXPECT_EQ(a.document.metadata.producer, b.document.metadata.producer);
  EXPECT_EQ(a.document.metadata.created, b.document.metadata.created);
  EXPECT_EQ(a.document.metadata.modified, b.document.metadata.modified);
  ASSERT_EQ(a.document.pages.size(), b.document.pages.size());
  for (size_t i = 0; i < a.document.pages.size(); ++i) {
    ExpectSamePage(a.document.pages[i], b.document.pages[i]);
  }
  EXPECT_EQ(a.ocr_pages, b.ocr_pages);
}

TEST(PdfWorkerProtocolTest, PendingExtractionRoundTripsAndEveryTruncationIsRefused) {
  PendingExtraction pending;
  pending.document.media_type = MediaType::kPdf;
  pending.document.metadata = {"Title é", "Author", "Subject", "Producer", "2024-01-15T10:30:00Z",
                               ""};
  pending.document.pages = {SamplePage(1), SamplePage(2), Page{}};
  pending.document.pages[2].number = 3;
  pending.ocr_pages = {1, 3};
  worker::Writer w;
  worker::WritePending(pending, &w);
  worker::Reader r(w.data());
  PendingExtraction back;
  ASSERT_TRUE(worker::ReadPending(&r, &back));
  EXPECT_TRUE(r.AtEnd());
  ExpectSameDocument(pending, back);

  for (size_t cut = 0; cut < w.data().size(); ++cut) {
    worker::Reader partial(std::string_view(w.data()).substr(0, cut));
    PendingExtraction ignored;
    EXPECT_FALSE(worker::ReadPending(&partial, &ignored) && partial.AtEnd()) << "cut at " << cut;
  }
}

TEST(PdfWorkerProtocolTest, OptionsStatusAndRenderedPageRoundTrip) {
  ExtractOptions options;
  options.ocr_dpi = 150;
  options.max_page_pixels = 1'234'567;
  options.enable_ocr = false;
  options.min_text_chars = 3;
  options.pdf_password = std::string("pa\0ss", 5);
  options.max_pages = 7;
  options.remove_headers_footers = false;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  worker::Writer w;
  worker::WriteOptions(options, &w);
  worker::WriteStatus(Status::PermissionDenied("PDF is encrypted"), &w);
  worker::RenderedPage rendered{5, 2, 300, std::string(16, '\x7f')};
  worker::WriteRendered(rendered, &w);

  worker::Reader r(w.data());
  ExtractOptions back;
  ASSERT_TRUE(worker::ReadOptions(&r, &back));
  EXPECT_EQ(back.ocr_dpi, 150);
  EXPECT_EQ(back.max_page_pixels, 1'234'567);
  EXPECT_FALSE(back.enable_ocr);
  EXPECT_EQ(back.min_text_chars, 3);
  EXPECT_EQ(back.pdf_password, options.pdf_password);
  EXPECT_EQ(back.max_pages, 7);
  EXPECT_FALSE(back.remove_headers_footers);
  EXPECT_FALSE(back.isolate_pdf);  // the worker never recurses into another worker
  // The deadline travels as time left, so it comes back within the time this test took.
  EXPECT_LE(back.deadline, options.deadline + std::chrono::seconds(1));
  EXPECT_GE(back.deadline, options.deadline - std::chrono::seconds(25));
  Status status;
  ASSERT_TRUE(worker::ReadStatus(&r, &status));
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "PDF is encrypted");
  worker::RenderedPage rendered_back;
  ASSERT_TRUE(worker::ReadRendered(&r, &rendered_back));
  EXPECT_EQ(rendered_back.width, 5);
  EXPECT_EQ(rendered_back.height, 2);
  EXPECT_EQ(rendered_back.dpi, 300);
  EXPECT_EQ(rendered_back.pixels, rendered.pixels);
  EXPECT_TRUE(r.AtEnd());

  // A pixel buffer that does not match the size it claims is refused.
  worker::Writer bad;
  worker::WriteRendered(worker::RenderedPage{5, 2, 300, std::string(10, '\0')}, &bad);
  worker::Reader bad_reader(bad.data());
  EXPECT_FALSE(worker::ReadRendered(&bad_reader, &rendered_back));
}

ExtractOptions Isolated(bool isolated) {
  ExtractOptions options;
  options.enable_ocr = true;  // the OCR decision is part of what the worker sends back
  options.isolate_pdf = isolated;
  return options;
}

std::string CorpusDir() { return std::string(ARCHIVIST_SOURCE_DIR) + "/../shared/corpora/pdfs"; }

TEST(PdfWorkerTest, IsolatedExtractionEqualsInProcess) {
  testing::PdfInfo info;
  info.title = "Worker sample";
  info.author = "Tests";
  info.creation_date = "D:20240115103000Z";
  std::vector<std::string> samples = {
      testing::BuildPdf({testing::TwoColumnPage({"left words here", "more left words"},
                              {"right words here", "more right words"}),
                testing::LinesPage({"A second page with a hyphen-", "ated word and plain lines"})},
               info),
      testing::BuildPdf({testing::LinesPage({"Running head", "", "Body one of the first page, long enough."}),
                testing::LinesPage({"Running head", "", "Body two of the second page, long enough."}),
                testing::LinesPage({})}),
  };
  for (const char* name : {"pdfjs/160F-2019.pdf", "pdfjs/pdfjs_wikipedia.pdf", "pdfminer-samples/simple1.pdf"}) {
    auto bytes = ReadFile(CorpusDir() + "/" + name, 1 << 26);
    if (bytes.ok()) samples.push_back(*bytes);
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    SCOPED_TRACE("sample " + std::to_string(i));
    auto in_process = ExtractWithoutOcr(samples[i], Isolated(false));
    auto isolated = ExtractWithoutOcr(samples[i], Isolated(true));
    ASSERT_TRUE(in_process.ok()) << in_process.status().ToString();
    ASSERT_TRUE(isolated.ok()) << isolated.status().ToString();
    ExpectSameDocument(*in_process, *isolated);
  }
  // The blank third page asks for OCR in both modes.
  auto pending = ExtractWithoutOcr(samples[1], Isolated(true));
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->ocr_pages, std::vector<int>{3});

  // Errors from inside the worker keep their type.
  auto truncated = ExtractWithoutOcr(samples[0].substr(0, 60), Isolated(true));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorruption);
}

TEST(PdfWorkerTest, RenderedPageIsPixelIdenticalToInProcess) {
  const std::string pdf = testing::BuildPdf({testing::LinesPage({"Rendered for OCR"}), testing::LinesPage({"Page two"})});
  ExtractOptions options = Isolated(true);
  options.ocr_dpi = 100;
  int dpi_worker = 0, dpi_local = 0;
  auto from_worker = RenderPdfPageInWorker(pdf, options, 2, &dpi_worker);
  auto local = RenderPdfPageInProcess(pdf, options, 2, &dpi_local);
  ASSERT_TRUE(from_worker.ok()) << from_worker.status().ToString();
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(dpi_worker, 100);
  EXPECT_EQ(dpi_worker, dpi_local);
  l_int32 same = 0;
  ASSERT_EQ(pixEqual(from_worker->get(), local->get(), &same), 0);
  EXPECT_EQ(same, 1);
  EXPECT_EQ(pixGetXRes(from_worker->get()), 100);

  auto beyond = RenderPdfPageInWorker(pdf, options, 3, &dpi_worker);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kInvalidArgument);
}

const std::string kOnePage = testing::BuildPdf({testing::LinesPage({"After the failure this page still reads."})});

void ExpectNextDocumentWorks() {
  auto next = ExtractWithoutOcr(kOnePage, Isolated(true));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->document.pages.size(), 1u);
  EXPECT_NE(next->document.pages[0].text.find("still reads"), std::string::npos);
}

TEST(PdfWorkerTest, HangingWorkerIsKilledAtTheDeadlineAndReplaced) {
  ExpectNextDocumentWorks();
  const int first_pid = PdfWorkerPidForTest();
  ASSERT_GT(first_pid, 0);
  ExtractOptions options = Isolated(true);
  options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  const Status status = HangPdfWorkerForTest(options);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("timeout"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("killed"), std::string::npos) << status.ToString();
  EXPECT_EQ(PdfWorkerPidForTest(), -1);
  ExpectNextDocumentWorks();
  EXPECT_NE(PdfWorkerPidForTest(), first_pid);
}

TEST(PdfWorkerTest, CrashingWorkerIsATypedErrorAndTheNextDocumentWorks) {
  for (int sig : {SIGSEGV, SIGBUS}) {
    const Status status = CrashPdfWorkerForTest(Isolated(true), sig);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
    EXPECT_NE(status.message().find("crashed (" + std::string(sig == SIGSEGV ? "SIGSEGV" : "SIGBUS")),
              std::string::npos)
        << status.ToString();
    ExpectNextDocumentWorks();
  }
}

TEST(PdfWorkerTest, MemoryLimitIsATypedErrorAndTheNextDocumentWorks) {
  ExtractOptions options = Isolated(true);
  options.pdf_worker_memory_mb = 512;
  ExpectNextDocumentWorks();  // default limit; the changed limit below starts a new worker
  const Status status = ExhaustPdfWorkerMemoryForTest(options);
  if (status.code() == StatusCode::kUnsupported) {
    GTEST_SKIP() << "the worker runs without RLIMIT_AS (AddressSanitizer build)";
  }
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("memory limit (pdf_worker_memory_mb = 512)"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(PdfWorkerPidForTest(), -1);  // a worker that ran out of memory is not reused
  auto next = ExtractWithoutOcr(kOnePage, options);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
}

TEST(PdfWorkerTest, AWorkerOverItsResidentThresholdIsRestartedAfterTheDocument) {
  ExtractOptions options = Isolated(true);
  ExpectNextDocumentWorks();
  const int first_pid = PdfWorkerPidForTest();
  const int recycled = PdfWorkerRecycledForTest();
  ASSERT_GT(first_pid, 0);
  // Every worker holds more than 1 MiB after a document: the answer arrives, then it is replaced.
  options.pdf_worker_recycle_mb = 1;
  auto done = ExtractWithoutOcr(kOnePage, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_NE(done->document.pages[0].text.find("still reads"), std::string::npos);
  EXPECT_EQ(PdfWorkerPidForTest(), -1);
  EXPECT_EQ(PdfWorkerRecycledForTest(), recycled + 1);
  // Without a threshold the new worker stays for the next documents.
  options.pdf_worker_recycle_mb = 0;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(ExtractWithoutOcr(kOnePage, options).ok());
  const int second_pid = PdfWorkerPidForTest();
  EXPECT_GT(second_pid, 0);
  EXPECT_NE(second_pid, first_pid);
  ASSERT_TRUE(ExtractWithoutOcr(kOnePage, options).ok());
  EXPECT_EQ(PdfWorkerPidForTest(), second_pid);
  options.pdf_worker_recycle_mb = -1;
  EXPECT_EQ(options.Validate().code(), StatusCode::kInvalidArgument);
}

bool IsZombieOrGone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

TEST(PdfWorkerTest, WorkerKilledWhileIdleIsReplacedWithoutFailingTheNextDocument) {
  ExpectNextDocumentWorks();
  const int pid = PdfWorkerPidForTest();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  while (!IsZombieOrGone(pid)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ExpectNextDocumentWorks();
  EXPECT_NE(PdfWorkerPidForTest(), pid);
}

TEST(PdfWorkerTest, EachThreadHasItsOwnWorker) {
  ExpectNextDocumentWorks();
  const int main_pid = PdfWorkerPidForTest();
  int other_pid = -1;
  std::thread([&] {
    ExpectNextDocumentWorks();
    other_pid = PdfWorkerPidForTest();
  }).join();
  EXPECT_GT(other_pid, 0);
  EXPECT_NE(other_pid, main_pid);
  // The thread's worker went with the thread.
  EXPECT_TRUE(IsZombieOrGone(other_pid) || kill(other_pid, 0) != 0);
}

TEST(PdfWorkerTest, MissingWorkerIsUnavailableAndNamesTheWayOut) {
  ExtractOptions options = Isolated(true);
  options.pdf_worker_path = "/nonexistent/archivist-extract-worker";
  auto result = ExtractWithoutOcr(kOnePage, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("pdf_worker_path"), std::string::npos);
}

// The two corpus files that hang inside a single Poppler call end as typed timeouts, and the
// worker serves the next document: a cyclic form-field tree at open, and a 1.16 GB JBIG2 image
// that Poppler decodes while building the text list once the memory limit lets it allocate one.
TEST(PdfWorkerTest, CorpusFilesThatHangPopplerEndAsTypedTimeouts) {
  const std::vector<std::string> files = {CorpusDir() + "/pdfjs/bomb_giant.pdf",
                                          CorpusDir() + "/qpdf-qtest/shared-unnamed-field.pdf"};
  if (!std::filesystem::exists(files[0]) || !std::filesystem::exists(files[1])) {
    GTEST_SKIP() << "corpus not found under " << CorpusDir()
                 << " (../shared next to the source tree)";
  }
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    auto bytes = ReadFile(file, 1 << 28);
    ASSERT_TRUE(bytes.ok());
    ExtractOptions options = Isolated(true);
    options.pdf_worker_memory_mb = 0;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    auto result = ExtractWithoutOcr(*bytes, options);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(result.status().message().find("timeout"), std::string::npos)
        << result.status().ToString();
    ExpectNextDocumentWorks();
  }
}

// Under the default memory limit the JBIG2 bomb's image cannot be allocated, Poppler skips it and
// the page's text comes through.
TEST(PdfWorkerTest, DefaultMemoryLimitDefusesTheJbig2Bomb) {
  const std::string file = CorpusDir() + "/pdfjs/bomb_giant.pdf";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "corpus not found: " << file;
  auto bytes = ReadFile(file, 1 << 28);
  ASSERT_TRUE(bytes.ok());
  ExtractOptions options = Isolated(true);
  if (ExhaustPdfWorkerMemoryForTest(options).code() == StatusCode::kUnsupported) {
    GTEST_SKIP() << "the worker runs without RLIMIT_AS (AddressSanitizer build)";
  }
  options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto result = ExtractWithoutOcr(*bytes, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NE(result->document.pages.at(0).text.find("GIANT JBIG2 BOMB"), std::string::npos);
}

}  // namespace
}  // namespace archivist::ingest
