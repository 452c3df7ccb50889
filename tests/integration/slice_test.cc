// The foundation slice end to end on samples/: real Poppler, Tesseract, RocksDB, FAISS and the oneTBB
// graph. Expectations come from samples/ground_truth.json, written when the samples were generated.

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"
#include "samples_truth.h"

namespace archivist {
namespace {
namespace fs = std::filesystem;
using testing::ContainsPhrase;
using testing::LoadGroundTruth;
using testing::SamplesDir;

class SliceTest : public ::testing::Test {
 protected:
  // Ingesting (with OCR) once for the whole suite keeps it fast; tests only read afterwards.
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("archivist_slice_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    truth_ = new nlohmann::json(LoadGroundTruth());
    embedder_ = index::MakeBuiltinEmbedder().release();
    auto archive = index::Archive::Open(dir_.string(), embedder_);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    archive_ = archive->release();
    pipeline::IngestOptions opts;
    opts.threads = 2;
    auto report = pipeline::IngestPaths(*archive_, *embedder_,
                                        {SamplesDir() + "/docs", SamplesDir() + "/bad"}, opts);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    report_ = new pipeline::IngestReport(std::move(report).value());
  }
  static void TearDownTestSuite() {
    delete archive_;
    delete embedder_;
    delete report_;
    delete truth_;
    fs::remove_all(dir_);
  }

  // The doc_id of a sample, by its path relative to samples/.
  static std::string DocId(const std::string& rel_path) {
    for (const auto& f : (*truth_)["files"]) {
      if (f["path"] == rel_path) return f["sha256"];
    }
    ADD_FAILURE() << "no sample " << rel_path;
    return "";
  }

