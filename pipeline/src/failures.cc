#include "archivist/pipeline/failures.h"

#include <optional>
#include <nlohmann/json.hpp>

#include "archivist/base/file_util.h"
#include "manifest.h"

namespace archivist::pipeline {
namespace {

constexpr char kPrefix[] = "failure/";

Result<FailureRecord> Decode(const std::string& key, const std::string& value) {
  try {
    auto j = nlohmann::json::parse(value);
    FailureRecord r;
    r.path = key.substr(sizeof(kPrefix) - 1);
    r.doc_id = j.value("doc_id", "");
    r.stage = j.value("stage", "");
    r.code = j.value("code", "");
    r.message = j.value("message", "");
    r.failed_at = j.value("failed_at", int64_t{0});
    r.attempts = j.value("attempts", 1);
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption("failure record of '" + key + "' is damaged: " + e.what());
  }
}

// Failures are keyed by absolute path, so `--retry-failed` works from any directory; uploads by
// their name (an absolute path starts with '/', so the two never meet).
std::string KeyFor(const std::string& path) {
  return kPrefix + (IsUploadName(path) ? path : AbsolutePath(path));
}

}  // namespace

bool IsUploadName(std::string_view path) { return path.starts_with(kUploadPrefix); }

Status AppendOutcomeEdits(index::Archive& archive, const FileResult& result,
                          std::vector<index::JournalEdit>* edits) {
  const std::string key = KeyFor(result.path);
  ARCHIVIST_ASSIGN_OR_RETURN(std::optional<std::string> existing, archive.GetJournal(key));
  if (result.outcome != Outcome::kFailed) {
    if (existing) edits->push_back({key, std::nullopt});
    return Status::Ok();
  }
  int attempts = 1;
  if (existing) {
    auto previous = Decode(key, *existing);
    if (previous.ok()) attempts = previous->attempts + 1;
  }
  nlohmann::json j = {{"doc_id", result.doc_id},
                      {"stage", result.stage},
                      {"code", std::string(StatusCodeName(result.error.code()))},
                      {"message", result.error.message()},
                      {"failed_at", UnixNow()},
                      {"attempts", attempts}};
  edits->push_back({key, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
  return Status::Ok();
}

Status RecordOutcome(index::Archive& archive, const FileResult& result) {
  std::vector<index::JournalEdit> edits;
  ARCHIVIST_RETURN_IF_ERROR(AppendOutcomeEdits(archive, result, &edits));
  if (edits.empty()) return Status::Ok();
  return archive.CommitDocuments({}, edits).status();
}

Result<std::vector<FailureRecord>> ListFailures(index::Archive& archive) {
  ARCHIVIST_ASSIGN_OR_RETURN(auto entries, archive.ScanJournal(kPrefix));
  std::vector<FailureRecord> out;
  for (const auto& [k, v] : entries) {
    ARCHIVIST_ASSIGN_OR_RETURN(FailureRecord r, Decode(k, v));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace archivist::pipeline
