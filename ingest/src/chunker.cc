// ChunkPages(): pages -> structural units (headings, paragraphs, list items) -> sized chunks.

#include "archivist/ingest/chunker.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "text_util.h"

namespace archivist::ingest {

namespace {

// A byte range of one page's text; chunks are built from these and never copy text by hand.
struct Segment {
  int page_index = 0;  // index into the pages vector
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Unit {
  Segment segment;
  int tokens = 0;
  int heading_level = 0;  // 0: not a heading
  std::string heading_text;
};

struct Line {
  uint32_t begin = 0;  // first non-blank byte
  uint32_t end = 0;    // one past the last non-blank byte
  std::string_view text;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    size_t b = pos, e = end;
    while (b < e && IsSpace(text[b])) ++b;
    while (e > b && IsSpace(text[e - 1])) --e;
    lines.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(e), text.substr(b, e - b)});
    if (end == text.size()) break;
    pos = end + 1;
  }
  return lines;
}

int MarkdownHeadingLevel(std::string_view line) {
  size_t hashes = 0;
  while (hashes < line.size() && line[hashes] == '#') ++hashes;
  if (hashes == 0 || hashes > 6 || hashes >= line.size() || line[hashes] != ' ') return 0;
  return static_cast<int>(hashes);
}

bool IsListItem(std::string_view line) {
  if (line.size() < 2) return false;
  if ((line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') return true;
  if (line.substr(0, 4) == "\xE2\x80\xA2 ") return true;  // "• "
  size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  if (digits > 0 && digits <= 3 && digits + 1 < line.size() &&
      (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ') {
    return true;
  }
  return line.size() >= 3 && std::isalpha(static_cast<unsigned char>(line[0])) && line[1] == ')' &&
         line[2] == ' ';
}

bool IsMinorWord(std::string_view word) {
  static constexpr std::string_view kMinor[] = {"a",  "an", "and", "as",  "at",  "by",  "for",
                                                "in", "of", "on",  "or",  "the", "to",  "with",
                                                "vs", "de", "la",  "per", "via", "from"};
  for (std::string_view minor : kMinor) {
    if (word == minor) return true;
  }
  return false;
}

// Level of a heading guessed from a plain line (0: not a heading): ALL CAPS 1, Title Case 2,
// a short label ending with ':' 3. Long lines and sentences are never headings.
int InferredHeadingLevel(std::string_view line) {
  if (line.empty() || line.size() > 80) return 0;
  const int words = CountWords(line);
  if (words > 10) return 0;
  const char last = line.back();
  if (last == '.' || last == ',' || last == ';') return 0;
  int letters = 0, upper = 0, lower = 0;
  bool title_case = true;
  bool any_capitalized = false;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && IsSpace(line[pos])) ++pos;
    size_t end = pos;
    while (end < line.size() && !IsSpace(line[end])) ++end;
    std::string_view word = line.substr(pos, end - pos);
    pos = end;
    if (word.empty()) continue;
    const unsigned char first = static_cast<unsigned char>(word[0]);
    if (std::isalpha(first)) {
      if (std::isupper(first)) {
        any_capitalized = true;
      } else if (!IsMinorWord(word)) {
        title_case = false;
      }
    }
    for (char ch : word) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (std::isalpha(c)) {
        ++letters;
        if (std::isupper(c))
          ++upper;
        else
          ++lower;
      }
    }
  }
  if (letters < 2) return 0;
  if (lower == 0 && upper >= 2) return 1;
  if (last == ':' && words <= 6) return 3;
  if (title_case && any_capitalized && last != ':' && last != '?' && last != '!') return 2;
  return 0;
}

std::string HeadingLabel(std::string_view line) {
  while (!line.empty() && line.front() == '#') line.remove_prefix(1);
  while (!line.empty() && (line.back() == ':' || line.back() == '#')) line.remove_suffix(1);
  return std::string(TrimAscii(line));
}

// Splits one page into units: blank lines end a block; inside a block, list items and headings
// start new units. Fenced code (```) stays whole.
void AppendUnits(const std::string& text, int page_index, std::vector<Unit>* units) {
  const std::vector<Line> lines = SplitLines(text);
  Unit* open = nullptr;  // unit that following lines continue
  bool in_fence = false;
  bool block_start = true;
  auto start_unit = [&](const Line& line) {
    units->push_back({{page_index, line.begin, line.end}, 0, 0, {}});
    open = &units->back();
  };
  for (const Line& line : lines) {
    const bool fence = line.text.substr(0, 3) == "```" || line.text.substr(0, 3) == "~~~";
    if (line.text.empty() && !in_fence) {
      open = nullptr;
      block_start = true;
      continue;
    }
    if (in_fence || line.text.empty()) {
      if (open != nullptr && !line.text.empty()) open->segment.end = line.end;
      if (fence) in_fence = false;
      continue;
    }
    int level = MarkdownHeadingLevel(line.text);
    if (level == 0 && block_start) level = InferredHeadingLevel(line.text);
    if (level > 0) {
      start_unit(line);
      open->heading_level = level;
      open->heading_text = HeadingLabel(line.text);
      open = nullptr;  // the next line starts a new unit
    } else if (open == nullptr || IsListItem(line.text) || fence) {
      start_unit(line);
    } else {
      open->segment.end = line.end;
    }
    if (fence) in_fence = true;
    block_start = false;
  }
}

