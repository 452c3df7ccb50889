#pragma once
// The local data directory opened for a command (cmd_archive.cc defines it).

#include <memory>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "config.h"

namespace archivist::cli {

struct OpenArchive {
  std::unique_ptr<index::Embedder> embedder;
  std::unique_ptr<index::Archive> archive;
};

// Read commands (create = false) open read-only: no lock, so they work beside a running server.
Result<OpenArchive> Open(const AppConfig& c, bool create);

}  // namespace archivist::cli
