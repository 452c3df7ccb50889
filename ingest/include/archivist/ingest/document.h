#pragma once
// What extraction produces: a document's pages as text, with provenance per page.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivist::ingest {

// Detected from the bytes, never from the file name.
enum class MediaType { kUnknown, kPdf, kTiff, kPng, kJpeg, kText, kMarkdown };

// MIME-style name: "application/pdf", "image/tiff", "image/png", "image/jpeg", "text/plain",
// "text/markdown", "application/octet-stream".
std::string_view MediaTypeName(MediaType type);
// Inverse of MediaTypeName; kUnknown for anything else.
MediaType MediaTypeFromName(std::string_view name);

// How a page's text was obtained.
enum class PageSource { kTextLayer, kOcr, kMixed };
std::string_view PageSourceName(PageSource source);  // "text_layer" | "ocr" | "mixed"

struct Page {
  int number = 0;    // 1-based
  std::string text;  // UTF-8, NFKC-normalized, paragraphs separated by "\n\n"
  PageSource source = PageSource::kTextLayer;
  float ocr_confidence = -1.0f;  // mean word confidence 0..100 when OCR ran, else -1
  int rotation_degrees = 0;      // rotation applied before OCR (0, 90, 180, 270)
  double width_pt = 0.0;         // page size in PDF points (1/72 inch); images: pixels at the
                                 // image's resolution (300 dpi when it records none)
  double height_pt = 0.0;
  // Leptonica steps applied before OCR, in order ("deskew", "normalize_background", ...), and the
  // skew measured on the page in degrees (0 when not measured or not found).
  std::vector<std::string> preprocess_steps;
  double skew_degrees = 0.0;
};

struct DocumentMetadata {
  std::string title;
  std::string author;
  std::string subject;
  std::string producer;
  std::string created;   // ISO 8601 UTC, empty when unknown
  std::string modified;  // ISO 8601 UTC, empty when unknown
};

struct ExtractedDocument {
  MediaType media_type = MediaType::kUnknown;
  DocumentMetadata metadata;
  std::vector<Page> pages;
};

}  // namespace archivist::ingest
