// Index and search at scale, side by side with Xapian (BM25 weighting) on the same synthetic
// collection and the same queries, plus BM25 quality of both on the real IR test collections.
//
//   archivist_index_bench build  --dir DIR [--chunks N] [--engine ours|xapian] [--corpora DIR]
//                                [--ann-threshold N] [--fold-chunks N] [--lexical-only]
//                                [--stop-at N] [--resume]  # a long build in segments
//                                # both indexes unless --engine; --lexical-only: no vectors
//   archivist_index_bench search --dir DIR --engine ours|xapian [--queries N] [--lexical-only]
//   archivist_index_bench quality --dir DIR [--corpora DIR]
//
// The synthetic collection: the vocabulary of every document of the IR collections (lower-cased
// words, ranked by frequency, top 30,000), chunk words drawn from that ranking with a Zipf law
// (s = 1), 40-120 words per chunk, 10 chunks per document, fixed seed. Queries: 2-4 words drawn
// uniformly from ranks 100-10,000 (content words, not stop words); every other query also leads
// with a common word of ranks 10-99 (postings lists of ~10% of the chunks). Each phase prints a table
// and one JSON line; `search` runs in its own process so its peak RSS (VmHWM) is the search's.

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/eval.h"
#include "index_bench_corpus.h"

namespace {

using namespace archivist;
constexpr int kChunksPerDoc = 10;
constexpr uint64_t kGroupDocs = 64;
using namespace archivist::bench;

index::DocumentBundle MakeBundle(uint64_t doc, const std::vector<std::string>& chunks, size_t first) {
  index::DocumentBundle b;
  b.document.doc_id = "doc" + std::to_string(doc);
  b.document.title = "Document " + std::to_string(doc);
  b.document.source_path = "/bench/" + b.document.doc_id + ".txt";
  b.document.media_type = "text/plain";
  b.document.collection = "bench";
  for (int i = 0; i < kChunksPerDoc; ++i) {
    const std::string& text = chunks[first + static_cast<size_t>(i)];
    index::PageRecord p;
    p.number = i + 1;
    p.text = text;
    p.source = "text_layer";
    b.pages.push_back(p);
    index::ChunkRecord c;
    c.ordinal = i;
    c.first_page = c.last_page = i + 1;
    c.spans.push_back({i + 1, 0, static_cast<uint32_t>(text.size())});
    c.text = text;
    c.token_count = static_cast<int>(text.size() / 6);
    b.chunks.push_back(std::move(c));
  }
  b.document.page_count = b.document.chunk_count = kChunksPerDoc;
  return b;
}

Xapian::Query XapianQuery(const Xapian::Database& db, const std::string& text) {
  Xapian::QueryParser qp;
  qp.set_stemmer(Xapian::Stem("english"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
  qp.set_default_op(Xapian::Query::OP_OR);
  qp.set_database(db);
  return qp.parse_query(text, 0);  // no operators: plain words, like our plain_text mode
}

void XapianIndexText(Xapian::WritableDatabase& db, const std::string& id, const std::string& text) {
  Xapian::TermGenerator tg;
  tg.set_stemmer(Xapian::Stem("english"));
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
  Xapian::Document doc;
  doc.set_data(id);
  tg.set_document(doc);
  tg.index_text(text);
  db.add_document(doc);
}

int Build(const std::string& dir, uint64_t n_chunks, const std::string& corpora,
          const index::ArchiveOptions& ao, const std::string& engine, bool lexical_only,
          uint64_t stop_at, bool resume) {
  const bool ours_too = engine != "xapian", xapian_too = engine != "ours";
  fs::create_directories(dir);
  if (ours_too && !resume) fs::remove_all(dir + "/ours");
  if (xapian_too && !resume) fs::remove_all(dir + "/xapian");
  auto vocab = Vocabulary(corpora);
  if (vocab.size() < 1000) {
    std::cerr << "vocabulary too small (" << vocab.size() << " words): is --corpora right?\n";
    return 2;
  }
  n_chunks = (n_chunks + kChunksPerDoc - 1) / kChunksPerDoc * kChunksPerDoc;
  ZipfText gen(vocab, 20261127);
  std::vector<std::string> chunks(n_chunks);
  uint64_t text_bytes = 0;
  for (auto& c : chunks) {
    c = gen.Chunk();
    text_bytes += c.size();
  }
  if (ours_too) {
    std::ofstream q(dir + "/queries.txt");
    for (int i = 0; i < 1000; ++i) q << gen.Query() << "\n";
  }
  // A long build runs in segments (--stop-at, then --resume): each indexes the chunks from what is
  // already stored up to stop_at and reports its own time.
  const uint64_t docs = std::min(n_chunks, stop_at == 0 ? n_chunks : stop_at) / kChunksPerDoc;
  uint64_t ours_from = 0, xapian_from = 0;
  std::cerr << "generated " << n_chunks << " chunks (" << text_bytes / 1048576 << " MiB of text)\n";

  // Ours: two threads prepare (analyze + embed) groups of 64 documents and hand each to
  // CommitDocuments, as the ingest pipeline does (its commit_max_documents is 64): one synced
  // WriteBatch per group; postings are folded into blocks every `fold_chunks` chunks.
  double ours_s = 0;
  if (ours_too) {
    auto embedder = index::MakeBuiltinEmbedder();
    auto t0 = Clock::now();
    {
      auto archive = index::Archive::Open(dir + "/ours", lexical_only ? nullptr : embedder.get(), ao);
      if (!archive.ok()) {
        std::cerr << archive.status().ToString() << "\n";
        return 3;
      }
      if (resume) {
        auto st = (*archive)->Stats();
        if (!st.ok()) return 3;
        ours_from = st->documents;  // segments complete, so documents 0..n-1 are stored
      }
      std::atomic<uint64_t> next{ours_from}, done{ours_from};
      std::atomic<bool> failed{false};
      auto worker = [&] {
        while (!failed) {
          const uint64_t start = next.fetch_add(kGroupDocs);
          if (start >= docs) break;
          std::vector<index::DocumentBundle> batch;
          for (uint64_t d = start; d < std::min(docs, start + kGroupDocs); ++d)
            batch.push_back(MakeBundle(d, chunks, d * kChunksPerDoc));
          auto r = (*archive)->CommitDocuments(std::move(batch), {});
          if (!r.ok()) {
            std::cerr << r.status().ToString() << "\n";
            failed = true;
          }
          const uint64_t total = done.fetch_add(kGroupDocs) + kGroupDocs;
          if (total % (kGroupDocs * 100) == 0)
            std::cerr << "ours: " << total * kChunksPerDoc << " chunks, " << std::fixed
                      << std::setprecision(0) << static_cast<double>(total * kChunksPerDoc) / Since(t0)
                      << " chunks/s\n";
        }
      };
      std::thread a(worker), b(worker);
      a.join();
      b.join();
      if (failed) return 3;
      if (auto s = (*archive)->Flush(); !s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 3;
      }
    }  // close: memtables flushed
    ours_s = Since(t0);
  }
  // Xapian: one writer (its API is single-writer), left to its own flush threshold
  // (XAPIAN_FLUSH_THRESHOLD, 10,000 documents by default) and one final commit.
  double xapian_s = 0;
  if (xapian_too) {
    auto t0 = Clock::now();
    Xapian::WritableDatabase db(dir + "/xapian",
                                resume ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_CREATE_OR_OVERWRITE);
    xapian_from = db.get_doccount();
    for (uint64_t i = xapian_from; i < docs * kChunksPerDoc; ++i) {
      XapianIndexText(db, std::to_string(i), chunks[i]);
      if ((i + 1) % 100000 == 0)
        std::cerr << "xapian: " << i + 1 << " chunks, " << std::fixed << std::setprecision(0)
                  << static_cast<double>(i + 1 - xapian_from) / Since(t0) << " chunks/s\n";
    }
    db.commit();
    db.close();
    xapian_s = Since(t0);
  }
  const uint64_t ours_n = ours_too ? (docs - std::min(docs, ours_from)) * kChunksPerDoc : 0;
  const uint64_t xap_n = xapian_too ? docs * kChunksPerDoc - std::min(docs * kChunksPerDoc, xapian_from) : 0;
  std::cout << std::fixed << std::setprecision(0)
            << "| engine | chunks indexed (segment) | total stored | build s | chunks/s | disk MiB |\n"
            << "|---|---|---|---|---|---|\n"
            << "| archivist (BM25" << (lexical_only ? "" : " + hash vectors") << ") | " << ours_n << " | "
            << docs * kChunksPerDoc << " | " << ours_s << " | " << static_cast<double>(ours_n) / ours_s
            << " | " << DirBytes(dir + "/ours") / 1048576.0 << " |\n"
            << "| xapian (positions) | " << xap_n << " | " << docs * kChunksPerDoc << " | " << xapian_s
            << " | " << static_cast<double>(xap_n) / xapian_s << " | " << DirBytes(dir + "/xapian") / 1048576.0
            << " |\n";
  std::cout << nlohmann::json{{"phase", "build"},
                              {"stored_chunks", docs * kChunksPerDoc},
                              {"text_mib", text_bytes / 1048576},
                              {"ours_chunks", ours_n},
                              {"ours_s", ours_s},
                              {"ours_disk_bytes", DirBytes(dir + "/ours")},
                              {"xapian_chunks", xap_n},
                              {"xapian_s", xapian_s},
                              {"xapian_disk_bytes", DirBytes(dir + "/xapian")}}
                   .dump()
            << "\n";
  return 0;
}

std::vector<std::string> ReadQueries(const std::string& path, size_t max) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line) && out.size() < max;)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Runs fn(query index) single-threaded for latencies, then split over two threads for throughput.
template <typename Fn, typename MakeFn>
nlohmann::json Measure(const std::string& label, size_t nq, MakeFn make_runner) {
  std::vector<double> ms;
  {
    Fn run = make_runner();
    for (size_t i = 0; i < std::min<size_t>(nq, 20); ++i) run(i);  // warm-up
    for (size_t i = 0; i < nq; ++i) {
      auto t = Clock::now();
      run(i);
      ms.push_back(Since(t) * 1000);
    }
  }
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      Fn run = make_runner();
      for (size_t i = static_cast<size_t>(t); i < nq; i += 2) run(i);
    });
  for (auto& th : threads) th.join();
  const double qps2 = static_cast<double>(nq) / Since(t0);
  std::cout << std::fixed << std::setprecision(2) << "| " << label << " | " << Percentile(ms, 0.5) << " | "
            << Percentile(ms, 0.99) << " | " << std::setprecision(1) << qps2 << " |\n";
  return {{"mode", label}, {"p50_ms", Percentile(ms, 0.5)}, {"p99_ms", Percentile(ms, 0.99)},
          {"qps_2_threads", qps2}, {"queries", nq}};
}

