#pragma once
// Snippets: a window of about `width` bytes of chunk text around the densest cluster of query
// matches, matches wrapped in [[ ]], plus the page on which the best match lies.

#include <string>
#include <unordered_set>

#include "analyzer.h"
#include "archivist/index/records.h"

namespace archivist::index {

struct Snippet {
  std::string text;
  int page = 0;
  bool matched = false;  // false: no query term occurs, the window is the chunk's start
};

Snippet MakeSnippet(const Analyzer& analyzer, const ChunkRecord& chunk,
                    const std::unordered_set<std::string>& terms, size_t width = 200);

// The page holding byte `offset` of the chunk text, assuming the text is the span texts in order
// (separators between spans count toward the earlier span).
int PageAtOffset(const ChunkRecord& chunk, size_t offset);

}  // namespace archivist::index
