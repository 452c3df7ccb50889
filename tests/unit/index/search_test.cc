// Query behaviour: BM25 scores, phrases, exclusions, prefixes, filters, hybrid fusion, snippets.

#include <cmath>

#include "archive_fixture.h"

namespace archivist::index::testing {
namespace {

TEST_F(ArchiveTest, Bm25MatchesHandComputedScores) {
  ArchiveOptions o;
  o.stemming = false;
  Archive& a = Open(o);
  ASSERT_TRUE(a.AddDocument(MakeDoc("d", {"apple banana apple", "banana cherry",
                                           "cherry date elderberry fig"}))
                  .ok());
  // N = 3 chunks, avgdl = 9 / 3 = 3, k1 = 1.2, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5)).
  auto hits = Find("apple");
  ASSERT_EQ(hits.size(), 1u);
  const double idf_apple = std::log(1.0 + 2.5 / 1.5);
  EXPECT_NEAR(hits[0].score, idf_apple * (2 * 2.2) / (2 + 1.2 * (0.25 + 0.75 * 3.0 / 3.0)), 1e-9);
  EXPECT_NEAR(a.TermIdf("apple"), idf_apple, 1e-12);
  EXPECT_EQ(a.TermIdf("unknown"), 0.0);

  hits = Find("banana cherry");
  ASSERT_EQ(hits.size(), 3u);
  const double idf2 = std::log(1.0 + 1.5 / 2.5);
  // Chunk 2 holds both words in 2 terms; it must come first with the summed score.
  EXPECT_EQ(hits[0].text, "banana cherry");
  EXPECT_NEAR(hits[0].score, 2 * idf2 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2.0 / 3.0)), 1e-9);
  EXPECT_EQ(hits[0].lexical_rank, 1);
  EXPECT_EQ(hits[0].dense_rank, 0);
  // Chunk 1 (banana, length 3) beats chunk 3 (cherry, length 4): same idf, shorter chunk.
  EXPECT_EQ(hits[1].text, "apple banana apple");
  EXPECT_NEAR(hits[1].score, idf2 * 2.2 / (1 + 1.2), 1e-9);
  EXPECT_GT(hits[1].score, hits[2].score);
}

TEST_F(ArchiveTest, RanksTheObviouslyBetterChunkFirst) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {
      "Minutes of the board meeting. Catering was discussed at length.",
      "Anticoagulants: the patient takes warfarin; warfarin dose adjusted; INR monitored.",
      "The patient mentioned warfarin once in a long note about diet, exercise, sleep, family "
      "history, allergies, travel plans, insurance paperwork and parking."}))
                  .ok());
  auto hits = Find("warfarin dose");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].page, 2);
  EXPECT_EQ(hits[1].page, 3);
  // Stemming makes "anticoagulant" find "Anticoagulants".
  hits = Find("anticoagulant");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].page, 2);
}

TEST_F(ArchiveTest, PhraseExclusionAndPrefixQueries) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"transfer to an offshore account in May",
                                           "the account was moved offshore later",
                                           "offshore account closed after the transfer"}))
                  .ok());
  auto pages = [&](const std::string& q) {
    std::vector<int> p;
    for (const auto& h : Find(q)) p.push_back(h.page);
    std::sort(p.begin(), p.end());
    return p;
  };
  EXPECT_EQ(pages("\"offshore account\""), (std::vector<int>{1, 3}));
  EXPECT_EQ(pages("account -transfer"), (std::vector<int>{2}));
  EXPECT_EQ(pages("account NOT \"offshore account\""), (std::vector<int>{2}));
  EXPECT_EQ(pages("account -\"account closed\""), (std::vector<int>{1, 2}));
  EXPECT_EQ(pages("moved AND offshore"), (std::vector<int>{2}));
  EXPECT_EQ(pages("+transfer may"), (std::vector<int>{1, 3}));
  EXPECT_EQ(pages("clos*"), (std::vector<int>{3}));
  EXPECT_EQ(pages("\"account offshore\""), (std::vector<int>{}));
  // Highlights cover every word of the phrase.
  auto hits = Find("\"offshore account\" -moved");
  ASSERT_FALSE(hits.empty());
  EXPECT_NE(hits[0].snippet.find("[[offshore]] [[account]]"), std::string::npos) << hits[0].snippet;
}