int Search(const std::string& dir, const std::string& engine, size_t nq, const index::ArchiveOptions& base,
           bool skip_hybrid) {
  auto queries = ReadQueries(dir + "/queries.txt", nq);
  if (queries.empty()) {
    std::cerr << "no queries in " << dir << "/queries.txt: run build first\n";
    return 2;
  }
  nlohmann::json rows = nlohmann::json::array();
  std::cout << "| " << engine << " mode | p50 ms | p99 ms | q/s, 2 threads |\n|---|---|---|---|\n";
  double open_s = 0;
  if (engine == "ours") {
    auto embedder = index::MakeBuiltinEmbedder();
    index::ArchiveOptions ao = base;
    ao.read_only = true;
    auto t0 = Clock::now();
    auto archive = index::Archive::Open(dir + "/ours", embedder.get(), ao);
    open_s = Since(t0);
    if (!archive.ok()) {
      std::cerr << archive.status().ToString() << "\n";
      return 3;
    }
    using Fn = std::function<void(size_t)>;
    struct Row {
      const char* label;
      index::SearchMode mode;
      bool exhaustive;
    };
    for (const Row& row : {Row{"bm25 top-10", index::SearchMode::kLexical, false},
                           Row{"bm25 top-10, no pruning", index::SearchMode::kLexical, true},
                           Row{"hybrid top-10", index::SearchMode::kHybrid, false}}) {
      if (skip_hybrid && row.mode == index::SearchMode::kHybrid) continue;
      index::SearchOptions so;
      so.mode = row.mode;
      so.k = 10;
      so.candidates = row.mode == index::SearchMode::kLexical ? 10 : 100;
      so.plain_text = true;
      so.fetch_chunks = false;
      so.exhaustive_lexical = row.exhaustive;
      rows.push_back(Measure<Fn>(row.label,
                                 queries.size(), [&]() -> Fn {
                                   return [&, so](size_t i) {
                                     auto r = (*archive)->Search(queries[i], so);
                                     if (!r.ok()) std::cerr << r.status().ToString() << "\n";
                                   };
                                 }));
    }
    auto stats = (*archive)->Stats();
    if (stats.ok())
      std::cout << "chunks " << stats->chunks << ", vectors " << stats->vectors << "\n";
  } else {
    using Fn = std::function<void(size_t)>;
    auto t0 = Clock::now();
    { Xapian::Database probe(dir + "/xapian"); }
    open_s = Since(t0);
    rows.push_back(Measure<Fn>("bm25 top-10", queries.size(), [&]() -> Fn {
      auto db = std::make_shared<Xapian::Database>(dir + "/xapian");
      auto enq = std::make_shared<Xapian::Enquire>(*db);
      enq->set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
      return [db, enq, &queries](size_t i) {
        enq->set_query(XapianQuery(*db, queries[i]));
        Xapian::MSet m = enq->get_mset(0, 10);
        (void)m.size();
      };
    }));
  }
  const uint64_t rss = PeakRssKiB();
  std::cout << "open " << std::setprecision(2) << open_s << " s, peak RSS " << rss / 1024 << " MiB\n";
  std::cout << nlohmann::json{{"phase", "search"}, {"engine", engine}, {"open_s", open_s},
                              {"peak_rss_mib", rss / 1024}, {"rows", rows}}
                   .dump()
            << "\n";
  return 0;
}