  static inline fs::path dir_;
  static inline nlohmann::json* truth_ = nullptr;
  static inline index::Embedder* embedder_ = nullptr;
  static inline index::Archive* archive_ = nullptr;
  static inline pipeline::IngestReport* report_ = nullptr;
};

TEST_F(SliceTest, EverySampleIsIngestedAndEveryBadInputFailsAloneWithItsReason) {
  ASSERT_NE(report_, nullptr);
  const auto& files = (*truth_)["files"];
  EXPECT_EQ(report_->ingested, static_cast<int>(files.size()));
  EXPECT_EQ(report_->failed, static_cast<int>((*truth_)["bad_inputs"].size()));
  std::map<std::string, const pipeline::FileResult*> by_path;
  for (const auto& r : report_->files) {
    by_path[fs::path(r.path).lexically_relative(SamplesDir()).string()] = &r;
  }
  for (const auto& f : files) {
    const pipeline::FileResult* r = by_path[f["path"]];
    ASSERT_NE(r, nullptr) << f["path"];
    EXPECT_EQ(r->outcome, pipeline::Outcome::kIngested) << f["path"] << ": " << r->error.ToString();
    EXPECT_EQ(r->doc_id, f["sha256"]) << "doc_id must be the SHA-256 of the bytes";
    EXPECT_EQ(r->media_type, f["media_type"]) << f["path"];
    EXPECT_EQ(r->pages, f["page_count"].get<int>()) << f["path"];
    if (f["extraction"] == "ocr") {
      EXPECT_EQ(r->ocr_pages, r->pages) << f["path"];
    } else if (f["extraction"] == "text_layer") {
      EXPECT_EQ(r->ocr_pages, 0) << f["path"];
    }
  }
  const std::map<std::string, StatusCode> expected_code = {
      {"corruption", StatusCode::kCorruption}, {"unsupported", StatusCode::kUnsupported}};
  for (const auto& bad : (*truth_)["bad_inputs"]) {
    const pipeline::FileResult* r = by_path[bad["path"]];
    ASSERT_NE(r, nullptr) << bad["path"];
    EXPECT_EQ(r->outcome, pipeline::Outcome::kFailed);
    EXPECT_EQ(r->error.code(), expected_code.at(bad["expect"])) << r->error.ToString();
    EXPECT_FALSE(r->error.message().empty());
  }
}

TEST_F(SliceTest, StoredPagesHoldTheKnownWordsIncludingOcrPages) {
  for (const auto& f : (*truth_)["files"]) {
    std::string id = f["sha256"];
    auto doc = archive_->GetDocument(id);
    ASSERT_TRUE(doc.ok()) << f["path"] << ": " << doc.status().ToString();
    EXPECT_EQ(doc->page_count, f["page_count"].get<int>());
    if (f.contains("embedded_title") && !f["embedded_title"].is_null()) {
      EXPECT_EQ(doc->title, f["embedded_title"]) << f["path"];
    }
    for (const auto& p : f["pages"]) {
      auto page = archive_->GetPage(id, p["number"]);
      ASSERT_TRUE(page.ok()) << f["path"] << " page " << p["number"];
      if (f["extraction"] == "ocr") {
        EXPECT_EQ(page->source, "ocr");
        EXPECT_GT(page->ocr_confidence, 50.0f) << f["path"];
      }
      for (const auto& phrase : p["must_contain"]) {
        EXPECT_TRUE(ContainsPhrase(page->text, phrase))
            << f["path"] << " page " << p["number"] << " lacks \"" << phrase.get<std::string>()
            << "\"";
      }
    }
  }
}

TEST_F(SliceTest, SearchFindsTheExpectedDocumentAndPage) {
  for (index::SearchMode mode : {index::SearchMode::kLexical, index::SearchMode::kHybrid}) {
    int top1 = 0, queries = 0;
    for (const auto& q : (*truth_)["queries"]) {
      std::set<std::pair<std::string, int>> expected;
      for (const auto& e : q["expected"]) expected.insert({DocId(e["path"]), e["page"]});
      index::SearchOptions so;
      so.k = 3;
      so.mode = mode;
      auto hits = archive_->Search(q["query"], so);
      ASSERT_TRUE(hits.ok()) << q["query"] << ": " << hits.status().ToString();
      ASSERT_FALSE(hits->empty()) << q["query"];
      ++queries;
      top1 += expected.count({hits->front().doc_id, hits->front().page}) > 0;
      // A page the ground truth names is among the first three hits, for every query.
      bool in_top3 = false;
      for (const auto& h : *hits) in_top3 |= expected.count({h.doc_id, h.page}) > 0;
      EXPECT_TRUE(in_top3) << "query \"" << q["query"].get<std::string>() << "\" (mode "
                           << static_cast<int>(mode) << ") ranked " << hits->front().title
                           << " page " << hits->front().page << " first";
    }
    std::cout << (mode == index::SearchMode::kLexical ? "bm25" : "hybrid") << ": " << top1 << "/"
              << queries << " queries rank an expected page first\n";
    // Most queries put an expected page first; the rest (a phrase typed without quotes, a
    // lexically weak dense neighbour) keep it in the top three.
    EXPECT_GE(top1 * 4, queries * 3) << top1 << "/" << queries;
  }
}

TEST_F(SliceTest, AnswersCiteTheExpectedPageOrQuoteTheExpectedWords) {
  int cited_expected = 0, quoted_expected = 0, acceptable = 0;
  const int questions = static_cast<int>((*truth_)["questions"].size());
  for (const auto& q : (*truth_)["questions"]) {
    auto answer = pipeline::Ask(*archive_, q["question"], {});
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_TRUE(answer->found) << q["question"];
    EXPECT_TRUE(answer->extractive);
    std::set<std::pair<std::string, int>> expected;
    for (const auto& e : q["expected"]) expected.insert({DocId(e["path"]), e["page"]});
    bool cited = false;
    for (const auto& c : answer->citations) {
      cited |= expected.count({c.doc_id, c.page}) > 0;
      // Every citation points at the exact bytes quoted.
      auto page = archive_->GetPage(c.doc_id, c.page);
      ASSERT_TRUE(page.ok());
      ASSERT_LE(c.end, page->text.size());
      std::string quoted = page->text.substr(c.begin, c.end - c.begin);
      EXPECT_EQ(quoted, answer->sentences[c.key - 1]);
      EXPECT_NE(answer->text.find("[" + std::to_string(c.key) + "]"), std::string::npos);
    }
    bool all_words = true;
    for (const auto& phrase : q["answer_contains"]) all_words &= ContainsPhrase(answer->text, phrase);
    cited_expected += cited;
    quoted_expected += all_words;
    // The ground truth names one page per question; a correct quote from another page that
    // states the same facts is also an answer.
    acceptable += cited || all_words;
    if (!cited && !all_words) {
      std::cout << "not answered as expected: \"" << q["question"].get<std::string>()
                << "\" got:\n" << answer->text << "\n";
    }
  }
  RecordProperty("cited_expected_page", cited_expected);
  RecordProperty("quoted_expected_words", quoted_expected);
  std::cout << "extractive answers: " << cited_expected << "/" << questions
            << " cite the expected page, " << quoted_expected << "/" << questions
            << " quote every expected phrase\n";
  // Extractive answers only quote sentences that share the question's words, so questions whose
  // answer uses other words ("Who referred her?" -> a signature) stay out of reach until a model
  // generates answers. Two thirds is the floor this mode holds on the samples.
  EXPECT_GE(acceptable * 3, questions * 2) << acceptable << "/" << questions;
}

TEST_F(SliceTest, ExtractiveSummaryPutsClinicalSectionsFirstAndCitesExactBytes) {
  pipeline::SummarizeOptions opts;
  opts.doc_id = DocId("docs/discharge_summary.pdf").substr(0, 12);
  auto summary = pipeline::Summarize(*archive_, opts);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->extractive);
  EXPECT_EQ(summary->documents, 1);
  std::vector<std::string> headings;
  for (const auto& sec : summary->sections) headings.push_back(sec.heading);
  auto pos = [&](const std::string& h) {
    return std::find(headings.begin(), headings.end(), h) - headings.begin();
  };
  ASSERT_LT(pos("Diagnoses"), static_cast<long>(headings.size()));
  ASSERT_LT(pos("Medications"), static_cast<long>(headings.size()));
  ASSERT_LT(pos("Allergies"), static_cast<long>(headings.size()));
  EXPECT_EQ(pos("Diagnoses"), 0);
  EXPECT_LT(pos("Medications"), pos("Allergies"));
  EXPECT_LT(pos("Allergies"), pos("History of Present Illness"));
  // Both pages contribute, and every quote is the exact text at its citation.
  std::set<int> pages;
  for (const auto& c : summary->citations) {
    pages.insert(c.page);
    auto page = archive_->GetPage(c.doc_id, c.page);
    ASSERT_TRUE(page.ok());
    std::string quoted = page->text.substr(c.begin, c.end - c.begin);
    bool found = false;
    for (const auto& sec : summary->sections) {
      for (const auto& sentence : sec.sentences) found |= sentence == quoted;
    }
    EXPECT_TRUE(found) << quoted;
  }
  EXPECT_EQ(pages, (std::set<int>{1, 2}));
  EXPECT_TRUE(ContainsPhrase(summary->text, "Penicillin"));
}

TEST_F(SliceTest, PersonalIdentifiersAreFlaggedAndRedactedOnRequest) {
  pipeline::SummarizeOptions opts;
  opts.doc_id = DocId("docs/discharge_summary.pdf");
  auto plain = pipeline::Summarize(*archive_, opts);
  ASSERT_TRUE(plain.ok());
  ASSERT_NE(plain->text.find("1948-06-02"), std::string::npos) << plain->text;
  EXPECT_FALSE(plain->redacted);
  bool dob_flagged = false;
  for (const auto& m : plain->pii) dob_flagged |= m.kind == pipeline::PiiKind::kDateOfBirth;
  EXPECT_TRUE(dob_flagged);

  opts.privacy.redact = true;
  auto redacted = pipeline::Summarize(*archive_, opts);
  ASSERT_TRUE(redacted.ok());
  EXPECT_TRUE(redacted->redacted);
  EXPECT_EQ(redacted->text.find("1948-06-02"), std::string::npos) << redacted->text;
  EXPECT_NE(redacted->text.find("[REDACTED date_of_birth]"), std::string::npos);
  for (const auto& sec : redacted->sections) {
    for (const auto& sentence : sec.sentences) EXPECT_EQ(sentence.find("1948-06-02"), std::string::npos);
  }
  // The stored record is untouched.
  auto page = archive_->GetPage(DocId("docs/discharge_summary.pdf"), 1);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->text.find("1948-06-02"), std::string::npos);
}

