#pragma once
// Lexical analysis: Unicode word segmentation (ICU word break rules), NFKC case folding, removal of
// diacritics on Latin/Greek/Cyrillic letters, optional English Snowball stemming. The same analyzer
// indexes chunks, parses queries, builds snippets and feeds the built-in embedder, so all of them
// agree on what a "term" is.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivist::index {

struct Token {
  std::string term;     // the indexed form (normalized, stemmed if stemming is on)
  std::string norm;     // normalized but never stemmed (prefix queries, character n-grams)
  uint32_t position = 0;  // word ordinal in the text (phrase matching)
  uint32_t begin = 0;     // byte offsets of the word in the analyzed text
  uint32_t end = 0;
  bool numeric = false;
};

class Analyzer {
 public:
  explicit Analyzer(bool stemming) : stemming_(stemming) {}

  // Thread-safe: ICU and Snowball state is kept per thread.
  std::vector<Token> Tokenize(std::string_view text) const;
  std::vector<std::string> Terms(std::string_view text) const;
  // Normalizes one word without segmenting or stemming it (used for prefix queries).
  std::string Normalize(std::string_view word) const;
  bool stemming() const { return stemming_; }
  // Identifies the analysis rules; stored with the index so a store is never queried (or deleted
  // from) with different rules than it was built with.
  std::string Name() const;

 private:
  bool stemming_;
};

}  // namespace archivist::index
