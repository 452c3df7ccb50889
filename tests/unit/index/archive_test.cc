// Storage behaviour of the archive: round trips, atomic add/delete, persistence, schema and
// embedder checks, the FAISS file's staleness detection.

#include <rocksdb/db.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <thread>

#include "archive_fixture.h"

namespace archivist::index::testing {
namespace {

namespace fs = std::filesystem;

TEST_F(ArchiveTest, AddGetListDeleteRoundTrip) {
  Archive& a = Open();
  DocumentBundle b = MakeDoc("d1", {"Quarterly wire transfer report", "Offshore accounts listed"});
  b.document.tags = {"finance", "q3"};
  b.document.created = "2024-05-01";
  b.pages[1].ocr_confidence = 87.5f;
  b.pages[1].source = "ocr";
  auto ids = a.AddDocument(b);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[1], (*ids)[0] + 1);

  EXPECT_TRUE(*a.Contains("d1"));
  EXPECT_FALSE(*a.Contains("nope"));
  auto doc = a.GetDocument("d1");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->title, "Doc d1");
  EXPECT_EQ(doc->tags, (std::vector<std::string>{"finance", "q3"}));
  EXPECT_EQ(doc->chunk_count, 2);
  EXPECT_EQ(doc->page_count, 2);
  EXPECT_EQ(doc->collection, "default");

  auto page = a.GetPage("d1", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->text, "Offshore accounts listed");
  EXPECT_EQ(page->source, "ocr");
  EXPECT_FLOAT_EQ(page->ocr_confidence, 87.5f);

  auto chunks = a.GetChunks("d1");
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_EQ((*chunks)[1].chunk_id, (*ids)[1]);
  EXPECT_EQ((*chunks)[1].ordinal, 1);
  EXPECT_EQ((*chunks)[1].doc_id, "d1");
  ASSERT_EQ((*chunks)[1].spans.size(), 1u);
  EXPECT_EQ((*chunks)[1].spans[0].end, 24u);

  auto list = a.ListDocuments();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);

  ASSERT_TRUE(a.DeleteDocument("d1").ok());
  EXPECT_FALSE(*a.Contains("d1"));
  EXPECT_EQ(a.GetDocument("d1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(a.GetPage("d1", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(a.GetChunk((*ids)[0]).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(a.DeleteDocument("d1").code(), StatusCode::kNotFound);
  auto stats = a.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 0u);
  EXPECT_EQ(stats->pages, 0u);
  EXPECT_EQ(stats->chunks, 0u);
  EXPECT_EQ(stats->terms, 0u);
  EXPECT_EQ(stats->vectors, 0u);
  EXPECT_TRUE(stats->collections.empty());
}

TEST_F(ArchiveTest, DuplicateDocumentIsAlreadyExists) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"alpha"})).ok());
  auto again = a.AddDocument(MakeDoc("d1", {"beta"}));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  // The failed add left nothing behind.
  EXPECT_TRUE(Find("beta").empty());
  EXPECT_EQ(a.Stats()->chunks, 1u);
}

TEST_F(ArchiveTest, RejectsInconsistentBundles) {
  Archive& a = Open();
  DocumentBundle b = MakeDoc("d1", {"alpha", "beta"});
  b.vectors.assign(1, std::vector<float>(384, 0.0f));
  EXPECT_EQ(a.AddDocument(b).status().code(), StatusCode::kInvalidArgument);
  b.vectors.assign(2, std::vector<float>(10, 0.0f));
  EXPECT_EQ(a.AddDocument(b).status().code(), StatusCode::kInvalidArgument);
  b.document.doc_id.clear();
  b.vectors.clear();
  EXPECT_EQ(a.AddDocument(b).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(*a.Contains("d1"));
}

TEST_F(ArchiveTest, ReopenPersistsEverything) {
  {
    Archive& a = Open();
    ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"the invoice was paid by wire"}, "legal")).ok());
    ASSERT_TRUE(a.AddDocument(MakeDoc("d2", {"patient on warfarin since May"}, "clinic")).ok());
    Close();
  }
  EXPECT_TRUE(fs::exists(dir_ + "/vectors.faiss"));
  Archive& a = Open();
  auto stats = a.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 2u);
  EXPECT_EQ(stats->chunks, 2u);
  EXPECT_EQ(stats->vectors, 2u);
  EXPECT_EQ(stats->vector_dimension, 384);
  EXPECT_EQ(stats->embedder, "builtin-hash-v1/384");
  EXPECT_EQ(stats->collections,
            (std::vector<std::pair<std::string, uint64_t>>{{"clinic", 1}, {"legal", 1}}));
  auto hits = Find("warfarin");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].doc_id, "d2");
  hits = Find("invoice paid", SearchMode::kDense);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].doc_id, "d1");
  // Chunk ids keep increasing across reopen: no reuse of a deleted or existing id.
  auto ids = a.AddDocument(MakeDoc("d3", {"third"}));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*ids)[0], 3u);
}

