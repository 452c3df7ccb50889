#include "audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>

namespace archivist::service {
namespace {

const std::string kGenesis(64, '0');

nlohmann::json Content(const AuditRecord& r) {
  // Keys are sorted by nlohmann::json, so the same record always serializes to the same bytes.
  return nlohmann::json{{"seq", r.seq},       {"time_ms", r.time_ms}, {"caller", r.caller},
                        {"method", r.method}, {"args", r.arguments},  {"docs", r.doc_ids},
                        {"outcome", r.outcome}};
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Parses one stored line; false when it is not an entry this code wrote.
bool ParseLine(const std::string& line, AuditRecord& out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  try {
    out.seq = j.at("seq").get<int64_t>();
    out.time_ms = j.at("time_ms").get<int64_t>();
    out.caller = j.at("caller").get<std::string>();
    out.method = j.at("method").get<std::string>();
    out.arguments = j.at("args").get<std::string>();
    out.doc_ids = j.at("docs").get<std::vector<std::string>>();
    out.outcome = j.at("outcome").get<std::string>();
    out.hash = j.at("hash").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

bool Matches(const AuditRecord& r, const AuditFilter& f) {
  if (f.since_ms != 0 && r.time_ms < f.since_ms) return false;
  if (f.until_ms != 0 && r.time_ms >= f.until_ms) return false;
  if (!f.caller.empty() && r.caller != f.caller) return false;
  if (!f.method.empty() && r.method != f.method) return false;
  if (!f.doc_id.empty() &&
      std::find(r.doc_ids.begin(), r.doc_ids.end(), f.doc_id) == r.doc_ids.end()) {
    return false;
  }
  return true;
}

// Walks the log, checking each line's seq and hash against its predecessor.
template <typename Visit>
Status Walk(const std::string& path, bool& intact, int64_t& last_seq, std::string& last_hash,
            Visit&& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read audit log " + path);
  intact = true;
  last_seq = 0;
  last_hash = kGenesis;
  std::string line;
  while (std::getline(in, line)) {
    AuditRecord record;
    if (!ParseLine(line, record) || record.seq != last_seq + 1 ||
        AuditHash(last_hash, record) != record.hash) {
      intact = false;
    }
    last_seq = record.seq;
    last_hash = record.hash;
    visit(record);
  }
  return Status::Ok();
}

}  // namespace

std::string AuditHash(const std::string& previous_hash, const AuditRecord& record) {
  return Sha256Hex(previous_hash + "\n" + Content(record).dump());
}

std::string AuditLine(const AuditRecord& record) {
  nlohmann::json j = Content(record);
  j["hash"] = record.hash;
  // Invalid UTF-8 in an argument is replaced rather than refused: the call is logged whatever
  // it carried.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AuditLog::AuditLog(std::string path, int fd, int64_t seq, std::string last_hash)
    : path_(std::move(path)), fd_(fd), seq_(seq), last_hash_(std::move(last_hash)) {}

AuditLog::~AuditLog() { ::close(fd_); }

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot open audit log " + path + ": " + std::strerror(errno));
  }
  bool intact = true;
  int64_t seq = 0;
  std::string last_hash;
  Status walked = Walk(path, intact, seq, last_hash, [](const AuditRecord&) {});
  if (!walked.ok() || !intact) {
    ::close(fd);
    if (!walked.ok()) return walked;
    return Status::Corruption("audit log " + path +
                              " fails its hash chain (edited or truncated); move it aside to "
                              "start a new one");
  }
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd, seq, std::move(last_hash)));
}

Status AuditLog::Append(AuditRecord record) {
  std::lock_guard<std::mutex> lock(mu_);
  record.seq = seq_ + 1;
  if (record.time_ms == 0) record.time_ms = NowMs();
  // The hash covers the stored (replaced) text, so re-reading verifies.
  AuditRecord stored;
  if (!ParseLine(AuditLine(record), stored)) return Status::Internal("audit entry unencodable");
  stored.hash.clear();
  record = stored;
  record.hash = AuditHash(last_hash_, record);
  const std::string line = AuditLine(record) + "\n";
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable("cannot append to audit log " + path_ + ": " +
                                 std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  seq_ = record.seq;
  last_hash_ = record.hash;
  return Status::Ok();
}

Result<AuditQueryResult> AuditLog::Query(const AuditFilter& filter) const {
  std::lock_guard<std::mutex> lock(mu_);  // no half-written line is read
  AuditQueryResult result;
  std::deque<AuditRecord> newest;
  int64_t last_seq = 0;
  std::string last_hash;
  ARCHIVIST_RETURN_IF_ERROR(
      Walk(path_, result.chain_intact, last_seq, last_hash, [&](const AuditRecord& record) {
        ++result.total_entries;
        if (!Matches(record, filter)) return;
        newest.push_back(record);
        if (newest.size() > static_cast<size_t>(filter.limit)) newest.pop_front();
      }));
  result.entries.assign(newest.begin(), newest.end());
  return result;
}

}  // namespace archivist::service
