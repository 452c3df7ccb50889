#pragma once
// Text and JSON renderings of results, shared by local and --remote modes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"

namespace archivist::cli {

nlohmann::json ToJson(const index::SearchHit& hit);
nlohmann::json ToJson(const pipeline::Answer& answer);
nlohmann::json ToJson(const pipeline::Summary& summary);
nlohmann::json ToJson(const pipeline::FileResult& result);
nlohmann::json ToJson(const index::DocumentRecord& doc);
// The machine-readable end-of-batch report: counts, throughput, stage times, slowest documents,
// every failure.
nlohmann::json ReportJson(const pipeline::IngestReport& report);

void PrintHits(const std::vector<index::SearchHit>& hits, bool json);
void PrintAnswer(const pipeline::Answer& answer, bool json);

// "3fa2c1d0e9b4" -- the first 12 hex digits, enough to name a document on screen.
std::string ShortId(const std::string& doc_id);

}  // namespace archivist::cli