int Quality(const std::string& dir, const std::string& corpora) {
  nlohmann::json out = nlohmann::json::array();
  std::cout << "| collection | archivist BM25 nDCG@10 / MAP / R@100 | xapian BM25 nDCG@10 / MAP / R@100 |\n"
            << "|---|---|---|\n";
  for (const char* name : kCollections) {
    const std::string root = corpora + "/" + name;
    auto c = index::LoadIrCollection(root + "/docs.jsonl", root + "/queries.jsonl", root + "/qrels.tsv");
    if (!c.ok()) {
      std::cerr << name << ": " << c.status().ToString() << "\n";
      continue;
    }
    const std::string ours_dir = dir + "/quality-" + name;
    fs::remove_all(ours_dir);
    index::RetrievalMetrics ours, xap;
    {
      auto archive = index::Archive::Open(ours_dir, nullptr);
      if (!archive.ok() || !index::IngestIrCollection(**archive, *c).ok()) return 3;
      auto run = index::RunIrQueries(**archive, *c);
      if (!run.ok()) return 3;
      ours = index::Evaluate(*run, c->qrels);
    }
    {
      const std::string xdir = dir + "/xquality-" + name;
      Xapian::WritableDatabase db(xdir, Xapian::DB_CREATE_OR_OVERWRITE);
      auto texts = index::IrCorpusTexts(*c);
      for (size_t i = 0; i < texts.size(); ++i) XapianIndexText(db, c->docs[i].id, texts[i]);
      db.commit();
      Xapian::Enquire enq(db);
      enq.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
      index::IrRun run;
      for (const auto& q : c->queries) {
        enq.set_query(XapianQuery(db, q.text));
        Xapian::MSet m = enq.get_mset(0, 1000);
        auto& ranked = run[q.id];
        for (auto it = m.begin(); it != m.end(); ++it) ranked.push_back(it.get_document().get_data());
      }
      xap = index::Evaluate(run, c->qrels);
    }
    fs::remove_all(ours_dir);
    fs::remove_all(dir + "/xquality-" + name);
    std::cout << std::fixed << std::setprecision(3) << "| " << name << " | " << ours.ndcg_at_10 << " / "
              << ours.map << " / " << ours.recall_at_100 << " | " << xap.ndcg_at_10 << " / " << xap.map
              << " / " << xap.recall_at_100 << " |\n";
    out.push_back({{"collection", name},
                   {"ours", {{"ndcg10", ours.ndcg_at_10}, {"map", ours.map}, {"recall100", ours.recall_at_100}}},
                   {"xapian", {{"ndcg10", xap.ndcg_at_10}, {"map", xap.map}, {"recall100", xap.recall_at_100}}}});
  }
  std::cout << nlohmann::json{{"phase", "quality"}, {"rows", out}}.dump() << "\n";
  return 0;
}

