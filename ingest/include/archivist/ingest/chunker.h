#pragma once
// Pages -> chunks that follow the text's structure and remember exactly where they came from.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/ingest/document.h"

namespace archivist::ingest {

struct ChunkOptions {
  // Chunks aim for this many tokens (whitespace-separated words). Default: 350.
  int target_tokens = 350;
  // Hard upper bound; a longer paragraph is split at sentence, then word boundaries. Default: 500.
  int max_tokens = 500;
  // Tokens repeated from the end of the previous chunk at the start of the next. Default: 40.
  int overlap_tokens = 40;

  Status Validate() const;
};

// A byte range [begin, end) inside the text of one page.
struct PageSpan {
  int page = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct TextChunk {
  std::string text;             // the chunk's text (spans joined with "\n\n" across pages)
  std::vector<PageSpan> spans;  // where the text comes from, in order
  int first_page = 0;
  int last_page = 0;
  int token_count = 0;
  std::string heading_path;  // e.g. "Discharge Summary > Medications"; empty if none
};

// The heading level a single line would get from the chunker (0: not a heading): "#" Markdown
// levels, else ALL CAPS 1, Title Case 2, a short label ending in ':' 3. `label` (optional) gets
// the heading text without '#' and trailing ':'. Lets later stages find sections inside a chunk.
int LineHeadingLevel(std::string_view line, std::string* label = nullptr);

// Splits pages into chunks. Every non-blank character of every page lands in at least one chunk.
std::vector<TextChunk> ChunkPages(const std::vector<Page>& pages, const ChunkOptions& options);

}  // namespace archivist::ingest