TEST_F(ArchiveTest, CollectionAndFieldFilters) {
  Archive& a = Open();
  DocumentBundle legal = MakeDoc("legal1", {"contract payment terms"}, "legal");
  legal.document.created = "2024-03-10T09:00:00Z";
  legal.document.tags = {"urgent"};
  DocumentBundle clinic = MakeDoc("clinic1", {"payment for the clinic visit"}, "clinic");
  clinic.document.created = "2023-11-02";
  clinic.document.media_type = "image/png";
  ASSERT_TRUE(a.AddDocument(legal).ok());
  ASSERT_TRUE(a.AddDocument(clinic).ok());

  auto ids = [&](const std::string& q, SearchMode mode, const std::string& collection = "") {
    std::vector<std::string> v;
    for (const auto& h : Find(q, mode, collection)) v.push_back(h.doc_id);
    std::sort(v.begin(), v.end());
    return v;
  };
  using V = std::vector<std::string>;
  for (SearchMode mode : {SearchMode::kLexical, SearchMode::kDense, SearchMode::kHybrid}) {
    EXPECT_EQ(ids("payment", mode, "legal"), V{"legal1"});
    EXPECT_EQ(ids("payment", mode, "clinic"), V{"clinic1"});
    EXPECT_EQ(ids("payment", mode, "nosuch"), V{});
    EXPECT_EQ(ids("payment collection:clinic", mode), V{"clinic1"});
    EXPECT_EQ(ids("payment after:2024-01-01", mode), V{"legal1"});
    EXPECT_EQ(ids("payment before:2024", mode), V{"clinic1"});
    EXPECT_EQ(ids("payment tag:urgent", mode), V{"legal1"});
    EXPECT_EQ(ids("payment type:pdf", mode), V{"legal1"});
    EXPECT_EQ(ids("payment type:image", mode), V{"clinic1"});
    EXPECT_EQ(ids("payment doc:clin", mode), V{"clinic1"});
  }
  EXPECT_EQ(ids("payment", SearchMode::kLexical), (V{"clinic1", "legal1"}));
  // The caller's collection is a hard limit: the query's own collection: cannot widen it.
  EXPECT_EQ(ids("payment collection:clinic", SearchMode::kLexical, "legal"), V{});
  SearchOptions o;
  o.mode = SearchMode::kHybrid;
  o.allowed_collections = {"clinic", "other"};
  auto hits = a.Search("payment collection:legal", o);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  hits = a.Search("payment contract", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].doc_id, "clinic1");
}

TEST_F(ArchiveTest, MalformedQueryIsInvalidArgument) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"anything"})).ok());
  SearchOptions o;
  auto r = a.Search("find \"this", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("position 5"), std::string::npos);
  o.k = 0;
  EXPECT_EQ(a.Search("anything", o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ArchiveTest, HybridReturnsTheUnionWithRanks) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"quarterly revenue grew strongly",
                                           "revenues and revenue forecasts for next year",
                                           "unrelated gardening advice about tomatoes"}))
                  .ok());
  SearchOptions o;
  o.mode = SearchMode::kHybrid;
  auto r = a.Search("revenue", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);  // lexical finds 2, dense ranks all 3
  int lexical = 0, dense = 0;
  for (size_t i = 0; i < r->size(); ++i) {
    const SearchHit& h = (*r)[i];
    if (h.lexical_rank > 0) ++lexical;
    if (h.dense_rank > 0) ++dense;
    if (i > 0) {
      EXPECT_LE(h.score, (*r)[i - 1].score);
    }
    const double expect = (h.lexical_rank ? 1.0 / (60 + h.lexical_rank) : 0.0) +
                          (h.dense_rank ? 1.0 / (60 + h.dense_rank) : 0.0);
    EXPECT_NEAR(h.score, expect, 1e-12);
  }
  EXPECT_EQ(lexical, 2);
  EXPECT_EQ(dense, 3);
  EXPECT_EQ(r->back().text, "unrelated gardening advice about tomatoes");
  EXPECT_EQ(r->back().lexical_rank, 0);
  // Weights: with the lexical list switched off, order follows the dense ranks alone.
  o.lexical_weight = 0.0;
  r = a.Search("revenue", o);
  ASSERT_TRUE(r.ok());
  for (size_t i = 0; i < r->size(); ++i) EXPECT_EQ((*r)[i].dense_rank, static_cast<int>(i + 1));
}

