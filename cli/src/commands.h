#pragma once
// Each subcommand as a function returning the process exit code. Errors are printed by the caller.

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "config.h"

namespace archivist::cli {

enum ExitCode { kExitOk = 0, kExitUsage = 1, kExitInput = 2, kExitInternal = 3 };

// Maps a failed Status to the documented exit code (input problems 2, our problems 3).
int ExitCodeFor(const Status& status);
// Prints "archivist: error: <message>" on one line to stderr and returns ExitCodeFor(status).
int ReportError(const Status& status);

struct GlobalArgs {
  AppConfig config;
  bool json = false;
  std::string remote;  // "host:port" to talk to a running server instead of a data directory
};

// With a non-empty `watch_dir`, ingests it and then every file arriving in it until Ctrl-C.
int RunIngest(GlobalArgs& g, const std::vector<std::string>& paths, const std::string& watch_dir);
int RunSearch(GlobalArgs& g, const std::string& query);
int RunAsk(GlobalArgs& g, const std::string& question);
int RunSummarize(GlobalArgs& g, const std::string& doc_id, const std::string& query,
                 const std::string& tag);
int RunInspect(GlobalArgs& g, const std::string& doc_id, bool show_text);
int RunList(GlobalArgs& g);
int RunStats(GlobalArgs& g);
int RunServe(GlobalArgs& g);
int RunExtract(GlobalArgs& g, const std::string& path);
int RunInspectModel(GlobalArgs& g, const std::string& path);

}  // namespace archivist::cli
