#pragma once
// Structured operational log lines on stderr: a level, a message and key=value fields.
//
// Formats:
//   text     "2026-11-27T15:04:05.123Z warn  message key=value key=\"a value\"" (terminals, files)
//   json     one JSON object per line: {"ts":..,"level":..,"msg":..,<fields>} (log shippers)
//   journal  "<4>message key=value": the syslog-priority prefix journald parses from a service's
//            stdout/stderr stream, so `journalctl -u archivist -p warning` filters by level and
//            `journalctl -u archivist -g 'doc=3f2a'` finds a field; journald adds the time.
//   auto     journal when stderr is the stream systemd connected (JOURNAL_STREAM names its
//            device:inode), else text.
// Why the prefix protocol and not sd_journal_send(): it needs no libsystemd, opens no socket (the
// air-gap audit sees no AF_UNIX connect from us) and works identically under any unit; the cost is
// that fields are searchable with -g rather than being indexed journal fields.
//
// Thread-safe: each line is formatted first and written with one write(2), so lines from different
// threads never interleave. Configure() is meant for main(), before other threads start.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::log {

// Values are the syslog priorities journald understands.
enum class Level : int { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };
enum class Format { kAuto, kText, kJson, kJournal };

struct Options {
  Level level = Level::kInfo;    // Default: info (debug lines are dropped)
  Format format = Format::kAuto; // Default: auto
};

Result<Level> ParseLevel(std::string_view name);    // error | warning | notice | info | debug
Result<Format> ParseFormat(std::string_view name);  // auto | text | json | journal

// Sets the process-wide options. kAuto is resolved here (reads JOURNAL_STREAM, fstat of fd 2).
void Configure(const Options& options);
Format CurrentFormat();
bool Enabled(Level level);

using Fields = std::vector<std::pair<std::string, std::string>>;

// The line Write() would emit, without the trailing newline (exposed for tests).
// `unix_ms` is the wall-clock time in milliseconds (text and json only).
std::string FormatLine(Format format, Level level, std::string_view message, const Fields& fields,
                       int64_t unix_ms);

void Write(Level level, std::string_view message, const Fields& fields = {});
inline void Error(std::string_view m, const Fields& f = {}) { Write(Level::kError, m, f); }
inline void Warning(std::string_view m, const Fields& f = {}) { Write(Level::kWarning, m, f); }
inline void Notice(std::string_view m, const Fields& f = {}) { Write(Level::kNotice, m, f); }
inline void Info(std::string_view m, const Fields& f = {}) { Write(Level::kInfo, m, f); }
inline void Debug(std::string_view m, const Fields& f = {}) { Write(Level::kDebug, m, f); }

// A failed Status as fields: code=<name> error=<message>.
Fields StatusFields(const Status& status);

}  // namespace archivist::log
