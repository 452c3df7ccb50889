#pragma once
// Sentences of stored chunks, located on their pages, for quoting with exact citations.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"

namespace archivist::pipeline {

struct LocatedSentence {
  std::string text;
  int page = 0;
  uint32_t begin = 0;  // byte span inside the page's text
  uint32_t end = 0;
};

// Reads pages once per (document, page) however many chunks quote them.
class PageCache {
 public:
  explicit PageCache(index::Archive& archive) : archive_(archive) {}
  Result<const std::string*> Text(const std::string& doc_id, int page);

 private:
  index::Archive& archive_;
  std::map<std::pair<std::string, int>, std::string> pages_;
};

// Every sentence of the chunk, in order, with the page and byte span it was taken from. Sentences
// are cut inside each page span, so a citation never straddles two pages.
Result<std::vector<LocatedSentence>> ChunkSentences(const index::ChunkRecord& chunk,
                                                    PageCache& pages);

// Letters and digits only, lower-cased: two quotes of one sentence from overlapping chunks match.
std::string DedupKey(std::string_view sentence);

// The sentence on one line: runs of whitespace (wrapped lines) become one space. For display only;
// citations keep the exact bytes.
std::string OneLine(std::string_view s);

// Whitespace-separated words.
int CountWords(std::string_view s);

}  // namespace archivist::pipeline
