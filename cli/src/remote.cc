#include "remote.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace archivist::cli {
namespace {

namespace fs = std::filesystem;

Result<std::pair<std::string, int>> SplitRemote(const std::string& remote) {
  const size_t colon = remote.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--remote must be HOST:PORT, got '" + remote + "'");
  }
  const std::string port_text = remote.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 1 || port > 65535) {
    return Status::InvalidArgument("--remote has an invalid port: '" + remote + "'");
  }
  return std::make_pair(remote.substr(0, colon), static_cast<int>(port));
}

Result<std::vector<fs::path>> ExpandFiles(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file(ec)) found.push_back(it->path());
      }
      if (ec) return Status::InvalidArgument("cannot walk " + p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      return Status::NotFound(p + " is not a file or directory");
    }
  }
  return files;
}

}  // namespace

Result<std::unique_ptr<service::Client>> ConnectRemote(const GlobalArgs& g) {
  ARCHIVIST_ASSIGN_OR_RETURN(auto host_port, SplitRemote(g.remote));
  service::ClientOptions options;
  options.host = host_port.first;
  options.port = host_port.second;
  options.auth_token = g.token;
  if (options.auth_token.empty()) {
    // From the environment, so the secret stays out of `ps` and shell history.
    if (const char* env = std::getenv("ARCHIVIST_TOKEN")) options.auth_token = env;
  }
  options.tls_ca_file = g.tls_ca;
  return service::Client::Connect(options);
}

int RunRemoteIngest(GlobalArgs& g, const std::vector<std::string>& paths) {
  auto files = ExpandFiles(paths);
  if (!files.ok()) return ReportError(files.status());
  auto client = ConnectRemote(g);
  if (!client.ok()) return ReportError(client.status());
  int ingested = 0, duplicates = 0, failed = 0;
  nlohmann::json results = nlohmann::json::array();
  for (const fs::path& file : *files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<service::IngestResult> r =
        in.bad() ? Result<service::IngestResult>(Status::Unavailable("cannot read " + file.string()))
                 : (*client)->Ingest(file.filename().string(), bytes, g.config.ingest.collection,
                                     g.config.ingest.tags);
    if (!r.ok()) {
      ++failed;
      // Credentials and connection failures fail every file alike: stop at the first.
      const StatusCode code = r.status().code();
      if (g.json) {
        results.push_back({{"path", file.string()}, {"outcome", "failed"},
                           {"error", r.status().ToString()}});
      } else {
        std::cout << "FAILED    " << file.string() << "  (" << r.status().ToString() << ")\n";
      }
      if (code == StatusCode::kUnauthenticated || code == StatusCode::kPermissionDenied ||
          code == StatusCode::kUnavailable) {
        break;
      }
      continue;
    }
    const bool duplicate = r->outcome == pipeline::Outcome::kDuplicate;
    (duplicate ? duplicates : ingested)++;
    if (g.json) {
      results.push_back({{"path", file.string()},
                         {"outcome", duplicate ? "duplicate" : "ingested"},
                         {"doc_id", r->doc_id},
                         {"media_type", r->media_type},
                         {"pages", r->pages},
                         {"chunks", r->chunks}});
    } else {
      std::cout << (duplicate ? "duplicate " : "ingested  ") << r->doc_id.substr(0, 12) << "  "
                << file.string() << "  (" << r->media_type << ", " << r->pages << " pages, "
                << r->chunks << " chunks)\n";
    }
  }
  if (g.json) {
    std::cout << nlohmann::json{{"files", results},
                                {"ingested", ingested},
                                {"duplicates", duplicates},
                                {"failed", failed}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << ingested << " ingested, " << duplicates << " duplicates, " << failed
              << " failed (server " << g.remote << ")\n";
  }
  return failed > 0 ? kExitInput : kExitOk;
}

}  // namespace archivist::cli
