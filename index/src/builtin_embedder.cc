// The built-in embedder: feature hashing, no weights to download, fully deterministic.
//
// A text becomes a bag of features -- stemmed words, adjacent word pairs, and character 3- and
// 4-grams of each word (with boundary marks, so "transfer" and "transfers" or a misspelling still
// share most features) -- each hashed with a sign into 384 dimensions. Counts are damped
// (1 + ln tf) so a repeated word does not dominate, very common English function words are
// down-weighted, and the result is L2-normalized so inner product is cosine similarity. Texts that
// share vocabulary score high; unrelated texts score near zero. It captures no synonymy: that is
// the job of a corpus-fitted (LSA) or neural embedder, which plugs in through the same interface.

#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "analyzer.h"
#include "archivist/index/embedder.h"

namespace archivist::index {
namespace {

constexpr int kDimension = 384;
constexpr double kWordWeight = 1.0;
constexpr double kBigramWeight = 0.5;
constexpr double kCharGramWeight = 0.2;
constexpr double kStopwordWeight = 0.1;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // FNV's low bits mix poorly for short keys; finish with a murmur-style avalanche.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

bool IsStopword(const std::string& w) {
  static const std::unordered_set<std::string> kStop = {
      "a",    "an",   "the",  "and",  "or",   "of",   "to",   "in",   "on",  "at",   "by",
      "for",  "with", "from", "as",   "is",   "are",  "was",  "were", "be",  "been", "it",
      "its",  "this", "that", "these", "those", "not", "no",  "but",  "if",  "than", "then",
      "so",   "such", "which", "who", "what", "there", "their", "they", "he", "she", "we",
      "you",  "i",    "has",  "have", "had",  "do",   "does", "did",  "can", "will", "would"};
  return kStop.count(w) > 0;
}

// Splits a UTF-8 string into code points (as byte strings) for character n-grams.
std::vector<std::string_view> CodePoints(const std::string& s) {
  std::vector<std::string_view> cps;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    len = std::min(len, s.size() - i);
    cps.emplace_back(s.data() + i, len);
    i += len;
  }
  return cps;
}

class HashEmbedder final : public Embedder {
 public:
  HashEmbedder() : analyzer_(/*stemming=*/true) {}

  std::string Name() const override { return "builtin-hash-v1/" + std::to_string(kDimension); }
  int Dimension() const override { return kDimension; }

  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) const override {
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (const auto& t : texts) out.push_back(EmbedOne(t));
    return out;
  }

 private:
  std::vector<float> EmbedOne(const std::string& text) const {
    // feature -> (weight, count)
    std::unordered_map<std::string, std::pair<double, int>> features;
    auto add = [&](std::string key, double weight) {
      auto& f = features[std::move(key)];
      f.first = weight;
      ++f.second;
    };
    std::vector<Token> tokens = analyzer_.Tokenize(text);
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      const bool stop = IsStopword(t.norm);
      add("w:" + t.term, stop ? kStopwordWeight : kWordWeight);
      if (i > 0 && !stop && !IsStopword(tokens[i - 1].norm))
        add("b:" + tokens[i - 1].term + " " + t.term, kBigramWeight);
      if (t.numeric || stop) continue;
      const std::string marked = "<" + t.norm + ">";
      std::vector<std::string_view> cps = CodePoints(marked);  // views into `marked`
      for (size_t n = 3; n <= 4; ++n) {
        for (size_t s = 0; s + n <= cps.size(); ++s) {
          std::string gram = "c:";
          for (size_t k = 0; k < n; ++k) gram.append(cps[s + k]);
          add(std::move(gram), kCharGramWeight);
        }
      }
    }
    std::vector<double> acc(kDimension, 0.0);
    for (const auto& [key, wc] : features) {
      const uint64_t h = Fnv1a(key);
      const double value = wc.first * (1.0 + std::log(static_cast<double>(wc.second)));
      acc[h % kDimension] += (h >> 63) ? -value : value;
    }
    double norm = 0.0;
    for (double v : acc) norm += v * v;
    norm = std::sqrt(norm);
    std::vector<float> v(kDimension, 0.0f);
    if (norm > 0.0)
      for (int i = 0; i < kDimension; ++i) v[i] = static_cast<float>(acc[i] / norm);
    return v;
  }

  Analyzer analyzer_;
};

}  // namespace

std::unique_ptr<Embedder> MakeBuiltinEmbedder() { return std::make_unique<HashEmbedder>(); }

}  // namespace archivist::index