TEST_F(SliceTest, SummaryByQuerySelectsTheMatchingDocumentsAndBadSelectorsAreErrors) {
  pipeline::SummarizeOptions opts;
  opts.query = "offshore wire transfer Cayman";
  opts.query_documents = 1;
  auto summary = pipeline::Summarize(*archive_, opts);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_FALSE(summary->sections.empty());
  EXPECT_EQ(summary->sections[0].doc_id, DocId("docs/wire_transfer_emails.pdf"));

  pipeline::SummarizeOptions none;
  EXPECT_EQ(pipeline::Summarize(*archive_, none).status().code(), StatusCode::kInvalidArgument);
  pipeline::SummarizeOptions unknown;
  unknown.doc_id = "ffffffffff";
  EXPECT_EQ(pipeline::Summarize(*archive_, unknown).status().code(), StatusCode::kNotFound);
  pipeline::SummarizeOptions no_tag;
  no_tag.tag = "never-used";
  EXPECT_EQ(pipeline::Summarize(*archive_, no_tag).status().code(), StatusCode::kNotFound);
}

TEST_F(SliceTest, QuestionsTheArchiveCannotAnswerSaySo) {
  auto answer = pipeline::Ask(*archive_, "What did the zoologist report about penguin colonies?", {});
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer->found) << answer->text;
  EXPECT_TRUE(answer->citations.empty());
  EXPECT_NE(answer->text.find("does not say"), std::string::npos);
}

