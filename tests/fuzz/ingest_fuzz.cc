// libFuzzer target for the document paths: type detection, PDF parsing and layout (Poppler), image
// decoding (Leptonica), text normalization and chunking. OCR is left out: it is slow and its input
// is a bitmap these paths already produced. Any crash, hang or sanitizer report is a bug.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "archivist/ingest/chunker.h"
#include "archivist/ingest/extractor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace archivist::ingest;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ExtractOptions options;
  options.max_pages = 64;
  options.max_page_pixels = 4'000'000;
  options.isolate_pdf = false;  // fuzz Poppler itself, in this process, under the sanitizers
  auto pending = ExtractWithoutOcr(bytes, options);
  if (pending.ok()) {
    ChunkOptions chunk;
    chunk.target_tokens = 60;
    chunk.max_tokens = 90;
    chunk.overlap_tokens = 10;
    auto chunks = ChunkPages(pending->document.pages, chunk);
    (void)chunks;
  }
  return 0;
}
