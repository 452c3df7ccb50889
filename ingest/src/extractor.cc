// Extract(): type dispatch, the OCR decision per page and the plain-text path.

#include "archivist/ingest/extractor.h"

#include <leptonica/allheaders.h>

#include <string>
#include <utility>

#include "deadline.h"
#include "media_type.h"
#include "pdf_worker.h"
#include "sources.h"
#include "text_util.h"

namespace archivist::ingest {

namespace {

Status CheckPageCount(int pages, const ExtractOptions& options) {
  if (pages > options.max_pages) {
    return Status::ResourceExhausted("document has " + std::to_string(pages) +
                                     " pages, more than max_pages (" +
                                     std::to_string(options.max_pages) + ")");
  }
  return Status::Ok();
}

Result<MediaType> CheckInput(std::string_view bytes, const ExtractOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  if (bytes.empty()) return Status::InvalidArgument("empty file");
  const MediaType type = DetectMediaType(bytes);
  if (type == MediaType::kUnknown) {
    return Status::Unsupported("unsupported file type (detected: " + DescribeUnknownContent(bytes) +
                               ")");
  }
  return type;
}

// Form feeds separate pages in text exports (pdftotext, line printers); otherwise one page.
// A Markdown file names itself in its first level-1 heading ("# Title"); "" when it has none.
std::string MarkdownTitle(std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t eol = bytes.find('\n', pos);
    std::string_view line = bytes.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    if (line.starts_with("# ")) return NormalizeText(TrimAscii(line.substr(2)));
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return "";
}

PendingExtraction ExtractText(std::string_view bytes, MediaType type) {
  PendingExtraction result;
  result.document.media_type = type;
  std::vector<std::string_view> sections;
  size_t pos = 0;
  while (true) {
    const size_t ff = bytes.find('\f', pos);
    sections.push_back(bytes.substr(pos, ff == std::string_view::npos ? ff : ff - pos));
    if (ff == std::string_view::npos) break;
    pos = ff + 1;
  }
  // A trailing form feed ends the last page; it does not start an empty one.
  while (sections.size() > 1 && TrimAscii(sections.back()).empty()) sections.pop_back();
  for (std::string_view section : sections) {
    Page page;
    page.number = static_cast<int>(result.document.pages.size()) + 1;
    page.text = NormalizeText(section);
    result.document.pages.push_back(std::move(page));
  }
  if (type == MediaType::kMarkdown) result.document.metadata.title = MarkdownTitle(bytes);
  return result;
}

// Pages with a short but clean text layer are rendered small to see whether ink outside the text
// (a scan under a stamped footer or title) asks for OCR; long text layers are born-digital.
constexpr int kInkCheckBelowChars = 200;
constexpr double kMaxUnexplainedInk = 0.03;

bool NeedsInkCheck(const PageLayout& layout, const ExtractOptions& options) {
  int printable = 0;
  for (const LayoutLine& line : layout.lines) printable += AssessText(line.text).printable;
  return printable >= options.min_text_chars && printable < kInkCheckBelowChars;
}

}  // namespace

Result<PendingExtraction> ExtractPdfInProcess(std::string_view bytes,
                                              const ExtractOptions& options) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::unique_ptr<poppler::document> document, OpenPdf(bytes, options));
  const int page_count = document->pages();
  ARCHIVIST_RETURN_IF_ERROR(CheckPageCount(page_count, options));
  PendingExtraction result;
  result.document.media_type = MediaType::kPdf;
  result.document.metadata = ReadPdfMetadata(*document);
  std::vector<PageLayout> layouts(page_count);
  std::vector<bool> ink_heavy(page_count, false);
  result.document.pages.resize(page_count);
  for (int i = 0; i < page_count; ++i) {
    ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "text extraction", i + 1, page_count));
    Page& page = result.document.pages[i];
    page.number = i + 1;
    std::unique_ptr<poppler::page> pdf_page(document->create_page(i));
    if (pdf_page == nullptr) continue;  // an unreadable page stays empty and goes to OCR
    PdfPageSize(*pdf_page, &page.width_pt, &page.height_pt);
    layouts[i] = ReadPdfTextLayer(*pdf_page);
    if (options.enable_ocr && NeedsInkCheck(layouts[i], options)) {
      // The ink check renders the page, which Poppler cannot interrupt: only start it in time.
      ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "ink check", i + 1, page_count));
      ink_heavy[i] = UnexplainedInkRatio(*pdf_page, layouts[i]) > kMaxUnexplainedInk;
    }
  }
  if (options.remove_headers_footers) RemoveRepeatedMargins(layouts);
  for (int i = 0; i < page_count; ++i) {
    ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "layout", i + 1, page_count));
    Page& page = result.document.pages[i];
    page.text = NormalizeText(RenderLayout(layouts[i]));
    if (options.enable_ocr &&
        (ink_heavy[i] || !IsUsableText(AssessText(page.text), options.min_text_chars))) {
      result.ocr_pages.push_back(page.number);
    }
  }
  return result;
}

