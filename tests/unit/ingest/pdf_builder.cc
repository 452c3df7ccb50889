#include "pdf_builder.h"

#include <cstdio>
#include <string>

namespace archivist::ingest::testing {

namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

}  // namespace

PdfPageSpec LinesPage(const std::vector<std::string>& lines, double x, double top, double size,
                      double leading) {
  PdfPageSpec page;
  double y = top;
  for (const std::string& line : lines) {
    if (!line.empty()) page.runs.push_back({x, y, size, line});
    y += leading;
  }
  return page;
}

PdfPageSpec TwoColumnPage(const std::vector<std::string>& left,
                          const std::vector<std::string>& right, double top) {
  PdfPageSpec page = LinesPage(left, 72, top);
  PdfPageSpec second = LinesPage(right, 320, top);
  page.runs.insert(page.runs.end(), second.runs.begin(), second.runs.end());
  return page;
}

std::string BuildPdf(const std::vector<PdfPageSpec>& pages, const PdfInfo& info) {
  // Object numbers: 1 catalog, 2 page tree, 3 font, 4 info, then (page, content, image) triples.
  std::vector<std::string> objects;
  std::string kids;
  for (size_t i = 0; i < pages.size(); ++i) kids += std::to_string(5 + 3 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) +
                    " >>");
  objects.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  std::string info_dict = "<< /Producer (archivist pdf_builder)";
  if (!info.title.empty()) info_dict += " /Title (" + Escape(info.title) + ")";
  if (!info.author.empty()) info_dict += " /Author (" + Escape(info.author) + ")";
  if (!info.creation_date.empty()) info_dict += " /CreationDate (" + info.creation_date + ")";
  objects.push_back(info_dict + " >>");
  for (size_t i = 0; i < pages.size(); ++i) {
    const PdfPageSpec& page = pages[i];
    std::string content;
    const std::string image_ref = std::to_string(7 + 3 * i) + " 0 R";
    if (!page.gray_pixels.empty()) {
      content += "q " + Num(page.width) + " 0 0 " + Num(page.height) + " 0 0 cm /Im1 Do Q\n";
    }
    for (const PdfTextRun& run : page.runs) {
      content += "BT /F1 " + Num(run.size) + " Tf " + Num(run.x) + " " +
                 Num(page.height - run.top) + " Td (" + Escape(run.text) + ") Tj ET\n";
    }
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + Num(page.width) + " " +
                      Num(page.height) + "] /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 " +
                      image_ref + " >> >> /Contents " + std::to_string(6 + 3 * i) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                      "endstream");
    // Every page gets an image object so numbering stays regular; unused ones are 1x1 white.
    const bool has_image = !page.gray_pixels.empty();
    const std::string pixels = has_image ? page.gray_pixels : std::string(1, '\xFF');
    objects.push_back("<< /Type /XObject /Subtype /Image /Width " +
                      std::to_string(has_image ? page.image_width : 1) + " /Height " +
                      std::to_string(has_image ? page.image_height : 1) +
                      " /ColorSpace /DeviceGray /BitsPerComponent 8 /Length " +
                      std::to_string(pixels.size()) + " >>\nstream\n" + pixels + "\nendstream");
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R /Info 4 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace archivist::ingest::testing
