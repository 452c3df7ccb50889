#pragma once
// Explicit, reversible upgrades of a data directory between schema versions.
//
// Archive::Open refuses a store whose schema is older than this build's (kUnsupported, naming
// `archivist upgrade`): nothing is ever migrated behind the operator's back. UpgradeArchive then
//   1. takes the store's lock (a running server makes it fail with kUnavailable),
//   2. writes a consistent backup (RocksDB checkpoint + the vector index file) to a new directory,
//   3. runs the ordered steps from the stored version to this build's; each step is one synced
//      RocksDB WriteBatch that also records the version it reaches, so a crash at any moment
//      leaves the store at exactly one valid version (old, intermediate or new) and running the
//      upgrade again carries on from there.
// RollbackArchive puts a backup back in place of the data directory and keeps the upgraded one
// aside, so even the rollback can be undone by hand.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::index {

// The schema version this build reads and writes.
int SchemaVersion();

// The schema version recorded in the archive in `dir`, read without modifying anything.
// kNotFound when `dir` holds no archive; kCorruption when the version is unreadable.
Result<int> StoredSchemaVersion(const std::string& dir);

struct UpgradeOptions {
  // A directory that must not exist yet; the pre-upgrade backup is written there. Required.
  std::string backup_dir;
  // Called at each durable point: "backup-written", then for every step "step-<from>-staged"
  // (about to commit) and "step-<from>-committed". Progress for a caller; a crash test exits here.
  std::function<void(std::string_view point)> on_point;
};

struct UpgradeReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> steps;  // what each step did, in order; empty when already current
  std::string backup_dir;          // empty when nothing needed doing (no backup is taken)
};

// Upgrades the archive in `dir` to SchemaVersion(). Already current: returns at once, no backup.
// Errors: kNotFound (no archive), kUnsupported (newer than this build), kAlreadyExists (backup
// directory exists), kUnavailable (archive in use), kInvalidArgument (no backup directory).
Result<UpgradeReport> UpgradeArchive(const std::string& dir, const UpgradeOptions& options);

// Replaces the archive in `dir` by the backup in `backup_dir` (which is left untouched). The
// current contents of `dir` are moved to `*kept_dir` ("<dir>.rolled-back-<unix time>").
// Errors: kNotFound/kCorruption (backup not an archive), kUnsupported (backup newer than this
// build), kUnavailable (archive in use).
Status RollbackArchive(const std::string& dir, const std::string& backup_dir,
                       std::string* kept_dir);

}  // namespace archivist::index