namespace {

Result<PendingExtraction> ExtractImages(std::string_view bytes, MediaType type,
                                        const ExtractOptions& options) {
  ARCHIVIST_ASSIGN_OR_RETURN(int page_count, CountImagePages(bytes, type));
  ARCHIVIST_RETURN_IF_ERROR(CheckPageCount(page_count, options));
  PendingExtraction result;
  result.document.media_type = type;
  for (int number = 1; number <= page_count; ++number) {
    ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "image decoding", number, page_count));
    Page page;
    page.number = number;
    page.source = PageSource::kOcr;
    // Page sizes come from the decoded page; decoding twice is the price of a uniform OCR phase.
    int dpi = 0;
    ARCHIVIST_ASSIGN_OR_RETURN(PixHolder pix, ReadImagePage(bytes, type, number, options, &dpi));
    const double size_dpi = dpi > 0 ? dpi : 300.0;  // scanners' usual resolution
    page.width_pt = pixGetWidth(pix.get()) * 72.0 / size_dpi;
    page.height_pt = pixGetHeight(pix.get()) * 72.0 / size_dpi;
    result.document.pages.push_back(std::move(page));
    if (options.enable_ocr) result.ocr_pages.push_back(number);
  }
  return result;
}

// Folds an OCR result into a page that may already hold a (short or garbled) text layer.
void MergeOcr(OcrPageResult ocr, Page* page) {
  const TextQuality layer = AssessText(page->text);
  const bool clean_layer = layer.printable > 0 && IsUsableText(layer, 1);
  page->ocr_confidence = ocr.confidence;
  page->rotation_degrees = ocr.rotation_degrees;
  page->preprocess_steps = std::move(ocr.preprocess_steps);
  page->skew_degrees = ocr.skew_degrees;
  if (ocr.text.empty()) {
    if (!clean_layer) {
      page->text.clear();
      page->source = PageSource::kOcr;
    }
    return;
  }
  page->text = std::move(ocr.text);
  page->source = clean_layer ? PageSource::kMixed : PageSource::kOcr;
}

Result<PixHolder> RenderOpenPdfPage(const poppler::document& document,
                                    const ExtractOptions& options, int page_number, int* dpi) {
  std::unique_ptr<poppler::page> pdf_page(document.create_page(page_number - 1));
  if (pdf_page == nullptr) {
    return Status::Corruption("PDF page " + std::to_string(page_number) + " cannot be read");
  }
  ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "rendering", page_number, document.pages()));
  *dpi = options.ocr_dpi;
  return RenderPdfPage(*pdf_page, options, dpi);
}

Status OcrRenderedPage(PixHolder pix, int dpi, const ExtractOptions& options, Page* page) {
  ARCHIVIST_ASSIGN_OR_RETURN(OcrPageResult ocr, OcrImage(std::move(pix), dpi, options, page->number));
  MergeOcr(std::move(ocr), page);
  return Status::Ok();
}

