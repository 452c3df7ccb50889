#include "layout.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

namespace archivist::ingest {

namespace {

double Height(double y0, double y1) { return std::max(y1 - y0, 0.1); }

bool SameLine(const LayoutLine& line, const LayoutWord& word) {
  const double line_h = Height(line.y0, line.y1);
  const double word_h = Height(word.y0, word.y1);
  const double line_mid = (line.y0 + line.y1) / 2;
  const double word_mid = (word.y0 + word.y1) / 2;
  if (std::abs(line_mid - word_mid) > 0.5 * std::min(line_h, word_h)) return false;
  // Reading order never steps backwards inside a line; if it does, a new line (or column) began.
  return word.x0 >= line.x1 - 0.5 * std::min(line_h, word_h);
}

bool FontSizeChanged(double a, double b) {
  if (a <= 0 || b <= 0) return false;
  return std::abs(a - b) > 0.15 * std::max(a, b);
}

bool StartsParagraph(const LayoutLine& prev, const LayoutLine& next) {
  const double h = std::max(Height(prev.y0, prev.y1), Height(next.y0, next.y1));
  if (next.y0 < prev.y0 - 0.5 * h) return true;             // back up the page: next column/block
  if (next.y0 - prev.y1 > 0.6 * h) return true;             // blank space between lines
  if (next.x0 > prev.x1 || next.x1 < prev.x0) return true;  // no horizontal overlap
  return FontSizeChanged(prev.font_size, next.font_size);
}

// Byte length of the last UTF-8 character of `s` (0 for empty).
size_t LastCharLength(std::string_view s) {
  if (s.empty()) return 0;
  size_t n = 1;
  while (n < s.size() && n < 4 && (static_cast<unsigned char>(s[s.size() - n]) & 0xC0) == 0x80) {
    ++n;
  }
  return n;
}

bool EndsWithHyphenAfterLetter(std::string_view line) {
  if (line.size() < 2 || line.back() != '-') return false;
  std::string_view before = line.substr(0, line.size() - 1);
  // A one-letter stem ("X-", "e-") is a compound like "X-ray", not a broken word.
  const size_t space = before.find_last_of(' ');
  const std::string_view stem = space == std::string_view::npos ? before : before.substr(space + 1);
  if (stem.size() < 2) return false;
  const size_t n = LastCharLength(before);
  if (n > 1) return true;  // a non-ASCII letter (é-, ü-); punctuation there is ASCII in practice
  return std::isalpha(static_cast<unsigned char>(before.back())) != 0;
}

bool StartsWithLowercase(std::string_view line) {
  if (line.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(line.front());
  if (c < 0x80) return std::islower(c) != 0;
  // Lower-case Latin-1 supplement and Latin Extended letters start with C3 A0..C3 BF, C4/C5 odd.
  return c == 0xC3 && line.size() > 1 && static_cast<unsigned char>(line[1]) >= 0x9F;
}

std::string MarginKey(std::string_view text) {
  std::string key;
  bool space = false;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isspace(c)) {
      space = !key.empty();
      continue;
    }
    if (space) key.push_back(' ');
    space = false;
    key.push_back(std::isdigit(c) ? '#' : static_cast<char>(std::tolower(c)));
  }
  return key;
}

}  // namespace

PageLayout BuildLayout(const std::vector<LayoutWord>& words, double page_width,
                       double page_height) {
  PageLayout layout;
  layout.width = page_width;
  layout.height = page_height;
  bool pending_space = false;
  for (const LayoutWord& word : words) {
    if (word.text.empty()) continue;
    if (!layout.lines.empty() && SameLine(layout.lines.back(), word)) {
      LayoutLine& line = layout.lines.back();
      if (pending_space || word.x0 - line.x1 > 0.15 * Height(word.y0, word.y1)) {
        line.text.push_back(' ');
      }
      line.text += word.text;
      line.x0 = std::min(line.x0, word.x0);
      line.y0 = std::min(line.y0, word.y0);
      line.x1 = std::max(line.x1, word.x1);
      line.y1 = std::max(line.y1, word.y1);
      line.font_size = std::max(line.font_size, word.font_size);
    } else {
      LayoutLine line;
      line.text = word.text;
      line.x0 = word.x0;
      line.y0 = word.y0;
      line.x1 = word.x1;
      line.y1 = word.y1;
      line.font_size = word.font_size;
      layout.lines.push_back(std::move(line));
    }
    pending_space = word.space_after;
  }
  int paragraph = 0;
  for (size_t i = 0; i < layout.lines.size(); ++i) {
    if (i > 0 && StartsParagraph(layout.lines[i - 1], layout.lines[i])) ++paragraph;
    layout.lines[i].paragraph = paragraph;
  }
  return layout;
}

std::string RenderLayout(const PageLayout& layout) {
  std::string out;
  for (size_t i = 0; i < layout.lines.size(); ++i) {
    const LayoutLine& line = layout.lines[i];
    if (i > 0) {
      const LayoutLine& prev = layout.lines[i - 1];
      if (prev.paragraph != line.paragraph) {
        out += "\n\n";
      } else if (EndsWithHyphenAfterLetter(prev.text) && StartsWithLowercase(line.text)) {
        out.pop_back();  // the hyphen only split a word across lines
      } else {
        out.push_back('\n');
      }
    }
    out += line.text;
  }
  return out;
}

int RemoveRepeatedMargins(std::vector<PageLayout>& pages) {
  if (pages.size() < 3) return 0;
  constexpr double kBand = 0.12;  // top and bottom 12% of the page height
  auto in_margin = [&](const PageLayout& page, const LayoutLine& line) {
    if (page.height <= 0) return false;
    return line.y1 <= page.height * kBand || line.y0 >= page.height * (1 - kBand);
  };
  // Only pages with body text can carry running headers; a page holding nothing but one short
  // line near the top ("Chapter 3", a slide title) keeps it.
  auto has_body = [&](const PageLayout& page) {
    return std::any_of(page.lines.begin(), page.lines.end(),
                       [&](const LayoutLine& line) { return !in_margin(page, line); });
  };
  std::map<std::string, int> pages_with_key;
  for (const PageLayout& page : pages) {
    if (!has_body(page)) continue;
    std::set<std::string> keys;
    for (const LayoutLine& line : page.lines) {
      if (in_margin(page, line)) keys.insert(MarginKey(line.text));
    }
    for (const std::string& key : keys) ++pages_with_key[key];
  }
  const int needed = std::max<int>(3, static_cast<int>((pages.size() + 1) / 2));
  int removed = 0;
  for (PageLayout& page : pages) {
    if (!has_body(page)) continue;
    auto& lines = page.lines;
    const size_t before = lines.size();
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                               [&](const LayoutLine& line) {
                                 if (!in_margin(page, line)) return false;
                                 auto it = pages_with_key.find(MarginKey(line.text));
                                 return it != pages_with_key.end() && it->second >= needed;
                               }),
                lines.end());
    removed += static_cast<int>(before - lines.size());
  }
  return removed;
}

}  // namespace archivist::ingest
