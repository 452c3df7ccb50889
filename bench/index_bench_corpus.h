#pragma once
// The synthetic collection shared by the index benchmarks (index_bench.cc, index_dense_bench.cc):
// the IR collections' vocabulary ranked by frequency, Zipf-distributed chunk text and queries, and
// small measuring helpers.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "archivist/index/eval.h"

namespace archivist::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

inline const char* const kCollections[] = {"cranfield", "cisi", "cacm", "adi"};

inline std::vector<std::string> Vocabulary(const std::string& corpora) {
  std::unordered_map<std::string, uint64_t> freq;
  for (const char* name : kCollections) {
    const std::string root = corpora + "/" + name;
    auto c = index::LoadIrCollection(root + "/docs.jsonl", root + "/queries.jsonl", root + "/qrels.tsv");
    if (!c.ok()) continue;
    for (const auto& text : index::IrCorpusTexts(*c)) {
      std::string w;
      for (char ch : text + " ") {
        if (std::isalpha(static_cast<unsigned char>(ch))) {
          w += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        } else if (!w.empty()) {
          ++freq[w];
          w.clear();
        }
      }
    }
  }
  std::vector<std::pair<uint64_t, std::string>> ranked;
  for (auto& [w, n] : freq) ranked.emplace_back(n, w);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && i < 30000; ++i) out.push_back(ranked[i].second);
  return out;
}

class ZipfText {
 public:
  ZipfText(std::vector<std::string> vocab, uint64_t seed) : vocab_(std::move(vocab)), rng_(seed) {
    double acc = 0;
    for (size_t r = 1; r <= vocab_.size(); ++r) {
      acc += 1.0 / static_cast<double>(r);
      cdf_.push_back(acc);
    }
    for (double& c : cdf_) c /= acc;
  }
  std::string Chunk() {
    const int n = std::uniform_int_distribution<int>(40, 120)(rng_);
    std::string out;
    for (int i = 0; i < n; ++i) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
      const size_t r = static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
      if (i) out += ' ';
      out += vocab_[std::min(r, vocab_.size() - 1)];
    }
    return out;
  }
  std::string Query() {
    const int n = std::uniform_int_distribution<int>(2, 4)(rng_);
    const size_t hi = std::min<size_t>(10000, vocab_.size() - 1);
    std::string out;
    // Every other query leads with a common word (ranks 10-99): long postings lists.
    if (++queries_ % 2 == 0) out = vocab_[std::uniform_int_distribution<size_t>(10, 99)(rng_)] + " ";
    for (int i = 0; i < n; ++i) {
      if (i) out += ' ';
      out += vocab_[std::uniform_int_distribution<size_t>(std::min<size_t>(100, hi), hi)(rng_)];
    }
    return out;
  }

 private:
  std::vector<std::string> vocab_;
  std::vector<double> cdf_;
  std::mt19937_64 rng_;
  uint64_t queries_ = 0;
};

inline uint64_t PeakRssKiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

inline uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) n += it->file_size(fec);
  }
  return n;
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace archivist::bench
