#pragma once
// bytes -> ExtractedDocument: type detection, PDF text layer (Poppler), OCR (Tesseract +
// Leptonica).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/ingest/document.h"

namespace archivist::ingest {

// Image clean-up before OCR. Each step is measured on the corpus scans (ingest/README.md); the
// defaults are the ones that lowered the character error rate there without raising it elsewhere.
struct PreprocessOptions {
  // Measure the skew of the text lines and turn the page straight when it is off by 0.1-10 degrees.
  bool deskew = true;
  // Flatten uneven illumination and stretch contrast (dim or shadowed scans).
  bool normalize_background = false;
  // Binarize with a local (Sauvola) threshold instead of Tesseract's global Otsu.
  bool adaptive_binarize = false;
  // Scale up images whose text is too small for the LSTM model (resolution below ~200 dpi).
  bool upscale_small = false;
};

struct ExtractOptions {
  // Resolution pages are rendered at before OCR. Default: 300.
  int ocr_dpi = 300;
  // Upper bound on rendered pixels per page; the DPI is lowered to fit. Default: 60 megapixels.
  int64_t max_page_pixels = 60'000'000;
  // Tesseract language(s), "+"-separated. Default: "eng".
  std::string ocr_languages = "eng";
  // Directory holding *.traineddata; empty means Tesseract's compiled-in default. Default: "".
  std::string tessdata_dir;
  // Run OCR on pages whose text layer is empty or garbage. Default: true.
  bool enable_ocr = true;
  // A text layer with fewer printable characters than this counts as "no text". Default: 8.
  int min_text_chars = 8;
  // Password tried on encrypted PDFs. Default: "" (none).
  std::string pdf_password;
  // Documents with more pages are refused. Default: 20,000.
  int max_pages = 20'000;
  // Detect pages scanned sideways or upside down (Tesseract OSD, needs osd.traineddata) and turn
  // them upright; Page::rotation_degrees records the turn. Orientation detection runs only on
  // pages whose recognition as they are looks wrong (mean word confidence under 55, or no text);
  // a turned page is then recognized again and the more confident reading kept. Page::preprocess_steps lists "osd" when detection ran. Default: true.
  bool auto_rotate = true;
  // With auto_rotate: run orientation detection before recognition on every page (the old
  // behaviour: ~25 % more OCR time; one recognition per page even when turned). Default: false.
  bool auto_rotate_always = false;
  // Drop running headers/footers (lines near the top or bottom edge repeated on at least half of
  // the pages, digits ignored) from PDF text layers. Default: true.
  bool remove_headers_footers = true;
  // Absolute time by which extraction must finish (the pipeline sets it per document from
  // [ingest] document_timeout_seconds). Checked between pages (text layer, layout, OCR), before
  // every rendering and inside Tesseract's recognition (per word); past it the call fails with
  // kResourceExhausted "timeout: ..." naming the page reached. A single Poppler call (parsing one
  // page's content, rendering it) cannot be interrupted, so a hostile file can overrun it: see
  // ingest/README.md. Default: none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Leptonica clean-up of page images before Tesseract.
  PreprocessOptions preprocess;
  // Run Poppler (parsing, text layer, rendering for OCR) in a separate worker process so a PDF that
  // hangs inside one Poppler call is killed at `deadline`, and one that crashes Poppler or exhausts
  // memory fails alone with a typed error. One persistent worker per calling thread; Tesseract
  // stays in the calling process. Images and text are always handled in-process (bounded by
  // max_page_pixels). Default: true.
  bool isolate_pdf = true;
  // The worker executable (archivist-extract-worker). Empty: $ARCHIVIST_EXTRACT_WORKER, else next
  // to the running executable, else the install and build locations. Default: "".
  std::string pdf_worker_path;
  // Address-space limit of each worker (RLIMIT_AS) in MiB, so a decompression bomb cannot swap
  // the machine: Poppler skips an image it cannot allocate (the text survives), and a failure it
  // cannot survive ends as kResourceExhausted "... memory limit ...". 1 GiB holds a 60-megapixel
  // rendering several times over; pdfjs/bomb_giant.pdf (a 1.16 GB JBIG2 image) is skipped in
  // 0.2 s under it but decodes until the deadline under 2 GiB. 0 = no limit. Default: 1024.
  int64_t pdf_worker_memory_mb = 1024;
  // A worker whose resident memory (VmRSS) exceeds this many MiB after a request is restarted
  // before the next one, so the heap one pathological PDF grew (a 60 MB ToUnicode map, say) does
  // not stay resident for the rest of a batch. A restart costs one exec. 0 = never. Default: 96
  // (a worker holds ~30-50 MiB after ordinary documents).
  int64_t pdf_worker_recycle_mb = 96;

  Status Validate() const;
};

// Identifies the type from magic bytes (and, for text, from the content being valid UTF-8).
MediaType DetectMediaType(std::string_view bytes);

// Extracts every page of a document. Errors: kInvalidArgument (empty input), kUnsupported (type),
// kCorruption (damaged file), kPermissionDenied (encrypted, wrong or no password),
// kResourceExhausted (over a limit), kUnavailable (OCR language data missing). Thread-safe:
// concurrent calls are fine. OCR keeps one Tesseract engine per calling thread and language set
// for the thread's life; it spawns no threads, but Tesseract's OpenMP does unless the process was
// started with OMP_THREAD_LIMIT=1 in its environment (libgomp reads it before main() runs).
Result<ExtractedDocument> Extract(std::string_view bytes, const ExtractOptions& options);

// Two-phase form of Extract() for callers that spread OCR over threads: ExtractWithoutOcr() does
// everything but OCR, then OcrPage() is called (on any thread, concurrently) for each page listed
// in ocr_pages. Extract() is exactly these two steps run in sequence.
struct PendingExtraction {
  ExtractedDocument document;  // every page present; pages awaiting OCR hold their text layer
  std::vector<int> ocr_pages;  // 1-based numbers of pages that need OCR; empty if OCR is disabled
};
Result<PendingExtraction> ExtractWithoutOcr(std::string_view bytes, const ExtractOptions& options);

// OCRs page `page->number` of `bytes` (the same bytes and options given to ExtractWithoutOcr) and
// updates the page's text, source, ocr_confidence and rotation_degrees. Thread-safe; opens its own
// copy of the document, which costs little next to recognition (~1 s per 300-dpi page).
Status OcrPage(std::string_view bytes, const ExtractOptions& options, Page* page);

// Bytes of the image OcrPage() will start from for `page` (as listed by ExtractWithoutOcr for a
// document of `type`), known without rendering or decoding it: a PDF page's box at ocr_dpi in
// 8-bit gray, an image page's size from its header (4 bytes per pixel in colour, else 1), capped
// at max_page_pixels; 0 for text. What recognition holds grows with it (Tesseract's copies, the
// cleaned images); callers use it to bound the memory of concurrent OCR. Cheap: no Poppler, at
// most one image header read.
int64_t OcrPageImageBytes(std::string_view bytes, MediaType type, const Page& page,
                          const ExtractOptions& options);

}  // namespace archivist::ingest