Status OcrPdfPage(std::string_view bytes, const ExtractOptions& options, Page* page) {
  int dpi = 0;
  ARCHIVIST_ASSIGN_OR_RETURN(PixHolder pix,
                             options.isolate_pdf
                                 ? RenderPdfPageInWorker(bytes, options, page->number, &dpi)
                                 : RenderPdfPageInProcess(bytes, options, page->number, &dpi));
  return OcrRenderedPage(std::move(pix), dpi, options, page);
}

}  // namespace

Result<PixHolder> RenderPdfPageInProcess(std::string_view bytes, const ExtractOptions& options,
                                         int page_number, int* dpi) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::unique_ptr<poppler::document> document,
                             OpenPdf(bytes, options));
  if (page_number > document->pages()) {
    return Status::InvalidArgument("page " + std::to_string(page_number) + " is beyond the " +
                                   std::to_string(document->pages()) + " pages of the PDF");
  }
  return RenderOpenPdfPage(*document, options, page_number, dpi);
}

Result<PendingExtraction> ExtractWithoutOcr(std::string_view bytes, const ExtractOptions& options) {
  ARCHIVIST_ASSIGN_OR_RETURN(MediaType type, CheckInput(bytes, options));
  switch (type) {
    case MediaType::kPdf:
      return options.isolate_pdf ? ExtractPdfInWorker(bytes, options)
                                 : ExtractPdfInProcess(bytes, options);
    case MediaType::kTiff:
    case MediaType::kPng:
    case MediaType::kJpeg:
      return ExtractImages(bytes, type, options);
    case MediaType::kText:
    case MediaType::kMarkdown:
      return ExtractText(bytes, type);
    case MediaType::kUnknown:
      break;
  }
  return Status::Internal("unhandled media type");
}

Status OcrPage(std::string_view bytes, const ExtractOptions& options, Page* page) {
  ARCHIVIST_ASSIGN_OR_RETURN(MediaType type, CheckInput(bytes, options));
  if (page == nullptr || page->number < 1) {
    return Status::InvalidArgument("OcrPage needs a page with a 1-based number");
  }
  if (type == MediaType::kPdf) return OcrPdfPage(bytes, options, page);
  if (type == MediaType::kText || type == MediaType::kMarkdown) return Status::Ok();
  ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "image decoding", page->number, 0));
  int dpi = 0;
  ARCHIVIST_ASSIGN_OR_RETURN(PixHolder pix,
                             ReadImagePage(bytes, type, page->number, options, &dpi));
  ARCHIVIST_ASSIGN_OR_RETURN(OcrPageResult ocr, OcrImage(std::move(pix), dpi, options, page->number));
  MergeOcr(std::move(ocr), page);
  return Status::Ok();
}

Result<ExtractedDocument> Extract(std::string_view bytes, const ExtractOptions& options) {
  ARCHIVIST_ASSIGN_OR_RETURN(PendingExtraction pending, ExtractWithoutOcr(bytes, options));
  if (pending.ocr_pages.empty()) return std::move(pending.document);
  if (pending.document.media_type == MediaType::kPdf && !options.isolate_pdf) {
    // One parse serves every OCR'd page of this call.
    ARCHIVIST_ASSIGN_OR_RETURN(std::unique_ptr<poppler::document> document,
                               OpenPdf(bytes, options));
    for (int number : pending.ocr_pages) {
      int dpi = 0;
      ARCHIVIST_ASSIGN_OR_RETURN(PixHolder pix,
                                 RenderOpenPdfPage(*document, options, number, &dpi));
      ARCHIVIST_RETURN_IF_ERROR(
          OcrRenderedPage(std::move(pix), dpi, options, &pending.document.pages[number - 1]));
    }
  } else {
    for (int number : pending.ocr_pages) {
      ARCHIVIST_RETURN_IF_ERROR(OcrPage(bytes, options, &pending.document.pages[number - 1]));
    }
  }
  return std::move(pending.document);
}

}  // namespace archivist::ingest
