#pragma once
// Leptonica clean-up of a page image before Tesseract (ExtractOptions::preprocess).

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/ingest/extractor.h"
#include "ocr.h"

struct Pix;

namespace archivist::ingest {

struct PreprocessedImage {
  PixHolder pix;  // the cleaned image; empty when no step changed the input
  int dpi = 0;    // resolution of `pix` (the input's when unchanged; 0 = unknown)
  std::vector<std::string> steps;  // steps that changed the image, in order
  double skew_degrees = 0.0;       // skew measured by deskew (0 when off or not confident)
};

// Runs the enabled steps on `pix` (1, 8 or 32 bpp; not owned) scanned at `dpi` (0 = unknown):
// deskew, upscale_small, normalize_background, adaptive_binarize, in that order. A step that
// fails inside Leptonica is skipped rather than failing the page: the raw image still OCRs.
PreprocessedImage PreprocessForOcr(Pix* pix, int dpi, const PreprocessOptions& options);

}  // namespace archivist::ingest