TEST_F(ArchiveTest, DeleteRemovesPostingsAndVectors) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("keep", {"ledger of domestic payments"})).ok());
  ASSERT_TRUE(a.AddDocument(MakeDoc("gone", {"ledger of offshore payments"})).ok());
  ASSERT_EQ(Find("offshore").size(), 1u);
  ASSERT_TRUE(a.DeleteDocument("gone").ok());
  EXPECT_TRUE(Find("offshore").empty());
  for (const auto& h : Find("offshore ledger payments", SearchMode::kDense)) EXPECT_EQ(h.doc_id, "keep");
  for (const auto& h : Find("ledger", SearchMode::kHybrid)) EXPECT_EQ(h.doc_id, "keep");
  EXPECT_EQ(a.TermIdf("offshor"), 0.0);  // gone from the lexicon
  auto stats = a.Stats();
  EXPECT_EQ(stats->vectors, 1u);
  EXPECT_EQ(stats->documents, 1u);
  // Still consistent after the FAISS file round trip.
  Close();
  Open();
  EXPECT_EQ(archive_->Stats()->vectors, 1u);
  for (const auto& h : Find("offshore", SearchMode::kDense)) EXPECT_EQ(h.doc_id, "keep");
}

TEST_F(ArchiveTest, StaleOrMissingFaissFileIsRebuilt) {
  {
    Archive& a = Open();
    ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"harbour crane maintenance log"})).ok());
    ASSERT_TRUE(a.Flush().ok());
    fs::copy_file(dir_ + "/vectors.faiss", dir_ + "/old.faiss");
    ASSERT_TRUE(a.AddDocument(MakeDoc("d2", {"pediatric vaccination schedule"})).ok());
    Close();
  }
  // Put back the file from before d2: it records an older sequence and must not be trusted.
  fs::copy_file(dir_ + "/old.faiss", dir_ + "/vectors.faiss", fs::copy_options::overwrite_existing);
  {
    Archive& a = Open();
    EXPECT_EQ(a.Stats()->vectors, 2u);
    auto hits = Find("vaccination schedule", SearchMode::kDense);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc_id, "d2");
    Close();
  }
  fs::remove(dir_ + "/vectors.faiss");
  {
    Archive& a = Open();
    EXPECT_EQ(a.Stats()->vectors, 2u);
    auto hits = Find("crane maintenance", SearchMode::kDense);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0].doc_id, "d1");
    Close();
  }
  // A damaged file is rebuilt too, not an error.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/vectors.faiss", "garbage").ok());
  Archive& a = Open();
  EXPECT_EQ(a.Stats()->vectors, 2u);
}

TEST_F(ArchiveTest, NewerSchemaIsRefused) {
  Open();
  Close();
  {
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_ + "/db", &names).ok());
    for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_ + "/db", descs, &handles, &raw).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta") {
        ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[i], "schema_version", "99").ok());
      }
    }
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  auto r = Archive::Open(dir_, embedder_.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("schema version 99"), std::string::npos) << r.status().message();
}

class OtherEmbedder : public Embedder {
 public:
  std::string Name() const override { return "other/8"; }
  int Dimension() const override { return 8; }
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& t) const override {
    return std::vector<std::vector<float>>(t.size(), std::vector<float>(8, 0.0f));
  }
};

