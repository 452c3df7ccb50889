#pragma once
// The CLI's configuration: built-in defaults, then the TOML file, then command-line flags.

#include <string>

#include "archivist/base/log.h"
#include "archivist/base/metrics_http.h"
#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/thrift/server.h"

namespace archivist::cli {

struct AppConfig {
  std::string data_dir = "./archivist-data";  // Default: ./archivist-data
  index::ArchiveOptions archive;
  pipeline::IngestOptions ingest;
  index::SearchOptions search;
  pipeline::AskOptions ask;
  service::ServerOptions server;
  metrics::HttpOptions metrics;  // the /metrics endpoint of serve and ingest --watch
  log::Options log;
};

// Reads a TOML file over the defaults; unknown keys are errors so typos do not pass silently.
Result<AppConfig> LoadConfig(const std::string& path);

}  // namespace archivist::cli
