#pragma once
// The command-line tools over the same work as our stages (bench/pipeline_throughput.cc), each in
// its best batch use and timed as its own stage:
//   pdftotext  one process per PDF (it takes one file);
//   pdftoppm   the PDF pages our OCR stage rendered, at the resolution it used (ocr_dpi, lowered
//              by max_page_pixels), gray, to uncompressed TIFF; one process per run of
//              consecutive pages;
//   tesseract  one process over a list file of every single-page image (the models load once),
//              plus one per multi-page image (a list file reads only a TIFF's first page).
// With P processes the work is split P ways and the processes run concurrently: PDFs and page
// runs go to whichever process is free; tesseract's pages are split ahead of time into P lists
// of equal cost (by our own OCR time per page, longest first).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/ingest/extractor.h"
#include "pipeline_stages.h"

namespace archivist::bench {

nlohmann::json MeasureTools(const std::vector<std::string>& files, const std::vector<OcrItem>& ocr,
                            const ingest::ExtractOptions& options, const std::string& work,
                            int processes);

}  // namespace archivist::bench