TEST_F(ArchiveTest, SnippetHighlightsTheBestWindowAndItsPage) {
  Archive& a = Open();
  std::string page1 = "Introduction. ";
  for (int i = 0; i < 30; ++i) page1 += "General remarks about the filing. ";
  std::string page2 = "The wire transfer of 40,000 EUR went to an offshore account in Cyprus.";
  DocumentBundle b;
  b.document.doc_id = "long";
  b.document.source_path = "/scans/long.pdf";
  b.pages = {{1, page1, "text_layer"}, {2, page2, "text_layer"}};
  ChunkRecord c;
  c.first_page = 1;
  c.last_page = 2;
  c.spans = {{1, 0, static_cast<uint32_t>(page1.size())}, {2, 0, static_cast<uint32_t>(page2.size())}};
  c.text = page1 + "\n" + page2;
  b.chunks.push_back(c);
  ASSERT_TRUE(a.AddDocument(b).ok());

  auto hits = Find("offshore transfer");
  ASSERT_EQ(hits.size(), 1u);
  const SearchHit& h = hits[0];
  EXPECT_EQ(h.title, "long.pdf");  // no title: the file name
  EXPECT_EQ(h.page, 2);
  EXPECT_EQ(h.last_page, 2);
  EXPECT_NE(h.snippet.find("[[transfer]]"), std::string::npos) << h.snippet;
  EXPECT_NE(h.snippet.find("[[offshore]]"), std::string::npos) << h.snippet;
  EXPECT_EQ(h.snippet.find("Introduction"), std::string::npos);
  EXPECT_LE(h.snippet.size(), 200u + 6 + 8 + 4);  // window + ellipses + 2 highlight pairs
  EXPECT_EQ(h.snippet.substr(0, 3), "...");

  hits = Find("introduction");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].page, 1);
  EXPECT_EQ(hits[0].snippet.substr(0, 16), "[[Introduction]]");
}

TEST_F(ArchiveTest, GroupByDocumentKeepsEachDocumentsBestChunk) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("many", {"tax tax tax return", "tax notes", "tax"})).ok());
  ASSERT_TRUE(a.AddDocument(MakeDoc("one", {"a tax form"})).ok());
  SearchOptions o;
  o.mode = SearchMode::kLexical;
  EXPECT_EQ(a.Search("tax", o)->size(), 4u);
  o.group_by_document = true;
  auto hits = a.Search("tax", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_NE((*hits)[0].doc_id, (*hits)[1].doc_id);
  o.fetch_chunks = false;
  hits = a.Search("tax", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_TRUE((*hits)[0].text.empty());
  EXPECT_FALSE((*hits)[0].doc_id.empty());
}

TEST_F(ArchiveTest, PlainTextQueriesIgnoreOperators) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d", {"what's the patient's dose", "unrelated"})).ok());
  SearchOptions o;
  o.mode = SearchMode::kLexical;
  o.plain_text = true;
  auto hits = a.Search("what is \"the patient's -dose", o);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].page, 1);
  // Only function words: they are searched rather than dropped.
  hits = a.Search("what is the", o);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->size(), 1u);
}

}  // namespace
}  // namespace archivist::index::testing
