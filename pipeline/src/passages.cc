#include "passages.h"

#include <cctype>

#include "sentences.h"

namespace archivist::pipeline {

Result<const std::string*> PageCache::Text(const std::string& doc_id, int page) {
  auto key = std::make_pair(doc_id, page);
  auto it = pages_.find(key);
  if (it == pages_.end()) {
    ARCHIVIST_ASSIGN_OR_RETURN(index::PageRecord record, archive_.GetPage(doc_id, page));
    it = pages_.emplace(key, std::move(record.text)).first;
  }
  return &it->second;
}

Result<std::vector<LocatedSentence>> ChunkSentences(const index::ChunkRecord& chunk,
                                                    PageCache& pages) {
  std::vector<LocatedSentence> out;
  for (const index::ChunkSpanRecord& span : chunk.spans) {
    ARCHIVIST_ASSIGN_OR_RETURN(const std::string* text, pages.Text(chunk.doc_id, span.page));
    if (span.end > text->size() || span.begin > span.end) {
      return Status::Corruption("chunk " + std::to_string(chunk.chunk_id) +
                                " points outside page " + std::to_string(span.page));
    }
    std::string_view segment(text->data() + span.begin, span.end - span.begin);
    for (const SentenceSpan& s : SplitSentences(segment)) {
      LocatedSentence ls;
      ls.text = std::string(segment.substr(s.begin, s.end - s.begin));
      ls.page = span.page;
      ls.begin = span.begin + s.begin;
      ls.end = span.begin + s.end;
      out.push_back(std::move(ls));
    }
  }
  return out;
}

std::string DedupKey(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) out += static_cast<char>(std::tolower(u));
  }
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int CountWords(std::string_view s) {
  int n = 0;
  bool in_word = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

}  // namespace archivist::pipeline
