#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "archivist/base/status.h"

namespace archivist {

// Reads a whole file. Fails with kNotFound (missing), kPermissionDenied (unreadable),
// kInvalidArgument (a directory) or kResourceExhausted (larger than max_bytes).
Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes = UINT64_MAX);

// Writes `data` to `path` atomically: a temp file beside it, fsync, rename, fsync of the directory.
// A crash leaves either the old file or the new one, never a mix.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// Seconds since the Unix epoch, UTC.
int64_t UnixNow();

// "2026-11-27T12:30:00Z" for a Unix time.
std::string FormatIso8601(int64_t unix_seconds);

}  // namespace archivist