TEST_F(SliceTest, ReingestingTheSameFilesAddsNothing) {
  auto before = archive_->Stats();
  ASSERT_TRUE(before.ok());
  pipeline::IngestOptions opts;
  auto again = pipeline::IngestPaths(*archive_, *embedder_, {SamplesDir() + "/docs"}, opts);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ingested, 0);
  EXPECT_EQ(again->duplicates, static_cast<int>((*truth_)["files"].size()));
  auto after = archive_->Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->documents, before->documents);
  EXPECT_EQ(after->chunks, before->chunks);
  EXPECT_EQ(after->vectors, before->vectors);
}

TEST_F(SliceTest, ChunksCiteExactPageSpans) {
  for (const auto& f : (*truth_)["files"]) {
    auto chunks = archive_->GetChunks(f["sha256"]);
    ASSERT_TRUE(chunks.ok());
    ASSERT_FALSE(chunks->empty()) << f["path"];
    for (const auto& c : *chunks) {
      ASSERT_FALSE(c.spans.empty());
      for (const auto& s : c.spans) {
        auto page = archive_->GetPage(c.doc_id, s.page);
        ASSERT_TRUE(page.ok());
        ASSERT_LE(s.end, page->text.size());
        std::string piece = page->text.substr(s.begin, s.end - s.begin);
        EXPECT_NE(c.text.find(piece), std::string::npos)
            << "chunk " << c.chunk_id << " does not contain its span on page " << s.page;
      }
    }
  }
}

}  // namespace
}  // namespace archivist
