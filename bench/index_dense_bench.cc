// The dense index at scale: exact search against the approximate indexes the archive switches to
// above `ann_threshold` (IVF-Flat, HNSW), on hash-embedded chunks of the synthetic collection of
// index_bench.cc (same generator and seed, so the same chunks and queries).
//
//   archivist_index_dense_bench --vectors N [--kinds exact,ivf,hnsw] [--queries Q]
//                               [--ann-threshold T] [--nlist L] [--nprobe P]
//
// Vectors are added in batches of 10,000 through DenseIndex, as the archive's commits do, so the
// approximate index is built at the switch (T vectors) and grows by insertion after it. Reported
// per kind: build seconds, recall@10 against exact search, single-thread p50/p99 latency.

#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "archivist/index/embedder.h"
#include "dense_index.h"
#include "index_bench_corpus.h"

namespace {

using namespace archivist;
using namespace archivist::bench;

std::vector<float> EmbedAll(const index::Embedder& e, const std::vector<std::string>& texts) {
  const size_t dim = static_cast<size_t>(e.Dimension());
  std::vector<float> out(texts.size() * dim);
  auto work = [&](size_t part, size_t parts) {
    for (size_t start = part * 256; start < texts.size(); start += parts * 256) {
      std::vector<std::string> batch(texts.begin() + static_cast<std::ptrdiff_t>(start),
                                     texts.begin() + static_cast<std::ptrdiff_t>(std::min(texts.size(), start + 256)));
      auto v = e.Embed(batch);
      if (!v.ok()) std::abort();
      for (size_t i = 0; i < v->size(); ++i) std::copy((*v)[i].begin(), (*v)[i].end(), out.begin() + static_cast<std::ptrdiff_t>((start + i) * dim));
    }
  };
  std::thread a(work, 0, 2), b(work, 1, 2);
  a.join();
  b.join();
  return out;
}

int Run(uint64_t n, const std::vector<std::string>& kinds, size_t nq, const index::DenseIndexOptions& base,
        const std::string& corpora) {
  auto vocab = Vocabulary(corpora);
  if (vocab.size() < 1000) {
    std::cerr << "vocabulary too small: is --corpora right?\n";
    return 2;
  }
  ZipfText gen(vocab, 20261127);
  std::vector<std::string> chunks(n);
  for (auto& c : chunks) c = gen.Chunk();
  std::vector<std::string> queries;
  for (size_t i = 0; i < nq; ++i) queries.push_back(gen.Query());
  auto embedder = index::MakeBuiltinEmbedder();
  const int dim = embedder->Dimension();
  auto t0 = Clock::now();
  std::vector<float> vectors = EmbedAll(*embedder, chunks);
  chunks = {};
  std::vector<float> qv = EmbedAll(*embedder, queries);
  std::cerr << "embedded " << n << " chunks in " << Since(t0) << " s\n";

  std::vector<std::set<uint64_t>> truth;
  nlohmann::json rows = nlohmann::json::array();
  std::cout << "| index | vectors | build s | recall@10 vs exact | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n";
  for (const std::string& kind : kinds) {
    index::DenseIndexOptions o = base;
    if (kind == "exact") o.ann_threshold = UINT64_MAX;
    else o.ann_index = kind;
    index::DenseIndex dense(dim, o);
    t0 = Clock::now();
    for (uint64_t start = 0; start < n; start += 10000) {
      const uint64_t end = std::min(n, start + 10000);
      std::vector<uint64_t> ids;
      for (uint64_t i = start; i < end; ++i) ids.push_back(i + 1);
      std::vector<float> part(vectors.begin() + static_cast<std::ptrdiff_t>(start * dim),
                              vectors.begin() + static_cast<std::ptrdiff_t>(end * dim));
      if (auto s = dense.Add(ids, part); !s.ok()) {
        std::cerr << kind << ": " << s.ToString() << "\n";
        return 3;
      }
      if ((end / 10000) % 10 == 0) std::cerr << kind << ": " << end << " vectors, " << Since(t0) << " s\n";
    }
    const double build_s = Since(t0);
    std::vector<double> ms;
    size_t found = 0, total = 0;
    for (size_t q = 0; q < nq; ++q) {
      std::vector<float> query(qv.begin() + static_cast<std::ptrdiff_t>(q * dim),
                               qv.begin() + static_cast<std::ptrdiff_t>((q + 1) * dim));
      auto t = Clock::now();
      auto r = dense.Search(query, 10);
      ms.push_back(Since(t) * 1000);
      if (!r.ok()) return 3;
      std::set<uint64_t> got;
      for (const auto& [id, s] : *r) got.insert(id);
      if (kind == "exact") {
        truth.push_back(got);
        continue;
      }
      if (q < truth.size()) {
        for (uint64_t id : truth[q]) found += got.count(id);
        total += truth[q].size();
      }
    }
    const double recall = kind == "exact" ? 1.0 : total ? static_cast<double>(found) / static_cast<double>(total) : 0.0;
    std::cout << std::fixed << std::setprecision(2) << "| " << kind << " | " << n << " | " << std::setprecision(1)
              << build_s << " | " << std::setprecision(3) << (total || kind == "exact" ? std::to_string(recall) : "n/a (run exact first)")
              << " | " << std::setprecision(2) << Percentile(ms, 0.5) << " | " << Percentile(ms, 0.99) << " |\n";
    rows.push_back({{"index", kind}, {"vectors", n}, {"build_s", build_s}, {"recall10", recall},
                    {"p50_ms", Percentile(ms, 0.5)}, {"p99_ms", Percentile(ms, 0.99)}});
  }
  std::cout << nlohmann::json{{"phase", "dense"}, {"ann_threshold", base.ann_threshold},
                              {"ivf_nlist", base.ivf_nlist}, {"ivf_nprobe", base.ivf_nprobe},
                              {"hnsw_m", base.hnsw_m}, {"hnsw_ef_construction", base.hnsw_ef_construction},
                              {"rows", rows}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 1000000;
  size_t nq = 200;
  std::vector<std::string> kinds = {"exact", "ivf"};
  std::string corpora = ARCHIVIST_SOURCE_DIR "/../shared/corpora/ir";
  index::DenseIndexOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--vectors") n = std::stoull(next());
    else if (a == "--queries") nq = std::stoul(next());
    else if (a == "--ann-threshold") o.ann_threshold = std::stoull(next());
    else if (a == "--nlist") o.ivf_nlist = std::stoi(next());
    else if (a == "--nprobe") o.ivf_nprobe = std::stoi(next());
    else if (a == "--hnsw-m") o.hnsw_m = std::stoi(next());
    else if (a == "--hnsw-ef-construction") o.hnsw_ef_construction = std::stoi(next());
    else if (a == "--corpora") corpora = next();
    else if (a == "--kinds") {
      kinds.clear();
      std::stringstream ss(next());
      for (std::string k; std::getline(ss, k, ',');) kinds.push_back(k);
    } else {
      std::cerr << "usage: archivist_index_dense_bench --vectors N [--kinds exact,ivf,hnsw] [--queries Q] "
                   "[--ann-threshold T] [--nlist L] [--nprobe P] [--hnsw-m M] [--hnsw-ef-construction E]\n";
      return 1;
    }
  }
  if (auto s = o.Validate(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  return Run(n, kinds, nq, o, corpora);
}
