// The batch graph's promises on a real archive: stopping early loses nothing, a rerun completes the
// batch, per-page OCR fan-out gives the same text as sequential extraction.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <filesystem>

#include "archivist/base/file_util.h"
#include "archivist/index/archive.h"
#include "archivist/ingest/extractor.h"
#include "archivist/pipeline/failures.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"
#include "archivist/pipeline/watch.h"
#include "samples_truth.h"

namespace archivist {
namespace {
namespace fs = std::filesystem;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("archivist_pipeline_test_" +
                                             std::string(::testing::UnitTest::GetInstance()
                                                             ->current_test_info()
                                                             ->name()));
    fs::remove_all(dir_);
    embedder_ = index::MakeBuiltinEmbedder();
    auto archive = index::Archive::Open(dir_.string(), embedder_.get());
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    archive_ = std::move(archive).value();
  }
  void TearDown() override {
    archive_.reset();
    fs::remove_all(dir_);
  }

  std::vector<std::string> TextSamples() const {
    std::vector<std::string> out;
    for (const char* f : {"discharge_summary.pdf", "lab_report.pdf", "retention_policy.pdf",
                          "services_contract.pdf", "wire_transfer_emails.pdf", "meeting_notes.txt",
                          "scanning_procedure.md"}) {
      out.push_back(testing::SamplesDir() + "/docs/" + f);
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<index::Embedder> embedder_;
  std::unique_ptr<index::Archive> archive_;
};

TEST_F(PipelineTest, CancelFinishesInFlightDocumentsAndARerunCompletesTheBatch) {
  std::atomic<bool> cancel{false};
  pipeline::IngestOptions opts;
  opts.threads = 1;
  opts.max_in_flight = 1;
  opts.cancel = &cancel;
  auto first = pipeline::IngestPaths(*archive_, *embedder_, TextSamples(), opts,
                                     [&](const pipeline::FileResult&, const pipeline::Progress& p) {
                                       if (p.files_done == 2) cancel = true;
                                     });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->cancelled);
  EXPECT_GE(first->ingested, 2);
  EXPECT_LT(first->ingested, static_cast<int>(TextSamples().size()));
  EXPECT_EQ(first->files.size(), static_cast<size_t>(first->ingested));

  pipeline::IngestOptions rerun;
  auto second = pipeline::IngestPaths(*archive_, *embedder_, TextSamples(), rerun);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->cancelled);
  EXPECT_EQ(second->duplicates, first->ingested);
  EXPECT_EQ(second->ingested + first->ingested, static_cast<int>(TextSamples().size()));
  auto stats = archive_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, TextSamples().size());
}

TEST_F(PipelineTest, TagsAndCollectionsAreRecordedAndSelectSummaries) {
  pipeline::IngestOptions opts;
  opts.collection = "records";
  opts.tags = {"minutes", "2024"};
  auto report = pipeline::IngestPaths(*archive_, *embedder_,
                                      {testing::SamplesDir() + "/docs/meeting_notes.txt"}, opts);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->ingested, 1);
  auto doc = archive_->GetDocument(report->files[0].doc_id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->collection, "records");
  EXPECT_EQ(doc->tags, opts.tags);
  pipeline::SummarizeOptions s;
  s.tag = "minutes";
  auto summary = pipeline::Summarize(*archive_, s);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->documents, 1);
  EXPECT_FALSE(summary->citations.empty());
  s.collection = "legal";
  EXPECT_EQ(pipeline::Summarize(*archive_, s).status().code(), StatusCode::kNotFound);
}

