// The batch graph's promises on a real archive: stopping early loses nothing, a rerun completes the
// batch, per-page OCR fan-out gives the same text as sequential extraction.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>

#include "archivist/base/file_util.h"
#include "archivist/base/sha256.h"
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
  // Progress is reported from the commit writer, which the reading may run ahead of by its backlog
  // (2 x commit_max_documents): with one document per write, when the first document is reported
  // at most 5 of the 7 have been started (1 written, 2 waiting, 1 handing over, 1 read), whatever
  // the machine's load.
  opts.commit_max_documents = 1;
  opts.cancel = &cancel;
  auto first = pipeline::IngestPaths(*archive_, *embedder_, TextSamples(), opts,
                                     [&](const pipeline::FileResult&, const pipeline::Progress& p) {
                                       if (p.files_done == 1) cancel = true;
                                     });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->cancelled);
  EXPECT_GE(first->ingested, 1);
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


// --- The manifest: reruns, changed files, --force, time limits ----------------------------------

// Rewrites `path` with `text` and gives it back its old mtime, as a same-size edit could.
void RewriteKeepingStamp(const fs::path& path, const std::string& text) {
  auto mtime = fs::last_write_time(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  fs::last_write_time(path, mtime);
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST_F(PipelineTest, ARerunSkipsUnchangedFilesWithoutReadingThem) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in);
  for (int i = 0; i < 5; ++i) {
    WriteText(in / ("memo" + std::to_string(i) + ".txt"),
              "Memo " + std::to_string(i) + ": the shredder on floor " + std::to_string(i) +
                  " is out of service until further notice.\n");
  }
  auto first = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->ingested, 5);
  EXPECT_EQ(first->unchanged, 0);

  // Same bytes length, same mtime, different words: only a read would notice, and none happens.
  RewriteKeepingStamp(in / "memo3.txt",
                      "Memo 3: the printers on floor 3 is out of service until further notice.\n");
  auto second = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ingested, 0);
  EXPECT_EQ(second->unchanged, 5);
  EXPECT_EQ(second->duplicates, 5);
  EXPECT_EQ(second->commits, 0) << "nothing to write for unchanged files";
  for (const auto& f : second->files) {
    EXPECT_TRUE(f.unchanged) << f.path;
    EXPECT_EQ(f.size_bytes, fs::file_size(f.path));
  }
  EXPECT_EQ(second->files[3].doc_id, first->files[3].doc_id);

  // --force reads every file: memo3's new bytes are a new version and the old one is retired.
  pipeline::IngestOptions force;
  force.force = true;
  auto third = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, force);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->unchanged, 0);
  EXPECT_EQ(third->duplicates, 4);
  EXPECT_EQ(third->ingested, 1);
  EXPECT_EQ(third->replaced, 1);
  EXPECT_EQ(third->retired, 1);
  EXPECT_EQ(third->files[3].replaced_doc_id, first->files[3].doc_id);
  EXPECT_FALSE(*archive_->Contains(first->files[3].doc_id));
  EXPECT_TRUE(*archive_->Contains(third->files[3].doc_id));
  index::SearchOptions bm25;
  bm25.mode = index::SearchMode::kLexical;
  EXPECT_EQ(archive_->Search("shredder", bm25)->size(), 4u) << "the old memo3 is gone";
  EXPECT_EQ(archive_->Search("printers", bm25)->size(), 1u);
  auto stats = archive_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 5u);
  EXPECT_EQ(stats->vectors, stats->chunks) << "the old version's vectors went with it";
  fs::remove_all(in);
}

TEST_F(PipelineTest, AChangedFileIsANewVersionAndForceRetiresOnlyVersionsNoPathHolds) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in / "a");
  fs::create_directories(in / "b");
  const std::string v1 = "Policy v1: retain invoices for seven years.\n";
  WriteText(in / "a" / "policy.txt", v1);
  WriteText(in / "b" / "copy.txt", v1);     // the same bytes under a second path
  WriteText(in / "a" / "other.txt", "Policy on visitor badges: return them at the desk.\n");
  auto first = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->ingested, 2);
  EXPECT_EQ(first->duplicates, 1);
  const std::string v1_id = first->files[1].doc_id;  // a/policy.txt (sorted: a/other, a/policy, b/copy)
  ASSERT_EQ(first->files[1].path, (in / "a" / "policy.txt").string());

  // By default a changed file is ingested as a new document and the old version stays.
  WriteText(in / "a" / "policy.txt", "Policy v2: retain invoices for ten years.\n");
  auto second = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ingested, 1);
  EXPECT_EQ(second->unchanged, 2);
  EXPECT_EQ(second->replaced, 1);
  EXPECT_EQ(second->retired, 0);
  EXPECT_TRUE(*archive_->Contains(v1_id));

  // --force on v3: v2 (held by no other path) is retired; v1 is still held by b/copy.txt.
  const std::string v2_id = second->files[1].doc_id;
  WriteText(in / "a" / "policy.txt", "Policy v3: retain invoices for twelve years.\n");
  pipeline::IngestOptions force;
  force.force = true;
  auto third = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, force);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ingested, 1);
  EXPECT_EQ(third->retired, 1);
  EXPECT_FALSE(*archive_->Contains(v2_id));
  EXPECT_TRUE(*archive_->Contains(v1_id)) << "b/copy.txt still holds these bytes";
  EXPECT_EQ(archive_->Stats()->documents, 3u);  // v1, v3, badges
  fs::remove_all(in);
}

