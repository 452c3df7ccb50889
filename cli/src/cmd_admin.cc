// Administration: the operations endpoint of long-running commands (serve, ingest --watch) and
// `archivist upgrade` (schema upgrades and their rollback).

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "archivist/base/log.h"
#include "archivist/base/metrics.h"
#include "archivist/base/metrics_http.h"
#include "archivist/index/archive.h"
#include "archivist/index/upgrade.h"
#include "commands.h"

namespace archivist::cli {
namespace {

namespace fs = std::filesystem;

class OperationsImpl : public Operations {
 public:
  metrics::CollectorHandle store;
  std::unique_ptr<metrics::HttpEndpoint> endpoint;
};

// Store-wide figures come from the archive's own counters at scrape time (meta column family,
// kept in memory): a scrape never walks the store's records.
void CollectStore(index::Archive& archive, std::vector<metrics::Sample>* out) {
  auto stats = archive.Stats();
  if (!stats.ok()) {
    metrics::CountError("metrics", stats.status().code());
    return;
  }
  auto gauge = [&](const char* name, const char* help, double v, metrics::Labels labels = {}) {
    out->push_back({name, help, std::move(labels), v});
  };
  gauge("archivist_documents", "Documents in the archive", double(stats->documents));
  gauge("archivist_pages", "Pages in the archive", double(stats->pages));
  gauge("archivist_chunks", "Chunks (search units) in the archive", double(stats->chunks));
  gauge("archivist_vectors", "Vectors in the dense index", double(stats->vectors));
  gauge("archivist_terms", "Distinct terms in the lexical index", double(stats->terms));
  gauge("archivist_data_bytes", "Size of the data directory on disk", double(stats->disk_bytes));
  for (const auto& [name, n] : stats->collections)
    gauge("archivist_collection_documents", "Documents per collection", double(n),
          {{"collection", name}});
  for (const auto& [type, n] : stats->media_types)
    gauge("archivist_media_type_documents", "Documents per media type", double(n),
          {{"media_type", type}});
}

std::string DefaultBackupDir(const std::string& data_dir, int from_version) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".schema" + std::to_string(from_version) + "-backup-" + stamp;
}

}  // namespace

Result<std::unique_ptr<Operations>> StartOperations(const GlobalArgs& g, index::Archive& archive,
                                                    bool required) {
  auto ops = std::make_unique<OperationsImpl>();
  ops->store = metrics::Default().AddCollector(
      [&archive](std::vector<metrics::Sample>* out) { CollectStore(archive, out); });
  const metrics::HttpOptions& m = g.config.metrics;
  if (!m.enabled) return std::unique_ptr<Operations>(std::move(ops));
  auto endpoint = metrics::HttpEndpoint::Start(m, metrics::Default(), [&archive]() -> Status {
    auto stats = archive.Stats();
    return stats.ok() ? Status::Ok() : stats.status();
  });
  if (!endpoint.ok()) {
    Status s = endpoint.status().WithContext(
        "metrics endpoint ([metrics] listen, or --metrics-listen off to disable)");
    if (required) return s;
    log::Warning("no metrics endpoint", log::StatusFields(s));
    return std::unique_ptr<Operations>(std::move(ops));
  }
  ops->endpoint = std::move(endpoint).value();
  log::Info("metrics endpoint listening",
            {{"address", ops->endpoint->address()}, {"paths", "/metrics /healthz"}});
  return std::unique_ptr<Operations>(std::move(ops));
}

int RunUpgrade(GlobalArgs& g, const UpgradeArgs& a) {
  const std::string& dir = g.config.data_dir;
  auto stored = index::StoredSchemaVersion(dir);
  if (a.check) {
    if (!stored.ok()) return ReportError(stored.status().WithContext("data directory " + dir));
    const bool current = *stored == index::SchemaVersion();
    if (g.json) {
      std::cout << nlohmann::json{{"data_dir", dir},
                                  {"schema_version", *stored},
                                  {"build_schema_version", index::SchemaVersion()},
                                  {"upgrade_needed", *stored < index::SchemaVersion()}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << dir << ": schema version " << *stored << ", this build uses "
                << index::SchemaVersion()
                << (current ? " (current)" : *stored < index::SchemaVersion()
                                                 ? " (run `archivist upgrade`)"
                                                 : " (newer than this build)")
                << "\n";
    }
    // Scripts (a package's postinst, a health check) branch on the exit code.
    return current ? kExitOk : kExitInput;
  }
  if (!a.rollback.empty()) {
    log::Notice("rolling back", {{"data_dir", dir}, {"backup", a.rollback}});
    std::string kept;
    if (Status s = index::RollbackArchive(dir, a.rollback, &kept); !s.ok()) {
      log::Error("rollback failed", log::StatusFields(s));
      return ReportError(s);
    }
    auto now = index::StoredSchemaVersion(dir);
    log::Notice("rolled back", {{"data_dir", dir},
                                {"schema_version", now.ok() ? std::to_string(*now) : "?"},
                                {"upgraded_copy_kept_in", kept}});
    std::cout << "restored " << a.rollback << " into " << dir;
    if (now.ok()) std::cout << " (schema version " << *now << ")";
    std::cout << "\n";
    if (!kept.empty()) std::cout << "the replaced data directory was kept in " << kept << "\n";
    return kExitOk;
  }
  if (!stored.ok()) return ReportError(stored.status().WithContext("data directory " + dir));
  index::UpgradeOptions o;
  o.backup_dir = a.backup.empty() ? DefaultBackupDir(dir, *stored) : a.backup;
  o.on_point = [](std::string_view point) { log::Info("upgrade", {{"point", std::string(point)}}); };
  log::Notice("upgrading", {{"data_dir", dir},
                            {"from", std::to_string(*stored)},
                            {"to", std::to_string(index::SchemaVersion())}});
  auto report = index::UpgradeArchive(dir, o);
  if (!report.ok()) {
    log::Error("upgrade failed", log::StatusFields(report.status()));
    return ReportError(report.status());
  }
  for (const auto& step : report->steps) log::Notice("upgrade step done", {{"step", step}});
  if (g.json) {
    std::cout << nlohmann::json{{"data_dir", dir},
                                {"from", report->from_version},
                                {"to", report->to_version},
                                {"steps", report->steps},
                                {"backup", report->backup_dir}}
                     .dump(2)
              << "\n";
  } else if (report->steps.empty()) {
    std::cout << dir << " is already at schema version " << report->to_version
              << "; nothing to do\n";
  } else {
    std::cout << "upgraded " << dir << " from schema version " << report->from_version << " to "
              << report->to_version << "\n";
    for (const auto& step : report->steps) std::cout << "  " << step << "\n";
    std::cout << "backup of the old version: " << report->backup_dir << "\n"
              << "to undo: archivist upgrade --rollback " << report->backup_dir << "\n";
  }
  return kExitOk;
}

}  // namespace archivist::cli
