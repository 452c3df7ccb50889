// PDF back end: Poppler's C++ API for parsing, text with positions, metadata and rendering.

#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include "archivist/base/file_util.h"
#include "media_type.h"
#include "sources.h"
#include "text_util.h"

namespace archivist::ingest {

namespace {

void IgnorePopplerMessage(const std::string&, void*) {}

// Poppler writes every syntax complaint to stderr; damaged files must report through Status only.
void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(IgnorePopplerMessage, nullptr); });
}

std::string ToUtf8(const poppler::ustring& text) { return Utf16ToUtf8(text.data(), text.size()); }

std::string DateOrEmpty(time_t t) { return t == static_cast<time_t>(-1) ? "" : FormatIso8601(t); }

}  // namespace

Result<std::unique_ptr<poppler::document>> OpenPdf(std::string_view bytes,
                                                   const ExtractOptions& options) {
  SilencePoppler();
  size_t header = FindPdfHeader(bytes);
  if (header == std::string_view::npos) {
    if (!LooksLikeHeaderlessPdf(bytes)) return Status::Corruption("PDF header not found");
    header = 0;
  }
  // Offsets inside the file count from "%PDF", so junk prepended in transit is cut off here.
  std::string_view pdf = bytes.substr(header);
  if (pdf.size() > static_cast<size_t>(INT_MAX)) {
    return Status::ResourceExhausted("PDF larger than 2 GiB (" + std::to_string(pdf.size()) +
                                     " bytes) is not supported");
  }
  std::unique_ptr<poppler::document> document(poppler::document::load_from_raw_data(
      pdf.data(), static_cast<int>(pdf.size()), options.pdf_password, options.pdf_password));
  if (document == nullptr) {
    return Status::Corruption("PDF is damaged or truncated: Poppler could not parse its structure");
  }
  if (document->is_locked()) {
    return Status::PermissionDenied(
        options.pdf_password.empty()
            ? "PDF is encrypted and needs a password (set pdf_password)"
            : "PDF is encrypted and the configured pdf_password does not open it");
  }
  if (document->pages() <= 0) {
    return Status::Corruption("PDF has no readable pages (damaged or truncated)");
  }
  return document;
}

DocumentMetadata ReadPdfMetadata(const poppler::document& document) {
  DocumentMetadata metadata;
  metadata.title = NormalizeText(ToUtf8(document.get_title()));
  metadata.author = NormalizeText(ToUtf8(document.get_author()));
  metadata.subject = NormalizeText(ToUtf8(document.get_subject()));
  metadata.producer = NormalizeText(ToUtf8(document.get_producer()));
  metadata.created = DateOrEmpty(document.get_creation_date_t());
  metadata.modified = DateOrEmpty(document.get_modification_date_t());
  return metadata;
}

void PdfPageSize(const poppler::page& page, double* width, double* height) {
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  *width = std::abs(box.width());
  *height = std::abs(box.height());
  const auto orientation = page.orientation();
  if (orientation == poppler::page::landscape || orientation == poppler::page::seascape) {
    std::swap(*width, *height);
  }
}

PageLayout ReadPdfTextLayer(const poppler::page& page) {
  double width = 0, height = 0;
  PdfPageSize(page, &width, &height);
  std::vector<LayoutWord> words;
  // text_list() hands words out in Poppler's reading order (the one pdftotext uses): column by
  // column, top to bottom, which is what the layout rules below rely on.
  for (const poppler::text_box& box : page.text_list(poppler::page::text_list_include_font)) {
    LayoutWord word;
    word.text = ToUtf8(box.text());
    const poppler::rectf r = box.bbox();
    word.x0 = r.x();
    word.y0 = r.y();
    word.x1 = r.x() + r.width();
    word.y1 = r.y() + r.height();
    word.space_after = box.has_space_after();
    word.font_size = box.has_font_info() ? box.get_font_size() : 0.0;
    words.push_back(std::move(word));
  }
  PageLayout layout = BuildLayout(words, width, height);
  if (layout.lines.empty()) {
    // Some producers' text only comes out through the plain text path; keep it as one paragraph.
    std::string text =
        ToUtf8(page.text(poppler::rectf(), poppler::page::non_raw_non_physical_layout));
    std::string_view trimmed = TrimAscii(text);
    if (!trimmed.empty()) {
      LayoutLine line;
      line.text = std::string(trimmed);
      line.y0 = height * 0.5;  // unknown position: never taken for a header or footer
      line.y1 = line.y0;
      layout.lines.push_back(std::move(line));
    }
  }
  return layout;
}