int Usage() {
  std::cerr << "usage: archivist_index_bench build|search|quality --dir DIR [--chunks N] "
               "[--engine ours|xapian] [--queries N] [--corpora DIR] [--ann-threshold N] "
               "[--fold-chunks N] [--ann-index hnsw|ivf] [--lexical-only] [--stop-at N] [--resume]\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string cmd = argv[1];
  std::string dir, engine, corpora = ARCHIVIST_SOURCE_DIR "/../shared/corpora/ir";
  uint64_t chunks = 1000000;
  size_t queries = 500;
  index::ArchiveOptions ao;
  bool lexical_only = false;  // build: no embedder (no vectors); search: skip the hybrid row
  uint64_t stop_at = 0;       // build: index up to this many chunks in this call
  bool resume = false;        // build: continue from what DIR already holds
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--dir") dir = next();
    else if (a == "--chunks") chunks = std::stoull(next());
    else if (a == "--engine") engine = next();
    else if (a == "--queries") queries = std::stoul(next());
    else if (a == "--corpora") corpora = next();
    else if (a == "--ann-threshold") ao.ann_threshold = std::stoull(next());
    else if (a == "--fold-chunks") ao.fold_chunks = std::stoull(next());
    else if (a == "--ann-index") ao.ann_index = next();
    else if (a == "--lexical-only") lexical_only = true;
    else if (a == "--stop-at") stop_at = std::stoull(next());
    else if (a == "--resume") resume = true;
    else return Usage();
  }
  if (dir.empty()) return Usage();
  try {
    if (cmd == "build") return Build(dir, chunks, corpora, ao, engine == "ours" || engine == "xapian" ? engine : "both",
                                       lexical_only, stop_at, resume);
    if (cmd == "search") return Search(dir, engine.empty() ? "ours" : engine, queries, ao, lexical_only);
    if (cmd == "quality") return Quality(dir, corpora);
  } catch (const Xapian::Error& e) {
    std::cerr << "xapian: " << e.get_description() << "\n";
    return 3;
  }
  return Usage();
}
