// The dense index beyond its exact-search threshold: HNSW recall against exact search on real
// (corpus-fitted LSA) vectors, tombstoned deletes, persistence, and the archive's catch-up of a
// stale index file after the switch.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "archive_fixture.h"
#include "archivist/index/eval.h"
#include "dense_index.h"

namespace archivist::index::testing {
namespace {

std::string IrRoot(const std::string& name) {
  return ARCHIVIST_SOURCE_DIR "/../shared/corpora/ir/" + name;
}

// Vectors of cacm's 3,204 documents and 64 queries under an LSA model fitted on the documents.
struct RealVectors {
  std::vector<uint64_t> ids;
  std::vector<float> docs;
  std::vector<std::vector<float>> queries;
  int dim = 0;
};

RealVectors CacmVectors() {
  RealVectors out;
  const std::string root = IrRoot("cacm");
  auto c = LoadIrCollection(root + "/docs.jsonl", root + "/queries.jsonl", root + "/qrels.tsv");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return out;
  LsaOptions lo;
  lo.dimension = 128;
  auto lsa = FitLsaEmbedder(IrCorpusTexts(*c), lo);
  EXPECT_TRUE(lsa.ok()) << lsa.status().ToString();
  if (!lsa.ok()) return out;
  out.dim = (*lsa)->Dimension();
  auto dv = (*lsa)->Embed(IrCorpusTexts(*c));
  EXPECT_TRUE(dv.ok());
  for (size_t i = 0; i < dv->size(); ++i) {
    out.ids.push_back(1000 + i * 3);  // sparse, non-positional ids
    out.docs.insert(out.docs.end(), (*dv)[i].begin(), (*dv)[i].end());
  }
  std::vector<std::string> qtexts;
  for (const auto& q : c->queries) qtexts.push_back(q.text);
  auto qv = (*lsa)->Embed(qtexts);
  EXPECT_TRUE(qv.ok());
  out.queries = *qv;
  // Documents as queries too: near-duplicate neighbourhoods are where graphs lose recall.
  for (size_t i = 0; i < 200; ++i) {
    const size_t d = i * 16;
    out.queries.emplace_back(out.docs.begin() + static_cast<std::ptrdiff_t>(d * out.dim),
                             out.docs.begin() + static_cast<std::ptrdiff_t>((d + 1) * out.dim));
  }
  return out;
}

double RecallAt10(const DenseIndex& exact, const DenseIndex& ann,
                  const std::vector<std::vector<float>>& queries) {
  size_t found = 0, total = 0;
  for (const auto& q : queries) {
    auto e = exact.Search(q, 10);
    auto a = ann.Search(q, 10);
    EXPECT_TRUE(e.ok() && a.ok());
    std::set<uint64_t> got;
    for (const auto& [id, s] : *a) got.insert(id);
    for (const auto& [id, s] : *e) found += got.count(id);
    total += e->size();
  }
  return total == 0 ? 0.0 : static_cast<double>(found) / static_cast<double>(total);
}

class DenseAnnTest : public ArchiveTest {};

// Recall against exact search, deletes (tombstones), persistence and the drop back to exact, for
// one kind of approximate index.
void CheckApproximateIndex(const std::string& dir, const std::string& kind, double min_recall) {
  RealVectors v = CacmVectors();
  ASSERT_GT(v.ids.size(), 3000u);
  DenseIndexOptions exact_opts;
  exact_opts.ann_threshold = 1u << 30;
  DenseIndexOptions ann_opts;
  ann_opts.ann_threshold = 1000;
  ann_opts.ann_index = kind;
  DenseIndex exact(v.dim, exact_opts), ann(v.dim, ann_opts);
  // Added in batches so the switch happens mid-way and later batches go into the graph.
  for (size_t start = 0; start < v.ids.size(); start += 700) {
    const size_t end = std::min(v.ids.size(), start + 700);
    std::vector<uint64_t> ids(v.ids.begin() + static_cast<std::ptrdiff_t>(start),
                              v.ids.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<float> data(v.docs.begin() + static_cast<std::ptrdiff_t>(start * v.dim),
                            v.docs.begin() + static_cast<std::ptrdiff_t>(end * v.dim));
    ASSERT_TRUE(exact.Add(ids, data).ok());
    ASSERT_TRUE(ann.Add(ids, data).ok());
    EXPECT_EQ(ann.approximate(), end > 1000) << end;
  }
  EXPECT_FALSE(exact.approximate());
  EXPECT_EQ(ann.size(), v.ids.size());
  const double recall = RecallAt10(exact, ann, v.queries);
  EXPECT_GE(recall, min_recall) << kind;

  // Delete every 10th vector (a tombstone each, below the purge fraction): never answered again.
  std::vector<uint64_t> gone;
  for (size_t i = 0; i < v.ids.size(); i += 10) gone.push_back(v.ids[i]);
  ASSERT_TRUE(exact.Remove(gone).ok());
  ASSERT_TRUE(ann.Remove(gone).ok());
  EXPECT_TRUE(ann.approximate());
  EXPECT_EQ(ann.size(), v.ids.size() - gone.size());
  const std::set<uint64_t> gone_set(gone.begin(), gone.end());
  for (const auto& q : v.queries) {
    auto a = ann.Search(q, 10);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->size(), 10u);
    for (const auto& [id, s] : *a) EXPECT_EQ(gone_set.count(id), 0u) << id;
  }
  EXPECT_GE(RecallAt10(exact, ann, v.queries), min_recall) << kind;

  // The file keeps the graph, the tombstones and the sequence.
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(ann.Save(dir + "/ann.faiss", 77).ok());
  uint64_t seq = 0;
  auto loaded = DenseIndex::Load(dir + "/ann.faiss", v.dim, ann_opts, &seq);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(seq, 77u);
  EXPECT_TRUE((*loaded)->approximate());
  EXPECT_EQ((*loaded)->size(), ann.size());
  EXPECT_GE(RecallAt10(exact, **loaded, v.queries), min_recall) << kind;

  // Deleting most of the collection purges the tombstones and drops back to exact search.
  std::vector<uint64_t> most(v.ids.begin(), v.ids.begin() + 2900);
  ASSERT_TRUE(ann.Remove(most).ok());
  ASSERT_TRUE(exact.Remove(most).ok());
  EXPECT_FALSE(ann.approximate());
  EXPECT_EQ(ann.size(), exact.size());
  EXPECT_DOUBLE_EQ(RecallAt10(exact, ann, v.queries), 1.0);
}

TEST_F(DenseAnnTest, HnswRecallDeletesAndPersistence) {
  if (!std::filesystem::exists(IrRoot("cacm") + "/docs.jsonl"))
    GTEST_SKIP() << "shared corpora not available at " << IrRoot("cacm");
  CheckApproximateIndex(dir_, "hnsw", 0.95);
}

TEST_F(DenseAnnTest, IvfRecallDeletesAndPersistence) {
  if (!std::filesystem::exists(IrRoot("cacm") + "/docs.jsonl"))
    GTEST_SKIP() << "shared corpora not available at " << IrRoot("cacm");
  CheckApproximateIndex(dir_, "ivf", 0.95);
}

TEST_F(DenseAnnTest, OptionsAreValidated) {
  ArchiveOptions o;
  o.hnsw_m = 1;
  EXPECT_EQ(Archive::Open(dir_, embedder_.get(), o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.hnsw_ef_search = 0;
  EXPECT_EQ(Archive::Open(dir_, embedder_.get(), o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.ann_index = "lsh";
  EXPECT_EQ(Archive::Open(dir_, embedder_.get(), o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.ivf_nprobe = 0;
  EXPECT_EQ(Archive::Open(dir_, embedder_.get(), o).status().code(), StatusCode::kInvalidArgument);
}

// An archive past its threshold: deletes hold, and a stale vectors.faiss (as after a crash between
// commits and the file write) is caught up from RocksDB on open.
TEST_F(DenseAnnTest, ArchiveCatchesUpStaleHnswFile) {
  ArchiveOptions o;
  o.ann_threshold = 150;
  std::vector<std::string> topics = {"river flood levee water", "violin orchestra concerto music",
                                     "glacier ice mountain climb", "compiler parser grammar code",
                                     "vaccine immune antibody cell"};
  auto text = [&](int i) {
    return topics[static_cast<size_t>(i) % topics.size()] + " item" + std::to_string(i) + " note" +
           std::to_string(i * 7 % 31);
  };
  {
    Archive& a = Open(o);
    std::vector<DocumentBundle> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(MakeDoc("d" + std::to_string(i), {text(i)}));
    ASSERT_TRUE(a.AddDocuments(std::move(batch)).ok());
    ASSERT_TRUE(a.Flush().ok());
  }
  std::filesystem::copy_file(dir_ + "/vectors.faiss", dir_ + "/stale.faiss");
  {
    Archive& a = Open(o);
    std::vector<DocumentBundle> batch;
    for (int i = 200; i < 260; ++i) batch.push_back(MakeDoc("d" + std::to_string(i), {text(i)}));
    ASSERT_TRUE(a.AddDocuments(std::move(batch)).ok());
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(a.DeleteDocument("d" + std::to_string(i)).ok());
  }
  // Put the old file back: it reflects 200 documents and none of the later changes.
  std::filesystem::copy_file(dir_ + "/stale.faiss", dir_ + "/vectors.faiss",
                             std::filesystem::copy_options::overwrite_existing);
  Archive& a = Open(o);
  auto st = a.Stats();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->vectors, 220u);
  SearchOptions so;
  so.mode = SearchMode::kDense;
  so.k = 5;
  for (int i : {0, 17, 39, 40, 120, 205, 259}) {
    auto hits = a.Search(text(i), so);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    bool self = false;
    for (const auto& h : *hits) {
      EXPECT_GE(std::stoi(h.doc_id.substr(1)), 40) << "deleted " << h.doc_id << " answered";
      self |= h.doc_id == "d" + std::to_string(i);
    }
    EXPECT_EQ(self, i >= 40) << "query " << i;
  }
}

}  // namespace
}  // namespace archivist::index::testing

namespace archivist::index::testing {
namespace {

// The file is streamed into FAISS rather than read whole (1M x 384 vectors would be held three
// times); a file cut anywhere must still be a typed error, never a crash or a short index.
TEST_F(DenseAnnTest, TruncatedIndexFileIsACorruptionError) {
  std::filesystem::create_directories(dir_);
  DenseIndex index(8);
  std::vector<uint64_t> ids;
  std::vector<float> vectors;
  for (uint64_t i = 1; i <= 50; ++i) {
    ids.push_back(i);
    for (int d = 0; d < 8; ++d) vectors.push_back(static_cast<float>((i * 7 + d * 3) % 11) - 5.0f);
  }
  ASSERT_TRUE(index.Add(ids, vectors).ok());
  const std::string path = dir_ + "/whole.faiss";
  ASSERT_TRUE(index.Save(path, 42).ok());
  uint64_t sequence = 0;
  auto whole = DenseIndex::Load(path, 8, {}, &sequence);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(sequence, 42u);
  EXPECT_EQ((*whole)->size(), 50u);
  EXPECT_EQ(DenseIndex::Load(path, 16, {}, &sequence).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DenseIndex::Load(dir_ + "/absent.faiss", 8, {}, &sequence).status().code(),
            StatusCode::kNotFound);

  const auto size = std::filesystem::file_size(path);
  for (uint64_t cut : {uint64_t{0}, uint64_t{10}, uint64_t{28}, uint64_t{40}, size / 2, size - 1}) {
    const std::string cut_path = dir_ + "/cut.faiss";
    std::filesystem::copy_file(path, cut_path, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut_path, cut);
    auto loaded = DenseIndex::Load(cut_path, 8, {}, &sequence);
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace archivist::index::testing
