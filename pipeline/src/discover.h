#pragma once

#include <string>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::pipeline {

struct DiscoveredPath {
  std::string path;
  Status error;  // set when the path could not be listed (missing, unreadable)
};

// Expands files and directories (recursively) into a stable, sorted list of regular files. Hidden
// entries (".name") inside directories are skipped, and so are files matching an `exclude` glob
// (against the path relative to its root, or the file name); paths named explicitly are kept.
std::vector<DiscoveredPath> DiscoverFiles(const std::vector<std::string>& roots,
                                          const std::vector<std::string>& exclude = {});

}  // namespace archivist::pipeline
