#pragma once
// Per-format back ends behind Extract(): PDF (Poppler) and raster images (Leptonica).

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/ingest/document.h"
#include "archivist/ingest/extractor.h"
#include "layout.h"
#include "ocr.h"

namespace archivist::ingest {

// ---- PDF (pdf_source.cc) ----

// Parses a PDF held in `bytes` (which must outlive the document). kCorruption when Poppler cannot
// parse it or it has no pages, kPermissionDenied when it stays locked with options.pdf_password.
Result<std::unique_ptr<poppler::document>> OpenPdf(std::string_view bytes,
                                                   const ExtractOptions& options);

DocumentMetadata ReadPdfMetadata(const poppler::document& document);

// Page size in points as displayed (after the page's /Rotate).
void PdfPageSize(const poppler::page& page, double* width, double* height);

// The page's text layer as positioned lines and paragraphs, in Poppler's reading order.
PageLayout ReadPdfTextLayer(const poppler::page& page);

// Renders the page in 8-bit gray at options.ocr_dpi, lowered so the bitmap stays within
// options.max_page_pixels. *dpi receives the resolution used.
Result<PixHolder> RenderPdfPage(const poppler::page& page, const ExtractOptions& options, int* dpi);

// Share of the page (0..1) covered by dark pixels that no text line of `layout` accounts for, from
// a 36-dpi rendering: scans carrying a few words of text layer (a stamped footer, a title) show up
// as lots of unexplained ink. 0 when the page cannot be rendered.
double UnexplainedInkRatio(const poppler::page& page, const PageLayout& layout);

// The PDF half of ExtractWithoutOcr() run in this process: text layers, layout, OCR decision.
// archivist-extract-worker runs exactly this for isolated extraction.
Result<PendingExtraction> ExtractPdfInProcess(std::string_view bytes, const ExtractOptions& options);

// Opens the PDF and renders page `page_number` (1-based) for OCR, in this process.
// kInvalidArgument when the page does not exist.
Result<PixHolder> RenderPdfPageInProcess(std::string_view bytes, const ExtractOptions& options,
                                         int page_number, int* dpi);

// ---- Raster images (image_source.cc) ----

// Pages in a PNG/JPEG (always 1) or TIFF (1 or more).
Result<int> CountImagePages(std::string_view bytes, MediaType type);

// Decodes page `page_number` (1-based). *dpi receives the image's resolution, 0 if unrecorded.
// kResourceExhausted when the image has more than options.max_page_pixels pixels.
Result<PixHolder> ReadImagePage(std::string_view bytes, MediaType type, int page_number,
                                const ExtractOptions& options, int* dpi);

}  // namespace archivist::ingest
