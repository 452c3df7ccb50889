#include "preprocess.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace archivist::ingest {

namespace {

// Below this Tesseract's LSTM model sees x-heights of a few pixels and its error rate climbs.
constexpr int kSmallTextDpi = 200;
constexpr int kTargetDpi = 300;
// Leptonica's own threshold for trusting a skew measurement (pixDeskew uses the same).
constexpr float kMinSkewConfidence = 3.0f;
// Recorded resolution from which a scan survives the resampling of a small rotation.
constexpr int kMinFineDpi = 150;

// 8-bit gray view of any input, for the steps that work on intensities.
PixHolder ToGray(Pix* pix) {
  if (pixGetDepth(pix) == 8 && pixGetColormap(pix) == nullptr) return PixHolder(pixClone(pix));
  return PixHolder(pixConvertTo8(pix, 0));
}

}  // namespace

PreprocessedImage PreprocessForOcr(Pix* pix, int dpi, const PreprocessOptions& options) {
  PreprocessedImage out;
  out.dpi = dpi;
  Pix* current = pix;
  // Each step replaces `out.pix` with its product; `current` always points at the latest image.
  auto adopt = [&](Pix* next, const char* step) {
    if (next == nullptr) return;
    out.pix = PixHolder(next);
    current = out.pix.get();
    out.steps.emplace_back(step);
  };

  if (options.deskew) {
    // Measured as Leptonica's pixDeskew does: on a 130-threshold binary copy, 2x reduced.
    PixHolder binary(pixGetDepth(current) == 1 ? pixClone(current) : pixConvertTo1(current, 130));
    l_float32 angle = 0, confidence = 0;
    if (binary && pixFindSkew(binary.get(), &angle, &confidence) == 0 &&
        confidence >= kMinSkewConfidence) {
      out.skew_degrees = angle;
      // Turning an image resamples it. On low-resolution scans (FUNSD's ~100-dpi faxes, which
      // record no resolution) that blur cost more than a small skew, which Tesseract's own line
      // finding tolerates; there only skews of a degree or more are corrected.
      const float min_angle = dpi >= kMinFineDpi ? 0.1f : 1.0f;
      if (std::abs(angle) >= min_angle) {
        adopt(pixRotate(current, angle * static_cast<float>(M_PI) / 180.0f, L_ROTATE_AREA_MAP,
                        L_BRING_IN_WHITE, 0, 0),
              "deskew");
      }
    }
  }

  if (options.upscale_small && dpi > 0 && dpi < kSmallTextDpi) {
    const float factor = std::min(4.0f, static_cast<float>(kTargetDpi) / dpi);
    // Bilevel scans are scaled through gray so strokes stay smooth rather than blocky.
    Pix* scaled = pixGetDepth(current) == 1 ? pixScaleToGray(current, factor)
                                             : pixScale(current, factor, factor);
    if (scaled != nullptr) {
      out.dpi = static_cast<int>(std::lround(dpi * factor));
      pixSetResolution(scaled, out.dpi, out.dpi);
      adopt(scaled, "upscale_small");
    }
  }

  if (options.normalize_background && pixGetDepth(current) != 1) {
    PixHolder gray = ToGray(current);
    if (gray) {
      // Divides out the slowly varying background (shadows, yellowed paper), then stretches
      // contrast so faint strokes reach full black.
      Pix* flat = pixBackgroundNormSimple(gray.get(), nullptr, nullptr);
      if (flat != nullptr) {
        Pix* stretched = pixContrastNorm(nullptr, flat, 100, 100, 55, 1, 1);
        if (stretched != nullptr) {
          pixDestroy(&flat);
          flat = stretched;
        }
        adopt(flat, "normalize_background");
      }
    }
  }

  if (options.adaptive_binarize && pixGetDepth(current) != 1) {
    PixHolder gray = ToGray(current);
    if (gray) {
      // Window ~ a few text lines high: scale with resolution (unknown: assume 300 dpi).
      const int effective_dpi = out.dpi > 0 ? out.dpi : kTargetDpi;
      const int half_window = std::max(8, effective_dpi / 12);
      const int width = pixGetWidth(gray.get()), height = pixGetHeight(gray.get());
      // Tiles keep Sauvola's integral images small on large pages.
      const int tiles_x = std::max(1, width / 1000), tiles_y = std::max(1, height / 1000);
      Pix* binary = nullptr;
      if (width > 2 * half_window + 3 && height > 2 * half_window + 3 &&
          pixSauvolaBinarizeTiled(gray.get(), half_window, 0.34f, tiles_x, tiles_y, nullptr,
                                  &binary) == 0) {
        adopt(binary, "adaptive_binarize");
      }
    }
  }
  if (out.pix) pixSetResolution(out.pix.get(), out.dpi, out.dpi);
  return out;
}

}  // namespace archivist::ingest