// Word-aligned pieces of a long unit: whole sentences packed up to `limit` tokens, and sentences
// longer than that cut every `limit` words.
std::vector<Segment> SplitLongUnit(const Segment& unit, std::string_view text, int limit) {
  // Word boundaries [begin, end) inside the unit, plus whether the word closes a sentence.
  struct Word {
    uint32_t begin, end;
    bool sentence_end;
  };
  std::vector<Word> words;
  uint32_t pos = unit.begin;
  while (pos < unit.end) {
    while (pos < unit.end && IsSpace(text[pos])) ++pos;
    if (pos >= unit.end) break;
    uint32_t end = pos;
    while (end < unit.end && !IsSpace(text[end])) ++end;
    std::string_view word = text.substr(pos, end - pos);
    while (!word.empty() && (word.back() == '"' || word.back() == ')' || word.back() == '\'')) {
      word.remove_suffix(1);
    }
    const bool closes =
        !word.empty() && (word.back() == '.' || word.back() == '!' || word.back() == '?');
    words.push_back({pos, end, closes});
    pos = end;
  }
  // Sentences as [first word, last word] index ranges.
  std::vector<std::pair<size_t, size_t>> sentences;
  size_t start = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i].sentence_end || i + 1 == words.size()) {
      sentences.emplace_back(start, i);
      start = i + 1;
    }
  }
  std::vector<Segment> pieces;
  size_t piece_first = 0, piece_words = 0;
  auto flush = [&](size_t last) {
    if (piece_words == 0) return;
    pieces.push_back({unit.page_index, words[piece_first].begin, words[last].end});
    piece_words = 0;
  };
  const size_t cap = static_cast<size_t>(limit);
  for (const auto& [first, last] : sentences) {
    const size_t count = last - first + 1;
    if (piece_words > 0 && piece_words + count > cap) flush(first - 1);
    if (count > cap) {
      for (size_t w = first; w <= last; w += cap) {
        pieces.push_back({unit.page_index, words[w].begin, words[std::min(last, w + cap - 1)].end});
      }
      continue;
    }
    if (piece_words == 0) piece_first = first;
    piece_words += count;
  }
  if (!sentences.empty()) flush(sentences.back().second);
  return pieces;
}

int SegmentTokens(const Segment& s, const std::vector<Page>& pages) {
  return CountWords(std::string_view(pages[s.page_index].text).substr(s.begin, s.end - s.begin));
}

// The last `count` words of `segments` as segments (possibly across pages), in order.
std::vector<Segment> TailWords(const std::vector<Segment>& segments, const std::vector<Page>& pages,
                               int count) {
  std::vector<Segment> tail;
  for (auto it = segments.rbegin(); it != segments.rend() && count > 0; ++it) {
    std::string_view text = pages[it->page_index].text;
    uint32_t cut = it->end;
    uint32_t pos = it->end;
    while (pos > it->begin && count > 0) {
      while (pos > it->begin && IsSpace(text[pos - 1])) --pos;
      if (pos == it->begin) break;
      while (pos > it->begin && !IsSpace(text[pos - 1])) --pos;
      cut = pos;
      --count;
    }
    if (cut < it->end) tail.insert(tail.begin(), Segment{it->page_index, cut, it->end});
  }
  return tail;
}

class ChunkBuilder {
 public:
  ChunkBuilder(const std::vector<Page>& pages, const ChunkOptions& options)
      : pages_(pages), options_(options) {}

  void AddHeading(const Unit& unit) {
    // A heading starts a new chunk only once the current one has some substance: table cells and
    // label lines that look like headings would otherwise make chunks of one or two words, which
    // BM25's length normalization then ranks above real paragraphs.
    if (tokens_ >= options_.target_tokens / 4) Flush(/*carry_overlap=*/false);
    while (!path_.empty() && path_.back().first >= unit.heading_level) path_.pop_back();
    path_.emplace_back(unit.heading_level, unit.heading_text);
    Append(unit.segment, unit.tokens);
    heading_only_ = true;
  }