TEST_F(PipelineTest, WatchModeIngestsFilesThatArriveAfterItStarted) {
  fs::path inbox = dir_.string() + "-inbox";
  fs::remove_all(inbox);
  fs::create_directories(inbox / "already");
  fs::copy_file(testing::SamplesDir() + "/docs/meeting_notes.txt", inbox / "already" / "notes.txt");
  std::atomic<bool> stop{false};
  std::atomic<int> ingested{0};
  pipeline::WatchOptions watch;
  watch.settle_ms = 100;
  Status result;
  std::thread watcher([&] {
    result = pipeline::WatchAndIngest(*archive_, *embedder_, inbox.string(), {}, watch, stop,
                                      [&](const pipeline::IngestReport& r) {
                                        ingested += r.ingested;
                                      });
  });
  // Wait (bounded) for the initial sweep, then drop two files in, one into a new subfolder.
  auto wait_for = [&](int n) {
    for (int i = 0; i < 600 && ingested.load() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ingested.load();
  };
  EXPECT_EQ(wait_for(1), 1);
  fs::copy_file(testing::SamplesDir() + "/docs/scanning_procedure.md", inbox / "procedure.md");
  fs::create_directories(inbox / "new");
  fs::copy_file(testing::SamplesDir() + "/docs/services_contract.pdf", inbox / "new" / "c.pdf");
  EXPECT_EQ(wait_for(3), 3);
  stop = true;
  watcher.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  auto stats = archive_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 3u);
  fs::remove_all(inbox);
}

TEST_F(PipelineTest, FailureListRecordsFailuresAndForgetsThemOnceIngested) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in);
  fs::copy_file(testing::SamplesDir() + "/bad/truncated.pdf", in / "contract.pdf");
  fs::copy_file(testing::SamplesDir() + "/bad/unsupported.bin", in / "blob.bin");
  fs::copy_file(testing::SamplesDir() + "/docs/meeting_notes.txt", in / "notes.txt");
  auto first = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed, 2);
  auto failures = pipeline::ListFailures(*archive_);
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 2u);
  EXPECT_EQ((*failures)[0].path, (in / "blob.bin").string());
  EXPECT_EQ((*failures)[0].code, "unsupported");
  EXPECT_EQ((*failures)[1].path, (in / "contract.pdf").string());
  EXPECT_EQ((*failures)[1].code, "corruption");
  EXPECT_EQ((*failures)[1].stage, "extract");
  EXPECT_EQ((*failures)[1].attempts, 1);

  // The truncated contract is replaced by the whole one; the blob stays broken.
  fs::copy_file(testing::SamplesDir() + "/docs/services_contract.pdf", in / "contract.pdf",
                fs::copy_options::overwrite_existing);
  std::vector<std::string> retry;
  for (const auto& f : *failures) retry.push_back(f.path);
  auto second = pipeline::IngestPaths(*archive_, *embedder_, retry, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ingested, 1);
  EXPECT_EQ(second->failed, 1);
  failures = pipeline::ListFailures(*archive_);
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].path, (in / "blob.bin").string());
  EXPECT_EQ((*failures)[0].attempts, 2);
  fs::remove_all(in);
}

TEST_F(PipelineTest, PerPageOcrInTheGraphMatchesOneShotExtraction) {
  const std::string tiff = testing::SamplesDir() + "/docs/records_release_scan.tiff";
  pipeline::IngestOptions opts;
  opts.threads = 2;
  auto report = pipeline::IngestPaths(*archive_, *embedder_, {tiff}, opts);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->ingested, 1) << report->files[0].error.ToString();
  EXPECT_EQ(report->ocr_pages, 2);
  EXPECT_GT(report->stage_seconds.ocr, 0.0);

  auto bytes = ReadFile(tiff);
  ASSERT_TRUE(bytes.ok());
  auto whole = ingest::Extract(*bytes, opts.extract);
  ASSERT_TRUE(whole.ok());
  const std::string& id = report->files[0].doc_id;
  for (const ingest::Page& page : whole->pages) {
    auto stored = archive_->GetPage(id, page.number);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->text, page.text) << "page " << page.number;
    EXPECT_EQ(stored->source, "ocr");
  }
}

}  // namespace
}  // namespace archivist