TEST_F(PipelineTest, ARetirementLeftByAKilledRunIsFinishedByTheNextRun) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in);
  WriteText(in / "old.txt", "An old version nobody refers to any more.\n");
  auto first = pipeline::IngestPaths(*archive_, *embedder_, {(in / "old.txt").string()}, {});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->ingested, 1);
  const std::string old_id = first->files[0].doc_id;
  // The state a --force run killed between its commit and the deletion leaves: the mark is
  // committed, the path now refers to another document, the old one is still stored.
  ASSERT_TRUE(archive_->CommitDocuments({}, {{"manifest-ref/" + old_id + "/" + (in / "old.txt").string(),
                                              std::nullopt},
                                             {"retire/" + old_id, (in / "old.txt").string()}})
                  .ok());
  ASSERT_TRUE(*archive_->Contains(old_id));
  WriteText(in / "new.txt", "Something else entirely.\n");
  auto next = pipeline::IngestPaths(*archive_, *embedder_, {(in / "new.txt").string()}, {});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->retired, 1);
  EXPECT_FALSE(*archive_->Contains(old_id));
  EXPECT_TRUE(archive_->ScanJournal("retire/")->empty());
  fs::remove_all(in);
}

TEST_F(PipelineTest, ADocumentOverItsTimeLimitIsAFailureWithItsReasonAndTheBatchGoesOn) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in);
  fs::copy_file(testing::SamplesDir() + "/docs/records_release_scan.tiff", in / "scan.tiff");
  fs::copy_file(testing::SamplesDir() + "/docs/meeting_notes.txt", in / "notes.txt");
  pipeline::IngestOptions opts;
  opts.document_timeout_seconds = 1e-6;  // spent before any OCR can start
  auto first = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, opts);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->files.size(), 2u);
  const pipeline::FileResult& scan = first->files[1];
  ASSERT_EQ(scan.path, (in / "scan.tiff").string());
  EXPECT_EQ(scan.outcome, pipeline::Outcome::kFailed);
  EXPECT_TRUE(pipeline::IsTimeout(scan.error)) << scan.error.ToString();
  EXPECT_TRUE(scan.stage == "extract" || scan.stage == "ocr") << scan.stage;
  EXPECT_EQ(first->timeouts, first->failed);
  EXPECT_GE(first->timeouts, 1);
  auto failures = pipeline::ListFailures(*archive_);
  ASSERT_TRUE(failures.ok());
  bool listed = false;
  for (const auto& f : *failures) {
    if (f.path != scan.path) continue;
    listed = true;
    EXPECT_EQ(f.code, std::string(StatusCodeName(StatusCode::kResourceExhausted)));
    EXPECT_NE(f.message.find("timeout"), std::string::npos) << f.message;
    EXPECT_EQ(f.stage, scan.stage);
  }
  EXPECT_TRUE(listed);

  // With the default limit the same files go in, and the failure list forgets them.
  auto second = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->failed, 0);
  EXPECT_EQ(second->ingested + second->duplicates, 2);
  EXPECT_TRUE(pipeline::ListFailures(*archive_)->empty());
  fs::remove_all(in);
}

TEST_F(PipelineTest, OneWritePerDocumentWhenGroupingIsOff) {
  fs::path in = dir_.string() + "-in";
  fs::remove_all(in);
  fs::create_directories(in);
  for (int i = 0; i < 12; ++i) {
    WriteText(in / ("n" + std::to_string(i) + ".txt"), "Note number " + std::to_string(i) + ".\n");
  }
  pipeline::IngestOptions opts;
  opts.commit_max_documents = 1;
  auto report = pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, opts);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->ingested, 12);
  EXPECT_EQ(report->commits, 12);
  opts.commit_max_documents = 0;
  EXPECT_EQ(pipeline::IngestPaths(*archive_, *embedder_, {in.string()}, opts).status().code(),
            StatusCode::kInvalidArgument);
  fs::remove_all(in);
}

