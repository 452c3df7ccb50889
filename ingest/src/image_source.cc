// Raster back end: PNG, JPEG and (multi-page) TIFF through Leptonica's in-memory readers.

#include <leptonica/allheaders.h>

#include <cstdio>
#include <string>

#include "sources.h"

namespace archivist::ingest {

namespace {

const l_uint8* Data(std::string_view bytes) {
  return reinterpret_cast<const l_uint8*>(bytes.data());
}

Status CheckPixels(int64_t width, int64_t height, const ExtractOptions& options) {
  if (width <= 0 || height <= 0) return Status::Corruption("image has no pixels");
  if (width * height > options.max_page_pixels) {
    return Status::ResourceExhausted("image of " + std::to_string(width) + "x" +
                                     std::to_string(height) + " pixels exceeds max_page_pixels (" +
                                     std::to_string(options.max_page_pixels) + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<int> CountImagePages(std::string_view bytes, MediaType type) {
  SilenceLeptonica();
  if (type != MediaType::kTiff) return 1;
  // Leptonica counts TIFF directories from a FILE*, so the bytes are exposed as a read-only stream.
  FILE* stream = fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
  if (stream == nullptr) return Status::Internal("fmemopen failed for the TIFF data");
  l_int32 count = 0;
  const l_ok failed = tiffGetCount(stream, &count);
  fclose(stream);
  if (failed != 0 || count <= 0) return Status::Corruption("TIFF is damaged: no readable pages");
  return static_cast<int>(count);
}

Result<PixHolder> ReadImagePage(std::string_view bytes, MediaType type, int page_number,
                                const ExtractOptions& options, int* dpi) {
  SilenceLeptonica();
  if (page_number == 1) {
    // Check the size from the header before decoding so huge images cost no memory.
    l_int32 format = 0, width = 0, height = 0, bps = 0, spp = 0, cmap = 0;
    if (pixReadHeaderMem(Data(bytes), bytes.size(), &format, &width, &height, &bps, &spp, &cmap) !=
        0) {
      return Status::Corruption("image header is damaged or truncated");
    }
    ARCHIVIST_RETURN_IF_ERROR(CheckPixels(width, height, options));
  }
  PixHolder pix(type == MediaType::kTiff
                    ? pixReadMemTiff(Data(bytes), bytes.size(), page_number - 1)
                    : pixReadMem(Data(bytes), bytes.size()));
  if (!pix) {
    return Status::Corruption("image page " + std::to_string(page_number) +
                              " could not be decoded (damaged or truncated)");
  }
  ARCHIVIST_RETURN_IF_ERROR(CheckPixels(pixGetWidth(pix.get()), pixGetHeight(pix.get()), options));
  const int resolution = pixGetXRes(pix.get());
  *dpi = resolution > 0 ? resolution : 0;
  return pix;
}

}  // namespace archivist::ingest
