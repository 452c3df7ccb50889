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

void Push(std::string_view text, size_t b, size_t e, std::vector<SentenceSpan>& out) {
  while (b < e && IsSpace(text[b])) ++b;
  while (e > b && IsSpace(text[e - 1])) --e;
  if (e > b) out.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
}

}  // namespace

std::vector<SentenceSpan> SplitSentences(std::string_view text) {
  std::vector<SentenceSpan> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      Push(text, start, i, out);
      start = i + 1;
      continue;
    }
    if (c != '.' && c != '!' && c != '?') continue;
    size_t j = i + 1;
    while (j < text.size() && (text[j] == '"' || text[j] == '\'' || text[j] == ')')) ++j;
    if (j >= text.size() || text[j] != ' ') continue;
    size_t k = j;
    while (k < text.size() && text[k] == ' ') ++k;
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
