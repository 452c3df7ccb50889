#pragma once
// Engine throughput measurement (`archivist bench-engine`, bench/engine_bench): prompt processing
// and generation tokens/s at given thread counts, weight bytes read per generated token, measured
// memory bandwidth and the resulting fraction of the bandwidth limit, peak RSS.

#include <cstdint>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/engine/model.h"

namespace archivist::engine {

struct EngineBenchOptions {
  int prompt_tokens = 512;           // Default: 512
  int gen_tokens = 128;              // Default: 128
  std::vector<int> threads = {1, 2}; // Default: {1, 2}
  int repetitions = 1;               // best of N per measurement. Default: 1
  bool measure_bandwidth = true;     // Default: true
  uint64_t seed = 1;                 // prompt token ids are random. Default: 1
  // Also measure tg: gen_tokens generated from an empty context (the llama-bench `tg128`
  // convention), besides generation after the prompt. Default: true
  bool empty_context_generation = true;
  KvCacheType kv_type = KvCacheType::kF16;  // Default: kF16 (the engine's default)

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
  // Generation from an empty context (tg): tokens/s, and its fraction of the bandwidth limit with
  // the weights and the mean K/V bytes over its positions counted.
  double tg_tokens_per_s = 0;
  double tg_tokens_per_cpu_s = 0;
  double tg_fraction_of_bandwidth_limit = 0;
  // Streaming-read bandwidth with this many threads (median of several passes over a buffer much
  // larger than the caches, every thread verified to run at once), measured right after this run
  // (the load on a shared machine changes), and its spread over the passes.
  double bandwidth_bytes_per_s = 0;
  double bandwidth_min_bytes_per_s = 0;
  double bandwidth_max_bytes_per_s = 0;
  bool bandwidth_concurrent = true;
  // Generation after the prompt as a share of the limit: (tokens/s * bytes/token) / bandwidth,
  // counting weight bytes only (kept for comparison with earlier runs) and weights plus the K/V
  // bytes attention reads per token (mean over the generated positions).
  double gen_fraction_of_bandwidth_limit = 0;
  double gen_fraction_with_kv = 0;
};

struct EngineBenchResult {
  std::string model_path;
  std::string architecture;
  uint64_t n_params = 0;
  uint64_t file_bytes = 0;
  // Weight bytes one generated token reads: all non-expert matrices, the chosen share of the
  // expert stacks (n_expert_used / n_expert), one embedding row.
  uint64_t weight_bytes_per_token = 0;
  // K/V cache bytes one token's attention reads, mean over the generated positions: after the
  // prompt, and from an empty context (each position's K and V rows of every layer, once).
  std::string kv_type;               // "f16", "f32", "q8_0"
  uint64_t gen_kv_bytes_per_token = 0;
  uint64_t tg_kv_bytes_per_token = 0;
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

struct BandwidthReading {
  double median = 0, min = 0, max = 0;  // bytes/s over the passes
  bool concurrent = true;  // every thread ran at the same time in every pass
};

// Streaming-read bandwidth (bytes/s) over a `bytes` buffer with `threads` threads: `passes`
// timed passes after one untimed one. Each thread reads its own slice, and the clock starts only
// once all of them are running (a worker that wakes late would otherwise leave its slice to
// another thread and the reading would be that of fewer threads).
BandwidthReading MeasureReadBandwidth(uint64_t bytes, int threads, int passes = 7);

// "f32", "f16", "q8_0"; kInvalidArgument for anything else.
Result<KvCacheType> ParseKvCacheType(const std::string& name);
std::string KvCacheTypeName(KvCacheType type);

}  // namespace archivist::engine