TEST_F(ArchiveTest, EmbedderOrAnalyzerMismatchIsRefused) {
  Open();
  Close();
  OtherEmbedder other;
  auto r = Archive::Open(dir_, &other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("builtin-hash-v1/384"), std::string::npos);

  ArchiveOptions no_stem;
  no_stem.stemming = false;
  r = Archive::Open(dir_, embedder_.get(), no_stem);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  // Without an embedder the archive still opens for lexical work.
  r = Archive::Open(dir_, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_F(ArchiveTest, ReadOnlyOpenRefusesWrites) {
  Open();
  ASSERT_TRUE(archive_->AddDocument(MakeDoc("d1", {"alpha beta"})).ok());
  Close();
  ArchiveOptions ro;
  ro.read_only = true;
  Archive& a = Open(ro);
  EXPECT_EQ(a.AddDocument(MakeDoc("d2", {"x"})).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(a.DeleteDocument("d1").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Find("alpha").size(), 1u);

  auto missing = Archive::Open(dir_ + "/nowhere", embedder_.get(), ro);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(ArchiveTest, ConcurrentAddsGetDistinctChunkIds) {
  Archive& a = Open();
  std::vector<std::vector<uint64_t>> ids(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = a.AddDocument(MakeDoc("t" + std::to_string(t) + "-" + std::to_string(i),
                                       {"shared words here", "more text " + std::to_string(i)}));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids[t].insert(ids[t].end(), r->begin(), r->end());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(a.Stats()->chunks, 40u);
  SearchOptions o;
  o.k = 100;
  o.mode = SearchMode::kLexical;
  EXPECT_EQ(a.Search("shared", o)->size(), 20u);
}

TEST_F(ArchiveTest, StatsReportSizesAndCollections) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("a", {"one two three", "four"}, "x")).ok());
  ASSERT_TRUE(a.AddDocument(MakeDoc("b", {"two five"}, "x")).ok());
  ASSERT_TRUE(a.AddDocument(MakeDoc("c", {"six"}, "y")).ok());
  auto s = a.Stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->documents, 3u);
  EXPECT_EQ(s->pages, 4u);
  EXPECT_EQ(s->chunks, 4u);
  EXPECT_EQ(s->terms, 6u);
  EXPECT_GT(s->postings_bytes, 0u);
  EXPECT_GT(s->disk_bytes, 0u);
  EXPECT_EQ(s->collections, (std::vector<std::pair<std::string, uint64_t>>{{"x", 2}, {"y", 1}}));
}

TEST_F(ArchiveTest, BackupIsAConsistentOpenableCopy) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("d1", {"glacier survey notes"})).ok());
  ASSERT_TRUE(a.AddDocument(MakeDoc("d2", {"volcano survey notes"})).ok());
  const std::string backup = dir_ + "/../" + fs::path(dir_).filename().string() + "-backup";
  ASSERT_TRUE(a.Backup(backup).ok());
  EXPECT_EQ(a.Backup(backup).code(), StatusCode::kAlreadyExists);
  // Later changes to the original do not reach the copy.
  ASSERT_TRUE(a.DeleteDocument("d1").ok());
  Close();
  auto copy = Archive::Open(backup, embedder_.get());
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ((*copy)->Stats()->documents, 2u);
  EXPECT_EQ((*copy)->Stats()->vectors, 2u);
  SearchOptions o;
  o.mode = SearchMode::kDense;
  auto hits = (*copy)->Search("glacier", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].doc_id, "d1");
  copy->reset();
  std::error_code ec;
  fs::remove_all(backup, ec);
}

TEST_F(ArchiveTest, AddDocumentsCommitsABatchAtomically) {
  Archive& a = Open();
  ASSERT_TRUE(a.AddDocument(MakeDoc("old", {"river delta sediment"})).ok());
  std::vector<DocumentBundle> batch = {MakeDoc("b1", {"river flood", "sediment core"}),
                                       MakeDoc("b2", {"river bank erosion"}),
                                       MakeDoc("b3", {"unrelated glacier"})};
  // A stored doc_id or one repeated in the batch fails the whole call and writes nothing.
  auto bad = batch;
  bad.push_back(MakeDoc("old", {"x"}));
  EXPECT_EQ(a.AddDocuments(bad).status().code(), StatusCode::kAlreadyExists);
  bad = batch;
  bad.push_back(MakeDoc("b1", {"x"}));
  EXPECT_EQ(a.AddDocuments(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(*a.Contains("b1"));
  EXPECT_EQ(a.Stats()->chunks, 1u);

  auto ids = a.AddDocuments(batch);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ((*ids)[0], (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ((*ids)[1], (std::vector<uint64_t>{4}));
  EXPECT_EQ((*ids)[2], (std::vector<uint64_t>{5}));
  // Document frequencies count across the batch: "river" is in 3 of 5 chunks.
  EXPECT_NEAR(a.TermIdf("river"), std::log(1.0 + (5 - 3 + 0.5) / (3 + 0.5)), 1e-12);
  EXPECT_EQ(Find("river").size(), 3u);
  EXPECT_EQ(Find("glacier", SearchMode::kDense)[0].doc_id, "b3");
  EXPECT_EQ(a.Stats()->terms, 9u);
  ASSERT_TRUE(a.DeleteDocument("b2").ok());
  EXPECT_NEAR(a.TermIdf("river"), std::log(1.0 + (4 - 2 + 0.5) / (2 + 0.5)), 1e-12);
  EXPECT_EQ(a.Stats()->terms, 7u);  // "bank" and "erosion" left the lexicon
}

}  // namespace
}  // namespace archivist::index::testing
