#include "archivist/base/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace archivist::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kText)};

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kError: return "error";
    case Level::kWarning: return "warn";
    case Level::kNotice: return "notice";
    case Level::kInfo: return "info";
    case Level::kDebug: return "debug";
  }
  return "info";
}

// The journal splits entries at newlines: keep one event on one line in every format.
void AppendSafe(std::string* out, std::string_view s) {
  for (char c : s) {
    if (c == '\n') *out += "\\n";
    else if (c == '\r') *out += "\\r";
    else *out += c;
  }
}

void AppendTextValue(std::string* out, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" \t\"=\\") != std::string_view::npos;
  if (!quote) {
    AppendSafe(out, v);
    return;
  }
  *out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') *out += '\\';
    if (c == '\n') *out += "\\n";
    else if (c == '\r') *out += "\\r";
    else *out += c;
  }
  *out += '"';
}

void AppendJsonString(std::string* out, std::string_view s) {
  *out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

std::string Timestamp(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

// systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected; a child whose stderr was
// redirected elsewhere inherits the variable, so it must match fd 2 to count.
bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (env == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  if (name == "error") return Level::kError;
  if (name == "warning" || name == "warn") return Level::kWarning;
  if (name == "notice") return Level::kNotice;
  if (name == "info") return Level::kInfo;
  if (name == "debug") return Level::kDebug;
  return Status::InvalidArgument("unknown log level '" + std::string(name) +
                                 "' (error, warning, notice, info, debug)");
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "auto") return Format::kAuto;
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "journal") return Format::kJournal;
  return Status::InvalidArgument("unknown log format '" + std::string(name) +
                                 "' (auto, text, json, journal)");
}

void Configure(const Options& options) {
  Format f = options.format;
  if (f == Format::kAuto) f = StderrIsJournal() ? Format::kJournal : Format::kText;
  g_format.store(static_cast<int>(f));
  g_level.store(static_cast<int>(options.level));
}

Format CurrentFormat() { return static_cast<Format>(g_format.load()); }

bool Enabled(Level level) { return static_cast<int>(level) <= g_level.load(); }

std::string FormatLine(Format format, Level level, std::string_view message, const Fields& fields,
                       int64_t unix_ms) {
  std::string out;
  if (format == Format::kJson) {
    out += "{\"ts\":\"" + Timestamp(unix_ms) + "\",\"level\":\"" + std::string(LevelName(level)) +
           "\",\"msg\":";
    AppendJsonString(&out, message);
    for (const auto& [k, v] : fields) {
      out += ',';
      AppendJsonString(&out, k);
      out += ':';
      AppendJsonString(&out, v);
    }
    out += '}';
    return out;
  }
  if (format == Format::kJournal) {
    out += '<' + std::to_string(static_cast<int>(level)) + '>';
  } else {
    out += Timestamp(unix_ms) + ' ';
    std::string_view name = LevelName(level);
    out += name;
    out.append(name.size() < 6 ? 6 - name.size() : 1, ' ');
  }
  AppendSafe(&out, message);
  for (const auto& [k, v] : fields) {
    out += ' ';
    AppendSafe(&out, k);
    out += '=';
    AppendTextValue(&out, v);
  }
  return out;
}

void Write(Level level, std::string_view message, const Fields& fields) {
  if (!Enabled(level)) return;
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string line = FormatLine(CurrentFormat(), level, message, fields, now);
  line += '\n';
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) return;  // nowhere left to report a logging failure
    off += static_cast<size_t>(n);
  }
}

Fields StatusFields(const Status& status) {
  return {{"code", std::string(StatusCodeName(status.code()))}, {"error", status.message()}};
}

}  // namespace archivist::log
