#pragma once
// Engine throughput measurement (`archivist bench-engine`, bench/engine_bench): prompt processing
// and generation tokens/s at given thread counts, weight bytes read per generated token, measured
// memory bandwidth and the resulting fraction of the bandwidth limit, peak RSS.

#include <cstdint>
#include <string>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::engine {

struct EngineBenchOptions {
  int prompt_tokens = 512;           // Default: 512
  int gen_tokens = 128;              // Default: 128
  std::vector<int> threads = {1, 2}; // Default: {1, 2}
  int repetitions = 1;               // best of N per measurement. Default: 1
  bool measure_bandwidth = true;     // Default: true
  uint64_t seed = 1;                 // prompt token ids are random. Default: 1

  Status Validate() const;
};

struct EngineBenchRun {
  int threads = 0;
  double prompt_tokens_per_s = 0;
  double gen_tokens_per_s = 0;
  // Tokens per second of process CPU time: on a shared machine this approximates the rate on
  // idle cores for 1 thread (with more threads, waiting workers also burn CPU).
  double prompt_tokens_per_cpu_s = 0;
  double gen_tokens_per_cpu_s = 0;
  // Streaming-read bandwidth with this many threads, measured right after this run (the load on a
  // shared machine changes), and generation's share of it: (tokens/s * bytes/token) / bandwidth.
  double bandwidth_bytes_per_s = 0;
  double gen_fraction_of_bandwidth_limit = 0;
};

struct EngineBenchResult {
  std::string model_path;
  std::string architecture;
  uint64_t n_params = 0;
  uint64_t file_bytes = 0;
  // Weight bytes one generated token reads: all non-expert matrices, the chosen share of the
  // expert stacks (n_expert_used / n_expert), one embedding row.
  uint64_t weight_bytes_per_token = 0;
  double bandwidth_bytes_per_s = 0;  // that of the run with the most threads (0 if not measured)
  int bandwidth_threads = 0;
  uint64_t peak_rss_bytes = 0;
  // 1-minute load average when the run ended: other processes sharing the cores slow every
  // number above, so it is reported with them.
  double load_average = 0;
  std::string isa;                   // kernel set in use: "avx512", "avx2", "scalar"
  int prompt_tokens = 0;
  int gen_tokens = 0;
  std::vector<EngineBenchRun> runs;

  std::string ToJson(int indent = 2) const;
};

Result<EngineBenchResult> RunEngineBench(const std::string& model_path,
                                         const EngineBenchOptions& options = {});

// Streaming-read bandwidth (bytes/s) over a `bytes` buffer with `threads` threads.
double MeasureReadBandwidth(uint64_t bytes, int threads);

}  // namespace archivist::engine
