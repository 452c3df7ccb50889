#pragma once
// Words with boxes -> lines -> paragraphs -> page text. Kept free of Poppler types so the rules can
// be unit-tested on synthetic geometry and reused for any source that yields positioned words.

#include <string>
#include <vector>

namespace archivist::ingest {

// Coordinates are PDF points with the origin at the top-left of the page, y growing downwards.
struct LayoutWord {
  std::string text;  // UTF-8
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool space_after = true;
  double font_size = 0;  // 0 when unknown
};

struct LayoutLine {
  std::string text;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double font_size = 0;
  int paragraph = 0;  // lines with the same id form one paragraph, ids increase down the page
};

struct PageLayout {
  double width = 0, height = 0;
  std::vector<LayoutLine> lines;
};

// Groups words, given in reading order (Poppler's text_list() order: column by column), into lines,
// and lines into paragraphs. A paragraph ends at a vertical gap larger than a line's height, a jump
// back up the page or sideways (next column), or a change of font size (headings).
PageLayout BuildLayout(const std::vector<LayoutWord>& words, double page_width, double page_height);

// Lines joined with '\n' inside a paragraph and paragraphs with "\n\n". A line ending in a
// hyphen after a letter, followed by a line starting with a lower-case letter, is joined without
// the hyphen ("docu-" + "ment" -> "document").
std::string RenderLayout(const PageLayout& layout);

// Drops running headers and footers: lines in the top or bottom band of the page whose text,
// with digits masked, repeats on at least half of the pages (and on 3 pages or more). Returns the
// number of lines removed.
int RemoveRepeatedMargins(std::vector<PageLayout>& pages);

}  // namespace archivist::ingest
