#include "snippet.h"

#include <algorithm>
#include <vector>

namespace archivist::index {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Moves `pos` back to the start of a UTF-8 character.
size_t CharStart(const std::string& s, size_t pos) {
  while (pos > 0 && pos < s.size() && IsContinuation(static_cast<unsigned char>(s[pos]))) --pos;
  return pos;
}

// Collapses whitespace runs (page text carries line breaks that read badly in a result list).
void AppendCollapsed(std::string* out, const std::string& s, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    char c = s[i];
    bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space) {
      if (!out->empty() && out->back() != ' ') out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

int PageAtOffset(const ChunkRecord& chunk, size_t offset) {
  if (chunk.spans.empty()) return chunk.first_page;
  size_t covered = 0;
  for (size_t i = 0; i < chunk.spans.size(); ++i) {
    const auto& span = chunk.spans[i];
    covered += span.end > span.begin ? span.end - span.begin : 0;
    if (offset < covered || i + 1 == chunk.spans.size()) return span.page;
    // Allow for one separator byte the chunker may insert between spans.
    if (offset == covered) return chunk.spans[i + 1].page;
    ++covered;
  }
  return chunk.first_page;
}

Snippet MakeSnippet(const Analyzer& analyzer, const ChunkRecord& chunk,
                    const std::unordered_set<std::string>& terms, size_t width) {
  Snippet out;
  out.page = chunk.first_page;
  const std::string& text = chunk.text;
  std::vector<Token> matches;
  if (!terms.empty()) {
    for (Token& t : analyzer.Tokenize(text))
      if (terms.count(t.term)) matches.push_back(std::move(t));
  }
  size_t begin = 0;
  if (!matches.empty()) {
    out.matched = true;
    // The window starting at the match that has the most distinct terms within `width` bytes.
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < matches.size(); ++i) {
      std::unordered_set<std::string> distinct;
      for (size_t j = i; j < matches.size() && matches[j].end <= matches[i].begin + width; ++j)
        distinct.insert(matches[j].term);
      if (distinct.size() > best_count) {
        best_count = distinct.size();
        best = i;
      }
    }
    out.page = PageAtOffset(chunk, matches[best].begin);
    // Some context before the first match, starting at a word boundary.
    const size_t lead = width / 5;
    begin = matches[best].begin > lead ? matches[best].begin - lead : 0;
    if (begin > 0) {
      size_t space = text.find_first_of(" \n\t", begin);
      if (space != std::string::npos && space < matches[best].begin) begin = space + 1;
    }
  }
  begin = CharStart(text, begin);
  size_t end = std::min(text.size(), begin + width);
  if (end < text.size()) {
    size_t space = text.find_last_of(" \n\t", end);
    if (space != std::string::npos && space > begin + width / 2) end = space;
    end = CharStart(text, end);
  }
  std::string& s = out.text;
  if (begin > 0) s += "...";
  size_t cursor = begin;
  for (const Token& m : matches) {
    if (m.begin < cursor || m.end > end) continue;
    AppendCollapsed(&s, text, cursor, m.begin);
    s += "[[";
    s.append(text, m.begin, m.end - m.begin);
    s += "]]";
    cursor = m.end;
  }
  AppendCollapsed(&s, text, cursor, end);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (end < text.size()) s += "...";
  return out;
}

}  // namespace archivist::index
