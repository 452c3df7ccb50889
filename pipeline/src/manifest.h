#pragma once
// The batch manifest: what the archive knows about each ingested path, kept in the archive's
// journal and written in the same RocksDB write as the document it describes, so the two can never
// disagree after a crash. Keys (under the journal's own prefix):
//   manifest/<absolute path>               -> "<size> <mtime ns> <doc_id>"
//   manifest-ref/<doc_id>/<absolute path>  -> ""   (which paths hold a document)
//   retire/<doc_id>                        -> the path whose new version replaces it (pending)
// A path whose size and mtime match its entry (and whose document is still stored) is skipped
// without being read. `retire/` entries make `--force` replacement resumable: the new version and
// the retire mark commit together; the old document is deleted afterwards, and a run that finds a
// mark left by a killed run finishes it first.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"

namespace archivist::pipeline {

struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

struct ManifestEntry {
  FileStamp stamp;
  std::string doc_id;
};

// The absolute, lexically normal form of `path` (the key of manifest and failure entries), so
// runs from different working directories agree.
std::string AbsolutePath(const std::string& path);

// stat(2) of a regular file.
Result<FileStamp> StampOf(const std::string& path);

Result<std::optional<ManifestEntry>> LookupManifest(index::Archive& archive,
                                                    const std::string& abs_path);

// The edits that record `abs_path` -> `entry`, replacing `previous` (the path's old entry, if
// any). With `retire_previous`, a previous document with another id is marked for retirement.
void AppendManifestEdits(const std::string& abs_path, const ManifestEntry& entry,
                         const std::optional<ManifestEntry>& previous, bool retire_previous,
                         std::vector<index::JournalEdit>* edits);

// Deletes every document marked for retirement that no manifest path refers to any more (a
// document whose bytes another path still holds stays), then clears the marks. Returns the number
// of documents deleted.
Result<int> RetireMarked(index::Archive& archive);

}  // namespace archivist::pipeline