TEST_F(PipelineTest, TheOcrPixelBudgetBoundsPagesInOcrAndAPageOverItRunsAlone) {
  // Every page here is 8-bit gray: 1700 x 2200 pixels (3.74 MP) for the PNG and the TIFF's two
  // pages, a letter page at 300 dpi (8.4 MP) for the scanned PDF.
  pipeline::IngestOptions opts;
  opts.threads = 2;
  opts.ocr_max_inflight_megapixels = 1;  // less than any page: each runs alone, none is stuck
  auto alone = pipeline::IngestPaths(
      *archive_, *embedder_,
      {testing::SamplesDir() + "/docs/consent_form_scan.png",
       testing::SamplesDir() + "/docs/referral_letter_scan.pdf"},
      opts);
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_EQ(alone->ingested, 2);
  EXPECT_EQ(alone->ocr_pages, 2);
  EXPECT_NEAR(alone->ocr_peak_megapixels, 8.4, 0.2);  // the larger page, never the sum (12.1)

  // Room for one 3.74 MP page, not two: the TIFF's pages, fanned out together, take turns.
  opts.ocr_max_inflight_megapixels = 5;
  auto tiff = pipeline::IngestPaths(
      *archive_, *embedder_, {testing::SamplesDir() + "/docs/records_release_scan.tiff"}, opts);
  ASSERT_TRUE(tiff.ok()) << tiff.status().ToString();
  EXPECT_EQ(tiff->ingested, 1);
  EXPECT_EQ(tiff->ocr_pages, 2);
  EXPECT_GT(tiff->ocr_peak_megapixels, 0);
  EXPECT_LE(tiff->ocr_peak_megapixels, 5.0);
  auto stored = archive_->GetPage(tiff->files[0].doc_id, 2);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->source, "ocr");
  EXPECT_FALSE(stored->text.empty());

  opts.ocr_max_inflight_megapixels = -1;
  EXPECT_EQ(opts.Validate().code(), StatusCode::kInvalidArgument);
}

// --- Uploads (IngestBytes, behind the Thrift ingest call) ---------------------------------------

TEST_F(PipelineTest, AFailedUploadIsOnTheFailureListUnderItsNameUntilItGoesIn) {
  auto truncated = ReadFile(testing::SamplesDir() + "/bad/truncated.pdf");
  auto whole = ReadFile(testing::SamplesDir() + "/docs/services_contract.pdf");
  ASSERT_TRUE(truncated.ok() && whole.ok());
  pipeline::FileResult bad =
      pipeline::IngestBytes(*archive_, *embedder_, *truncated, "api:contract.pdf", {});
  ASSERT_EQ(bad.outcome, pipeline::Outcome::kFailed);
  pipeline::IngestBytes(*archive_, *embedder_, *truncated, "api:contract.pdf", {});
  pipeline::FileResult empty = pipeline::IngestBytes(*archive_, *embedder_, "", "api:empty.pdf", {});
  ASSERT_EQ(empty.outcome, pipeline::Outcome::kFailed);

  auto failures = pipeline::ListFailures(*archive_);
  ASSERT_TRUE(failures.ok()) << failures.status().ToString();
  ASSERT_EQ(failures->size(), 2u);
  const pipeline::FailureRecord& contract = (*failures)[0];
  EXPECT_EQ(contract.path, "api:contract.pdf");  // the upload's name, not a path under the cwd
  EXPECT_TRUE(pipeline::IsUploadName(contract.path));
  EXPECT_EQ(contract.doc_id, Sha256Hex(*truncated));
  EXPECT_EQ(contract.stage, "extract");
  EXPECT_EQ(contract.code, "corruption");
  EXPECT_FALSE(contract.message.empty());
  EXPECT_EQ(contract.attempts, 2);
  EXPECT_EQ((*failures)[1].path, "api:empty.pdf");
  EXPECT_EQ((*failures)[1].stage, "read");
  EXPECT_EQ((*failures)[1].code, "invalid argument");

  // The whole file sent again under the same name goes in, and its failure is forgotten.
  pipeline::FileResult good =
      pipeline::IngestBytes(*archive_, *embedder_, *whole, "api:contract.pdf", {});
  ASSERT_EQ(good.outcome, pipeline::Outcome::kIngested) << good.error.ToString();
  failures = pipeline::ListFailures(*archive_);
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].path, "api:empty.pdf");
  auto doc = archive_->GetDocument(good.doc_id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->source_path, "api:contract.pdf");
}

}  // namespace
}  // namespace archivist
