#pragma once
// Each subcommand as a function returning the process exit code. Errors are printed by the caller.

#include <memory>
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
  std::string token;   // API token for --remote (else ARCHIVIST_TOKEN)
  std::string tls_ca;  // PEM CA file: talk TLS to --remote
};

// With a non-empty `watch_dir`, ingests it and then every file arriving in it until Ctrl-C.
int RunIngest(GlobalArgs& g, const std::vector<std::string>& paths, const std::string& watch_dir);
int RunSearch(GlobalArgs& g, const std::string& query);
int RunAsk(GlobalArgs& g, const std::string& question);
int RunSummarize(GlobalArgs& g, const std::string& doc_id, const std::string& query,
                 const std::string& tag);
int RunInspect(GlobalArgs& g, const std::string& doc_id, bool show_text);
int RunList(GlobalArgs& g);
int RunFailures(GlobalArgs& g);
// The paths on the failure list, for `ingest --retry-failed`.
Result<std::vector<std::string>> FailedPaths(GlobalArgs& g);
int RunStats(GlobalArgs& g);
int RunServe(GlobalArgs& g);
int RunExtract(GlobalArgs& g, const std::string& path, bool in_process = false);
int RunInspectModel(GlobalArgs& g, const std::string& path);

struct GenerateArgs {
  std::string model;
  std::string prompt;
  std::string prompt_tokens;  // "1,2,3": used instead of the prompt text
  bool chat = false;          // wrap the prompt in the model's chat template
  std::string system;         // system message when chat is on
  int max_tokens = 128;
  int ctx = 0;                // context size; 0 = prompt + max_tokens
  float temperature = 0.0f;
  int top_k = 0;
  float top_p = 1.0f;
  float min_p = 0.0f;
  float repetition_penalty = 1.0f;
  uint64_t seed = 0;
  std::vector<std::string> stop;
  bool ignore_eos = false;
  std::string logits_out;     // .npy of the last prompt position's logits
  std::string draft;          // draft model for speculative decoding
  int n_draft = 4;
  int threads = 0;
  std::string kv_type = "f16";  // KV cache: f16 | f32 | q8_0
};
int RunGenerate(GlobalArgs& g, const GenerateArgs& args);

struct EvalArgs {
  std::string docs, queries, qrels;  // docs.jsonl, queries.jsonl, qrels.tsv
  std::string mode = "bm25";         // bm25 | dense | hybrid | all
  std::string embedder = "hash";     // hash (built-in) | lsa (fitted on the collection)
};
int RunEval(GlobalArgs& g, const EvalArgs& args);
// archivist reindex [--embedder lsa|hash] [--dimension N]: re-embed every chunk with a model
// fitted on the archive (or the hashing embedder) and rebuild the vector index.
int RunReindex(GlobalArgs& g, const std::string& embedder, int dimension);
// Long-running commands (serve, ingest --watch) keep one of these alive: the /metrics and /healthz
// endpoint ([metrics] in the config) and the store's gauges. A bind failure is an error when
// `required`, else a logged warning.
class Operations {
 public:
  virtual ~Operations() = default;
};
Result<std::unique_ptr<Operations>> StartOperations(const GlobalArgs& g, index::Archive& archive,
                                                    bool required);
struct UpgradeArgs {
  std::string backup;    // where the pre-upgrade backup goes (default: beside the data dir)
  std::string rollback;  // a backup to put back instead of upgrading
  bool check = false;    // only report the stored and the build's schema versions
};
int RunUpgrade(GlobalArgs& g, const UpgradeArgs& args);
int RunBackup(GlobalArgs& g, const std::string& target);
int RunRestore(GlobalArgs& g, const std::string& source);
int RunTokenize(GlobalArgs& g, const std::string& model, const std::string& text, bool no_special);
int RunEmbed(GlobalArgs& g, const std::string& model, const std::string& text,
             const std::string& npy, bool normalize);
int RunBenchEngine(GlobalArgs& g, const std::string& model, int prompt_tokens, int gen_tokens,
                   const std::vector<int>& threads, const std::string& kv_type);

}  // namespace archivist::cli