Result<PixHolder> RenderPdfPage(const poppler::page& page, const ExtractOptions& options,
                                int* dpi) {
  double width = 0, height = 0;
  PdfPageSize(page, &width, &height);
  if (!(width > 0 && height > 0)) return Status::Corruption("PDF page has an empty page box");
  double resolution = options.ocr_dpi;
  const double pixels_at_dpi = (width * resolution / 72.0) * (height * resolution / 72.0);
  if (pixels_at_dpi > static_cast<double>(options.max_page_pixels)) {
    resolution *= std::sqrt(static_cast<double>(options.max_page_pixels) / pixels_at_dpi);
  }
  resolution = std::floor(resolution);
  if (resolution < 1) {
    return Status::ResourceExhausted("PDF page of " + std::to_string(width) + "x" +
                                     std::to_string(height) +
                                     " pt cannot be rendered within max_page_pixels");
  }
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image image = renderer.render_page(&page, resolution, resolution);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
    return Status::Internal("Poppler could not render the PDF page for OCR");
  }
  PixHolder pix(pixCreate(image.width(), image.height(), 8));
  if (!pix) return Status::ResourceExhausted("out of memory allocating the page bitmap");
  const int wpl = pixGetWpl(pix.get());
  l_uint32* data = pixGetData(pix.get());
  for (int y = 0; y < image.height(); ++y) {
    const auto* src =
        reinterpret_cast<const unsigned char*>(image.const_data() + y * image.bytes_per_row());
    l_uint32* line = data + y * wpl;
    for (int x = 0; x < image.width(); ++x) SET_DATA_BYTE(line, x, src[x]);
  }
  pixSetResolution(pix.get(), static_cast<int>(resolution), static_cast<int>(resolution));
  *dpi = static_cast<int>(resolution);
  return pix;
}

double UnexplainedInkRatio(const poppler::page& page, const PageLayout& layout) {
  // 36 dpi, lowered for huge page boxes so the check never costs more than a megapixel.
  double page_width = 0, page_height = 0;
  PdfPageSize(page, &page_width, &page_height);
  if (!(page_width > 0 && page_height > 0)) return 0.0;
  const double dpi = std::min(36.0, 72.0 * std::sqrt(1e6 / (page_width * page_height)));
  const double scale = dpi / 72.0;
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  poppler::image image = renderer.render_page(&page, dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) return 0.0;
  const int width = image.width(), height = image.height();
  std::vector<bool> masked(static_cast<size_t>(width) * height, false);
  for (const LayoutLine& line : layout.lines) {
    // One pixel of slack around each line absorbs descenders and rounding.
    const int x0 = std::max(0, static_cast<int>(line.x0 * scale) - 1);
    const int x1 = std::min(width, static_cast<int>(line.x1 * scale) + 2);
    const int y0 = std::max(0, static_cast<int>(line.y0 * scale) - 1);
    const int y1 = std::min(height, static_cast<int>(line.y1 * scale) + 2);
    for (int y = y0; y < y1; ++y) {
      std::fill(masked.begin() + static_cast<size_t>(y) * width + x0,
                masked.begin() + static_cast<size_t>(y) * width + std::max(x0, x1), true);
    }
  }
  size_t ink = 0;
  for (int y = 0; y < height; ++y) {
    const auto* row =
        reinterpret_cast<const unsigned char*>(image.const_data() + y * image.bytes_per_row());
    for (int x = 0; x < width; ++x) {
      if (row[x] < 160 && !masked[static_cast<size_t>(y) * width + x]) ++ink;
    }
  }
  return static_cast<double>(ink) / (static_cast<double>(width) * height);
}

}  // namespace archivist::ingest
