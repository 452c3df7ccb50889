#pragma once
// Builds tiny, valid PDFs in memory for tests: Helvetica text placed at given positions, one
// content stream per page, a correct xref table. ASCII text only (WinAnsi encoding).

#include <string>
#include <vector>

namespace archivist::ingest::testing {

struct PdfTextRun {
  double x = 72;     // left edge, points from the left of the page
  double top = 72;   // baseline, points from the TOP of the page (converted to PDF's bottom-up)
  double size = 12;  // font size in points
  std::string text;
};

struct PdfPageSpec {
  double width = 612;  // US Letter
  double height = 792;
  std::vector<PdfTextRun> runs;
  // Optional 8-bit gray bitmap (rows top to bottom) painted over the whole page, like a scan.
  std::string gray_pixels;
  int image_width = 0;
  int image_height = 0;
};

struct PdfInfo {
  std::string title;
  std::string author;
  std::string creation_date;  // PDF date string, e.g. "D:20240115103000Z"
};

// Lines stacked from `top` down with the given leading; an empty string leaves a blank line.
PdfPageSpec LinesPage(const std::vector<std::string>& lines, double x = 72, double top = 72,
                      double size = 12, double leading = 14.4);

// Two columns of lines side by side (left at x=72, right at x=320), both starting at `top`.
PdfPageSpec TwoColumnPage(const std::vector<std::string>& left,
                          const std::vector<std::string>& right, double top = 100);

std::string BuildPdf(const std::vector<PdfPageSpec>& pages, const PdfInfo& info = {});

}  // namespace archivist::ingest::testing
