#pragma once
// The append-only audit log: one JSON object per line, each carrying the SHA-256 of the previous
// entry's hash and its own content, so an edited, removed or reordered line breaks the chain.
// Nothing in the API writes to it except Append; nothing edits or deletes.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "archivist/base/status.h"
#include "archivist/thrift/server.h"

namespace archivist::service {

class AuditLog {
 public:
  // Opens (creating, mode 0600) the log at `path` and re-verifies the existing chain, so the
  // next entry links to the last one. kCorruption when the chain is already broken: a server
  // must not extend a log it cannot vouch for.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Fills in seq, hash (and time_ms when 0) and appends `record` with one write(2).
  Status Append(AuditRecord record);
  // Reads the whole log (O(entries)), checking the chain as it goes.
  Result<AuditQueryResult> Query(const AuditFilter& filter) const;

 private:
  AuditLog(std::string path, int fd, int64_t seq, std::string last_hash);

  const std::string path_;
  const int fd_;
  mutable std::mutex mu_;
  int64_t seq_;            // of the last entry written
  std::string last_hash_;  // of the last entry written; 64 zeros before the first
};

// The line an entry is stored as (without its newline), and its chained hash.
std::string AuditLine(const AuditRecord& record);
std::string AuditHash(const std::string& previous_hash, const AuditRecord& record);

}  // namespace archivist::service
