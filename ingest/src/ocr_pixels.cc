// How large the image OCR of a page starts from will be, known before the page is rendered or
// decoded, so a caller running several pages at once can keep their sum under a budget (the batch
// pipeline's [ingest] ocr_max_inflight_megapixels).

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>

#include "archivist/ingest/extractor.h"
#include "ocr.h"

namespace archivist::ingest {
namespace {

// A page box at `dpi`, the way RenderPdfPage sizes its bitmap (lowered to max_page_pixels).
int64_t PixelsAt(double width_pt, double height_pt, double dpi, const ExtractOptions& options) {
  if (!(width_pt > 0 && height_pt > 0)) return 0;
  const double pixels = (width_pt * dpi / 72.0) * (height_pt * dpi / 72.0);
  return static_cast<int64_t>(std::min(pixels, static_cast<double>(options.max_page_pixels)));
}

}  // namespace

int64_t OcrPageImageBytes(std::string_view bytes, MediaType type, const Page& page,
                          const ExtractOptions& options) {
  switch (type) {
    case MediaType::kPdf:  // rendered in 8-bit gray
      return PixelsAt(page.width_pt, page.height_pt, options.ocr_dpi, options);
    case MediaType::kPng:
    case MediaType::kJpeg:
    case MediaType::kTiff: {
      // The header holds the decoded size; the page box alone does not (it depends on the
      // resolution the file records, often a meaningless 72 dpi).
      SilenceLeptonica();
      const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
      l_int32 format = 0, width = 0, height = 0, bps = 0, spp = 0, res = 0, cmap = 0;
      const l_ok failed =
          type == MediaType::kTiff
              ? readHeaderMemTiff(data, bytes.size(), page.number - 1, &width, &height, &bps, &spp,
                                  &res, &cmap, &format)
              : pixReadHeaderMem(data, bytes.size(), &format, &width, &height, &bps, &spp, &cmap);
      if (failed == 0 && width > 0 && height > 0) {
        // Colour decodes to 32 bits per pixel, and Tesseract binarizes it per channel (a colour
        // receipt held 4x the memory of a gray page of the same size).
        const int64_t bytes_per_pixel = spp >= 3 ? 4 : 1;
        return std::min<int64_t>(int64_t{width} * height, options.max_page_pixels) *
               bytes_per_pixel;
      }
      return PixelsAt(page.width_pt, page.height_pt, 300.0, options);  // as ExtractImages sized it
    }
    case MediaType::kText:
    case MediaType::kMarkdown:
    case MediaType::kUnknown:
      break;
  }
  return 0;
}

}  // namespace archivist::ingest