  void AddPiece(const Segment& piece, int tokens) {
    const bool fits_target = tokens_ + tokens <= options_.target_tokens;
    const bool fits_max = tokens_ + tokens <= options_.max_tokens;
    // A heading keeps at least its first paragraph when the hard limit allows it.
    if (!segments_.empty() && !(fits_target || (heading_only_ && fits_max))) {
      Flush(/*carry_overlap=*/true, options_.max_tokens - tokens);
    }
    Append(piece, tokens);
    heading_only_ = false;
  }

  std::vector<TextChunk> Finish() {
    Flush(false);
    return std::move(chunks_);
  }

 private:
  void Append(const Segment& segment, int tokens) {
    if (segments_.empty()) path_at_start_ = PathString();
    segments_.push_back(segment);
    tokens_ += tokens;
  }

  std::string PathString() const {
    std::string out;
    for (const auto& [level, label] : path_) {
      if (label.empty()) continue;
      if (!out.empty()) out += " > ";
      out += label;
    }
    return out;
  }

  void Flush(bool carry_overlap, int overlap_room = 0) {
    if (segments_.empty()) return;
    chunks_.push_back(MakeChunk());
    std::vector<Segment> carried;
    if (carry_overlap) {
      const int count = std::min({options_.overlap_tokens, overlap_room, tokens_});
      if (count > 0) carried = TailWords(segments_, pages_, count);
    }
    segments_.clear();
    tokens_ = 0;
    heading_only_ = false;
    for (const Segment& s : carried) Append(s, SegmentTokens(s, pages_));
  }

  TextChunk MakeChunk() const {
    // Consecutive segments of one page merge into one span: only whitespace lies between them,
    // so the span's text is exactly what the chunk says.
    std::vector<Segment> merged;
    for (const Segment& s : segments_) {
      if (!merged.empty() && merged.back().page_index == s.page_index &&
          s.begin >= merged.back().begin) {
        merged.back().end = std::max(merged.back().end, s.end);
      } else {
        merged.push_back(s);
      }
    }
    TextChunk chunk;
    chunk.heading_path = path_at_start_;
    for (const Segment& s : merged) {
      if (!chunk.text.empty()) chunk.text += "\n\n";
      chunk.text.append(pages_[s.page_index].text, s.begin, s.end - s.begin);
      chunk.spans.push_back({pages_[s.page_index].number, s.begin, s.end});
    }
    chunk.first_page = chunk.spans.front().page;
    chunk.last_page = chunk.spans.back().page;
    chunk.token_count = CountWords(chunk.text);
    return chunk;
  }

  const std::vector<Page>& pages_;
  const ChunkOptions& options_;
  std::vector<std::pair<int, std::string>> path_;
  std::vector<Segment> segments_;
  int tokens_ = 0;
  bool heading_only_ = false;
  std::string path_at_start_;
  std::vector<TextChunk> chunks_;
};

}  // namespace

int LineHeadingLevel(std::string_view line, std::string* label) {
  line = TrimAscii(line);
  int level = MarkdownHeadingLevel(line);
  if (level == 0 && !IsListItem(line)) level = InferredHeadingLevel(line);
  if (level > 0 && label != nullptr) *label = HeadingLabel(line);
  return level;
}

Status ChunkOptions::Validate() const {
  if (target_tokens < 1) return Status::InvalidArgument("target_tokens must be >= 1");
  if (max_tokens < target_tokens) {
    return Status::InvalidArgument("max_tokens (" + std::to_string(max_tokens) +
                                   ") must be >= target_tokens (" + std::to_string(target_tokens) +
                                   ")");
  }
  if (overlap_tokens < 0 || overlap_tokens >= target_tokens) {
    return Status::InvalidArgument("overlap_tokens must be in [0, target_tokens)");
  }
  return Status::Ok();
}

std::vector<TextChunk> ChunkPages(const std::vector<Page>& pages, const ChunkOptions& options) {
  ChunkOptions safe = options;
  if (!safe.Validate().ok()) safe = ChunkOptions();  // documented contract: never fails
  std::vector<Unit> units;
  for (size_t i = 0; i < pages.size(); ++i) AppendUnits(pages[i].text, static_cast<int>(i), &units);
  ChunkBuilder builder(pages, safe);
  for (Unit& unit : units) {
    unit.tokens = SegmentTokens(unit.segment, pages);
    if (unit.heading_level > 0 && unit.tokens <= safe.target_tokens / 2) {
      builder.AddHeading(unit);
      continue;
    }
    if (unit.tokens <= safe.max_tokens) {
      builder.AddPiece(unit.segment, unit.tokens);
      continue;
    }
    for (const Segment& piece :
         SplitLongUnit(unit.segment, pages[unit.segment.page_index].text, safe.target_tokens)) {
      builder.AddPiece(piece, SegmentTokens(piece, pages));
    }
  }
  return builder.Finish();
}

}  // namespace archivist::ingest
