#pragma once
// Tesseract OCR of one page image. One TessBaseAPI per thread and language set (thread_local
// cache), so concurrent callers never share an engine and never pay its start-up twice.

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/ingest/extractor.h"

struct Pix;

namespace archivist::ingest {

struct OcrPageResult {
  std::string text;          // NFKC, lines '\n', paragraphs "\n\n"
  float confidence = -1.0f;  // mean word confidence 0..100
  int rotation_degrees = 0;  // clockwise rotation applied before recognition
  std::vector<std::string> preprocess_steps;  // Leptonica steps run (PreprocessForOcr)
  double skew_degrees = 0.0;                  // skew measured by deskew
};

// Owns a Leptonica image; frees it on scope exit.
class PixHolder {
 public:
  PixHolder() = default;
  explicit PixHolder(Pix* pix) : pix_(pix) {}
  PixHolder(PixHolder&& other) noexcept : pix_(other.pix_) { other.pix_ = nullptr; }
  PixHolder& operator=(PixHolder&& other) noexcept;
  PixHolder(const PixHolder&) = delete;
  PixHolder& operator=(const PixHolder&) = delete;
  ~PixHolder();

  Pix* get() const { return pix_; }
  explicit operator bool() const { return pix_ != nullptr; }

 private:
  Pix* pix_ = nullptr;
};

// Recognizes `pix` (any depth Leptonica can convert), scanned at `dpi`; 0 lets Tesseract estimate
// the resolution from the text size, which beats guessing. Takes the image, so it and the cleaned
// copies made from it are freed as soon as Tesseract holds its own copy: a colour page no longer
// stays resident two or three times over during recognition (the batch's OCR memory peak).
// Fails with kUnavailable when the language data cannot be loaded, and with kResourceExhausted
// "timeout: ..." (naming `page_number`) when options.deadline passes, even mid-recognition.
Result<OcrPageResult> OcrImage(PixHolder pix, int dpi, const ExtractOptions& options,
                               int page_number);

// Leptonica reports every decoding problem on stderr; the caller gets a Status instead.
void SilenceLeptonica();

}  // namespace archivist::ingest
