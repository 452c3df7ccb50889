// Reindex: the archive fits an LSA model on its own chunks, keeps it in its metadata, re-embeds
// everything, and from then on embeds new documents and queries with it, whatever embedder the
// caller opens it with.

#include <gtest/gtest.h>

#include "archive_fixture.h"

namespace archivist::index::testing {
namespace {

// Three topics whose documents share co-occurring words but differ in the exact query word: only a
// model of this corpus's co-occurrences links "anticoagulant" to a text that never says it.
std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  const std::vector<std::string> medical = {"apixaban warfarin anticoagulant bleeding clot dose",
                                            "warfarin clot stroke dose bleeding heparin",
                                            "anticoagulant heparin clot thrombosis apixaban"};
  const std::vector<std::string> legal = {"contract clause termination notice party breach",
                                          "breach contract damages party liability clause",
                                          "notice termination liability indemnity contract"};
  const std::vector<std::string> music = {"violin orchestra concerto symphony tempo score",
                                          "symphony score conductor orchestra rehearsal",
                                          "concerto violin soloist tempo cadenza orchestra"};
  for (int i = 0; i < 20; ++i)
    for (const auto* topic : {&medical, &legal, &music})
      out.push_back((*topic)[static_cast<size_t>(i) % 3] + " note" + std::to_string(i));
  return out;
}

class ReindexTest : public ArchiveTest {};

TEST_F(ReindexTest, LsaModelIsStoredAndUsedForNewDocumentsAndQueries) {
  auto corpus = Corpus();
  {
    Archive& a = Open();
    for (size_t i = 0; i < corpus.size(); ++i)
      ASSERT_TRUE(a.AddDocument(MakeDoc("d" + std::to_string(i), {corpus[i]})).ok());
    EXPECT_EQ(a.embedder()->Name(), embedder_->Name());
    ReindexOptions o;
    o.dimension = 16;
    auto r = a.Reindex(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->chunks, corpus.size());
    EXPECT_EQ(r->fitted_on, corpus.size());
    EXPECT_EQ(r->embedder.rfind("builtin-lsa-v1/16/", 0), 0u) << r->embedder;
    EXPECT_EQ(a.embedder()->Name(), r->embedder);
    auto st = a.Stats();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->embedder, r->embedder);
    EXPECT_EQ(st->vector_dimension, 16);
    EXPECT_EQ(st->vectors, corpus.size());
  }
  // Reopened with the hashing embedder, as the CLI does: the archive's own model wins.
  Archive& a = Open();
  ASSERT_NE(a.embedder(), nullptr);
  const std::string lsa_name = a.embedder()->Name();
  EXPECT_EQ(lsa_name.rfind("builtin-lsa-v1/16/", 0), 0u);
  // A new document without vectors is embedded by the archive with the stored model.
  ASSERT_TRUE(a.AddDocument(MakeDoc("new", {"apixaban anticoagulant thrombosis dose novel"})).ok());
  // A pipeline that embeds for itself must take the archive's embedder; a hash vector is refused.
  DocumentBundle wrong = MakeDoc("wrong", {"violin"});
  wrong.vectors = *embedder_->Embed({"violin"});
  EXPECT_EQ(a.AddDocument(std::move(wrong)).status().code(), StatusCode::kInvalidArgument);

  // Dense search answers "anticoagulant" with medical chunks only, including those that never say it.
  SearchOptions so;
  so.mode = SearchMode::kDense;
  so.k = 20;  // 21 medical chunks, 14 of them with the word
  auto hits = a.Search("anticoagulant", so);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 20u);
  bool found_without_word = false;
  for (const auto& h : *hits) {
    EXPECT_TRUE(h.text.find("clot") != std::string::npos || h.text.find("apixaban") != std::string::npos)
        << h.text;
    found_without_word |= h.text.find("anticoagulant") == std::string::npos;
  }
  EXPECT_TRUE(found_without_word);

  // Back to the hashing embedder: the stored model is dropped.
  ReindexOptions back;
  back.embedder = "hash";
  auto r = a.Reindex(back);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->embedder, embedder_->Name());
  EXPECT_EQ(r->chunks, corpus.size() + 1);
  Close();
  Archive& again = Open();
  EXPECT_EQ(again.embedder()->Name(), embedder_->Name());
  EXPECT_EQ(again.Stats()->vectors, corpus.size() + 1);
}

TEST_F(ReindexTest, BadOptionsAndReadOnlyAreRefused) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d", {"alpha beta gamma"})).ok());
  ReindexOptions o;
  o.embedder = "bert";
  EXPECT_EQ(a.Reindex(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.dimension = 2;
  EXPECT_EQ(a.Reindex(o).status().code(), StatusCode::kInvalidArgument);
  // One chunk is too little text to fit a model: a clear error, and nothing changes.
  EXPECT_EQ(a.Reindex({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.embedder()->Name(), embedder_->Name());
  Close();
  ArchiveOptions ro;
  ro.read_only = true;
  Archive& r = Open(ro);
  EXPECT_EQ(r.Reindex({}).status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace archivist::index::testing
