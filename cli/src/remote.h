#pragma once
// --remote HOST:PORT: the commands that talk to a running `archivist serve` instead of opening a
// data directory. Credentials come from --token or ARCHIVIST_TOKEN; --tls-ca turns TLS on.

#include <memory>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/thrift/server.h"
#include "commands.h"

namespace archivist::cli {

Result<std::unique_ptr<service::Client>> ConnectRemote(const GlobalArgs& g);

// Uploads each file (directories are walked, in sorted order) with the ingest call.
int RunRemoteIngest(GlobalArgs& g, const std::vector<std::string>& paths);

}  // namespace archivist::cli
