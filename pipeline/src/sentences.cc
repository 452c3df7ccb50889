#include "sentences.h"

#include <array>
#include <cctype>
#include <string>

namespace archivist::pipeline {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

// Words after which a period does not end a sentence.
bool IsAbbreviation(std::string_view word) {
  static constexpr std::array<std::string_view, 22> kAbbrev = {
      "dr", "mr", "mrs", "ms", "prof", "st", "no", "vs", "e.g", "i.e", "etc", "fig",
      "inc", "ltd", "co", "jr", "sr", "approx", "dept", "mg", "ml", "sec"};
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.size() == 1 && std::isalpha(static_cast<unsigned char>(lower[0]))) return true;
  for (std::string_view a : kAbbrev) {
    if (lower == a) return true;
  }
  return false;
}

// A line break inside a paragraph is usually just wrapping. It ends a sentence only when the line
// is short (a heading, a table cell, a list entry), ends in punctuation, or the next line starts a
// list item.
constexpr size_t kShortLine = 40;

bool StartsListItem(std::string_view rest) {
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  rest.remove_prefix(i);
  if (rest.empty()) return false;
  if (rest.starts_with("\u2022") || rest.starts_with("\u2013") || rest[0] == '-' || rest[0] == '*') {
    return true;
  }
  size_t d = 0;
  while (d < rest.size() && std::isdigit(static_cast<unsigned char>(rest[d]))) ++d;
  return d > 0 && d < rest.size() && (rest[d] == '.' || rest[d] == ')');
}

bool LineBreakEndsSentence(std::string_view text, size_t line_start, size_t newline) {
  if (newline + 1 < text.size() && text[newline + 1] == '\n') return true;
  size_t b = line_start, e = newline;
  while (b < e && IsSpace(text[b])) ++b;
  while (e > b && IsSpace(text[e - 1])) --e;
  if (e - b < kShortLine) return true;
  char last = text[e - 1];
  if (last == '.' || last == ':' || last == ';' || last == '!' || last == '?') return true;
  return StartsListItem(text.substr(newline + 1));
}

void Push(std::string_view text, size_t b, size_t e, std::vector<SentenceSpan>& out) {
  while (b < e && IsSpace(text[b])) ++b;
  while (e > b && IsSpace(text[e - 1])) --e;
  if (e > b) out.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
}

}  // namespace

std::vector<SentenceSpan> SplitSentences(std::string_view text) {
  std::vector<SentenceSpan> out;
  size_t start = 0;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      if (LineBreakEndsSentence(text, line_start, i)) {
        Push(text, start, i, out);
        start = i + 1;
      }
      line_start = i + 1;
      continue;
    }
    if (c != '.' && c != '!' && c != '?') continue;
    size_t j = i + 1;
    while (j < text.size() && (text[j] == '"' || text[j] == '\'' || text[j] == ')')) ++j;
    if (j >= text.size() || (text[j] != ' ' && text[j] != '\n')) continue;
    size_t k = j;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\n')) ++k;
    if (k >= text.size()) continue;
    unsigned char next = static_cast<unsigned char>(text[k]);
    if (!(std::isupper(next) || std::isdigit(next) || next >= 0x80 || next == '(' || next == '"')) {
      continue;
    }
    if (c == '.') {
      size_t w = i;
      while (w > start && !IsSpace(text[w - 1])) --w;
      if (IsAbbreviation(text.substr(w, i - w))) continue;
    }
    Push(text, start, j, out);
    start = j;
  }
  Push(text, start, text.size(), out);
  return out;
}

}  // namespace archivist::pipeline
