#pragma once
// The failure list: every file a batch could not ingest, with where and why, kept in the archive's
// journal until a later run ingests it (or finds it already in).

#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/ingest_batch.h"

namespace archivist::pipeline {

// Uploads (IngestBytes, the API's ingest call) are named "api:<file name>" rather than by a path
// on disk: their failures are listed under that name, and a rerun cannot retry them (the bytes are
// not kept); the client sends the file again.
inline constexpr std::string_view kUploadPrefix = "api:";
bool IsUploadName(std::string_view path);

struct FailureRecord {
  std::string path;         // absolute path, or "api:<file name>" for an upload
  std::string doc_id;       // empty when the file could not be read
  std::string stage;        // "discover" | "read" | "extract" | "ocr" | "embed" | "commit"
  std::string code;         // StatusCodeName, e.g. "corruption"
  std::string message;
  int64_t failed_at = 0;    // Unix seconds
  int attempts = 1;         // runs that failed on this path
};

// Records the outcome of one file: a failure is added (or its attempt count raised), a success or
// duplicate removes any earlier failure of that path.
Status RecordOutcome(index::Archive& archive, const FileResult& result);
// The journal edits RecordOutcome would write, for a caller committing them with other writes.
Status AppendOutcomeEdits(index::Archive& archive, const FileResult& result,
                          std::vector<index::JournalEdit>* edits);

// Every recorded failure, ordered by path.
Result<std::vector<FailureRecord>> ListFailures(index::Archive& archive);

}  // namespace archivist::pipeline
