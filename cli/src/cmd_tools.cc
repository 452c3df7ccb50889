// Tools that do not touch the archive: extract (what ingest sees in a file), inspect-model.

#include <chrono>
#include <iostream>

#include "archivist/base/file_util.h"
#include "archivist/engine/model_summary.h"
#include "archivist/ingest/extractor.h"
#include "commands.h"
#include "output.h"

namespace archivist::cli {

int RunExtract(GlobalArgs& g, const std::string& path, bool in_process) {
  auto bytes = ReadFile(path, g.config.ingest.max_file_bytes);
  if (!bytes.ok()) return ReportError(bytes.status());
  ingest::ExtractOptions options = g.config.ingest.extract;
  if (in_process) options.isolate_pdf = false;
  // The same per-document limit ingest applies, so `extract` shows what ingest would do.
  if (g.config.ingest.document_timeout_seconds > 0) {
    options.deadline = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(g.config.ingest.document_timeout_seconds));
  }
  auto doc = ingest::Extract(*bytes, options);
  if (!doc.ok()) return ReportError(doc.status().WithContext(path));
  if (g.json) {
    nlohmann::json pages = nlohmann::json::array();
    for (const ingest::Page& p : doc->pages) {
      pages.push_back({{"page", p.number}, {"source", ingest::PageSourceName(p.source)},
                       {"ocr_confidence", p.ocr_confidence}, {"rotation", p.rotation_degrees},
                       {"preprocess", p.preprocess_steps}, {"skew_degrees", p.skew_degrees},
                       {"width_pt", p.width_pt}, {"height_pt", p.height_pt}, {"text", p.text}});
    }
    const ingest::DocumentMetadata& m = doc->metadata;
    std::cout << nlohmann::json{{"path", path},
                                {"media_type", ingest::MediaTypeName(doc->media_type)},
                                {"title", m.title}, {"author", m.author}, {"subject", m.subject},
                                {"producer", m.producer}, {"created", m.created},
                                {"modified", m.modified}, {"pages", pages}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return kExitOk;
  }
  std::cout << path << ": " << ingest::MediaTypeName(doc->media_type) << ", "
            << doc->pages.size() << " pages";
  if (!doc->metadata.title.empty()) std::cout << ", title \"" << doc->metadata.title << "\"";
  std::cout << "\n";
  for (const ingest::Page& p : doc->pages) {
    std::cout << "=== page " << p.number << " (" << ingest::PageSourceName(p.source);
    if (p.ocr_confidence >= 0) std::cout << ", confidence " << p.ocr_confidence;
    if (p.rotation_degrees) std::cout << ", rotated " << p.rotation_degrees;
    if (p.skew_degrees != 0) std::cout << ", skew " << p.skew_degrees << " deg";
    std::cout << ") ===\n" << p.text << "\n";
  }
  return kExitOk;
}

int RunInspectModel(GlobalArgs& g, const std::string& path) {
  auto summary = engine::SummarizeGguf(path);
  if (!summary.ok()) return ReportError(summary.status().WithContext(path));
  std::cout << (g.json ? engine::SummaryToJson(*summary) : engine::FormatSummary(*summary)) << "\n";
  return kExitOk;
}

}  // namespace archivist::cli
