#include "archivist/engine/bench.h"

#include <sys/resource.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <ctime>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "archivist/engine/generate.h"
#include "archivist/engine/gguf.h"
#include "archivist/engine/model.h"
#include "kernels/kernels.h"

namespace archivist::engine {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double CpuNow() {
  struct timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

uint64_t WeightBytesPerToken(const GgufFile& f, const ModelInfo& info) {
  uint64_t bytes = 0;
  const bool tied = f.FindTensor("output.weight") == nullptr;
  for (const auto& t : f.tensors()) {
    if (t.name == "token_embd.weight") {
      bytes += tied ? t.n_bytes : t.n_bytes / std::max<int64_t>(1, t.dim(1));
    } else if (t.name.find("_exps.") != std::string::npos && info.n_expert > 0) {
      bytes += t.n_bytes / info.n_expert * info.n_expert_used;
    } else {
      bytes += t.n_bytes;
    }
  }
  return bytes;
}

TokenId Argmax(const std::vector<float>& logits) {
  return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

}  // namespace

Status EngineBenchOptions::Validate() const {
  if (prompt_tokens <= 0 || gen_tokens <= 0 || repetitions <= 0 || threads.empty()) {
    return Status::InvalidArgument("bench sizes, repetitions and thread list must be positive");
  }
  for (int t : threads) {
    if (t <= 0) return Status::InvalidArgument("thread counts must be positive");
  }
  return Status::Ok();
}

Result<KvCacheType> ParseKvCacheType(const std::string& name) {
  if (name == "f16") return KvCacheType::kF16;
  if (name == "f32") return KvCacheType::kF32;
  if (name == "q8_0") return KvCacheType::kQ8_0;
  return Status::InvalidArgument("KV cache type must be f16, f32 or q8_0, got '" + name + "'");
}

std::string KvCacheTypeName(KvCacheType type) {
  switch (type) {
    case KvCacheType::kF16: return "f16";
    case KvCacheType::kF32: return "f32";
    case KvCacheType::kQ8_0: return "q8_0";
  }
  return "?";
}

BandwidthReading MeasureReadBandwidth(uint64_t bytes, int threads, int passes) {
  const uint64_t n = bytes / sizeof(uint64_t);
  std::vector<uint64_t> buf(n);
  for (uint64_t i = 0; i < n; ++i) buf[i] = i;  // touch every page before timing
  tbb::task_arena arena(threads);
  BandwidthReading out;
  std::vector<double> rates;
  for (int pass = 0; pass <= passes; ++pass) {  // pass 0 is a warm-up
    std::vector<uint64_t> sums(threads, 0);
    std::vector<double> ends(threads, 0);
    std::atomic<int> arrived{0};
    std::atomic<double> start{0};
    std::atomic<bool> concurrent{true};
    arena.execute([&] {
      tbb::parallel_for(0, threads, 1, [&](int k) {
        // Start together: a thread waits (at most 1 s) for the others, so one thread never reads
        // two slices while a worker is still waking up.
        if (arrived.fetch_add(1) + 1 == threads) start.store(Now());
        const double give_up = Now() + 1.0;
        while (arrived.load() < threads) {
          if (Now() > give_up) {
            concurrent.store(false);
            break;
          }
        }
        const uint64_t begin = n / threads * k, end = k + 1 == threads ? n : n / threads * (k + 1);
        uint64_t a = 0, b = 0, c = 0, d = 0;
        for (uint64_t i = begin; i + 4 <= end; i += 4) {
          a += buf[i];
          b ^= buf[i + 1];
          c += buf[i + 2];
          d ^= buf[i + 3];
        }
        sums[k] = a + b + c + d;
        ends[k] = Now();
      });
    });
    volatile uint64_t sink = 0;
    for (uint64_t s : sums) sink = sink + s;
    if (!concurrent.load() || start.load() == 0) {
      out.concurrent = false;
      continue;
    }
    if (pass == 0) continue;
    const double dt = *std::max_element(ends.begin(), ends.end()) - start.load();
    rates.push_back(static_cast<double>(n * sizeof(uint64_t)) / dt);
  }
  if (rates.empty()) return out;
  std::sort(rates.begin(), rates.end());
  out.median = rates[rates.size() / 2];
  out.min = rates.front();
  out.max = rates.back();
  return out;
}

Result<EngineBenchResult> RunEngineBench(const std::string& path, const EngineBenchOptions& o) {
  ARCHIVIST_RETURN_IF_ERROR(o.Validate());
  EngineBenchResult r;
  r.model_path = path;
  r.prompt_tokens = o.prompt_tokens;
  r.gen_tokens = o.gen_tokens;
  r.kv_type = KvCacheTypeName(o.kv_type);
  r.isa = std::string(kernels::IsaName(kernels::ActiveIsa()));
  for (int threads : o.threads) {
    ModelOptions mo;
    mo.n_threads = threads;
    mo.prefetch = true;  // measure steady state, not first-touch page faults
    ARCHIVIST_ASSIGN_OR_RETURN(auto model, Model::Load(path, mo));
    const ModelInfo& info = model->info();
    if (info.is_encoder) return Status::InvalidArgument("bench-engine needs a generative model");
    r.architecture = info.architecture;
    r.n_params = info.n_params;
    r.file_bytes = model->gguf().file_size();
    r.weight_bytes_per_token = WeightBytesPerToken(model->gguf(), info);
    std::mt19937_64 rng(o.seed);
    std::vector<TokenId> prompt(o.prompt_tokens);
    for (auto& t : prompt) t = static_cast<TokenId>(rng() % (info.n_vocab - 1));
    SessionOptions so;
    so.n_ctx = o.prompt_tokens + o.gen_tokens + 1;
    so.kv_type = o.kv_type;
    EngineBenchRun run;
    run.threads = threads;
    {  // warm-up: thread pool, scratch buffers, caches
      ARCHIVIST_ASSIGN_OR_RETURN(auto warm, Session::Create(*model, so));
      GenerateOptions go;
      go.max_tokens = 4;
      go.stop_at_end_of_generation = false;
      ARCHIVIST_RETURN_IF_ERROR(
          Generate(*warm, std::span<const TokenId>(prompt.data(), std::min<size_t>(8, prompt.size())), go)
              .status());
      // Bytes of one position's K and V rows over all layers (full-attention layers; a local
      // layer's ring is at least as long as this short context).
      const double per_position = static_cast<double>(warm->kv_bytes()) / warm->n_ctx();
      r.gen_kv_bytes_per_token =
          static_cast<uint64_t>(per_position * (o.prompt_tokens + (o.gen_tokens + 1) / 2.0));
      r.tg_kv_bytes_per_token = static_cast<uint64_t>(per_position * (o.gen_tokens + 1) / 2.0);
    }
    for (int rep = 0; rep < o.repetitions; ++rep) {
      ARCHIVIST_ASSIGN_OR_RETURN(auto session, Session::Create(*model, so));
      double w0 = Now(), c0 = CpuNow();
      ARCHIVIST_ASSIGN_OR_RETURN(auto logits, session->Decode(prompt));
      double w1 = Now(), c1 = CpuNow();
      run.prompt_tokens_per_s = std::max(run.prompt_tokens_per_s, o.prompt_tokens / (w1 - w0));
      run.prompt_tokens_per_cpu_s =
          std::max(run.prompt_tokens_per_cpu_s, o.prompt_tokens / (c1 - c0));
      for (int i = 0; i < o.gen_tokens; ++i) {
        const TokenId next = Argmax(logits);
        ARCHIVIST_ASSIGN_OR_RETURN(logits, session->Decode(std::span<const TokenId>(&next, 1)));
      }
      const double w2 = Now(), c2 = CpuNow();
      run.gen_tokens_per_s = std::max(run.gen_tokens_per_s, o.gen_tokens / (w2 - w1));
      run.gen_tokens_per_cpu_s = std::max(run.gen_tokens_per_cpu_s, o.gen_tokens / (c2 - c1));
      if (!o.empty_context_generation) continue;
      session->Reset();
      TokenId next = prompt[0];
      const double w3 = Now(), c3 = CpuNow();
      for (int i = 0; i < o.gen_tokens; ++i) {
        ARCHIVIST_ASSIGN_OR_RETURN(logits, session->Decode(std::span<const TokenId>(&next, 1)));
        next = Argmax(logits);
      }
      const double w4 = Now(), c4 = CpuNow();
      run.tg_tokens_per_s = std::max(run.tg_tokens_per_s, o.gen_tokens / (w4 - w3));
      run.tg_tokens_per_cpu_s = std::max(run.tg_tokens_per_cpu_s, o.gen_tokens / (c4 - c3));
    }
    if (o.measure_bandwidth) {
      model.reset();  // its pages stay cached; the buffer below must not push them out first
      const BandwidthReading bw = MeasureReadBandwidth(uint64_t{1} << 30, threads);
      run.bandwidth_bytes_per_s = bw.median;
      run.bandwidth_min_bytes_per_s = bw.min;
      run.bandwidth_max_bytes_per_s = bw.max;
      run.bandwidth_concurrent = bw.concurrent;
      if (bw.median > 0) {
        const double weights = static_cast<double>(r.weight_bytes_per_token);
        run.gen_fraction_of_bandwidth_limit = run.gen_tokens_per_s * weights / bw.median;
        run.gen_fraction_with_kv =
            run.gen_tokens_per_s * (weights + r.gen_kv_bytes_per_token) / bw.median;
        run.tg_fraction_of_bandwidth_limit =
            run.tg_tokens_per_s * (weights + r.tg_kv_bytes_per_token) / bw.median;
      }
      if (threads >= r.bandwidth_threads) {
        r.bandwidth_threads = threads;
        r.bandwidth_bytes_per_s = run.bandwidth_bytes_per_s;
      }
    }
    r.runs.push_back(run);
  }
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) r.load_average = load[0];
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  r.peak_rss_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  return r;
}

std::string EngineBenchResult::ToJson(int indent) const {
  nlohmann::ordered_json j;
  j["model"] = model_path;
  j["architecture"] = architecture;
  j["n_params"] = n_params;
  j["file_bytes"] = file_bytes;
  j["isa"] = isa;
  j["prompt_tokens"] = prompt_tokens;
  j["gen_tokens"] = gen_tokens;
  j["weight_bytes_per_token"] = weight_bytes_per_token;
  j["kv_type"] = kv_type;
  j["gen_kv_bytes_per_token"] = gen_kv_bytes_per_token;
  j["tg_kv_bytes_per_token"] = tg_kv_bytes_per_token;
  j["bandwidth_gb_per_s"] = bandwidth_bytes_per_s / 1e9;
  j["bandwidth_threads"] = bandwidth_threads;
  j["peak_rss_bytes"] = peak_rss_bytes;
  j["load_average_1min"] = load_average;
  auto& runs_j = j["runs"] = nlohmann::ordered_json::array();
  for (const auto& run : runs) {
    runs_j.push_back({{"threads", run.threads},
                      {"prompt_tokens_per_s", run.prompt_tokens_per_s},
                      {"gen_tokens_per_s", run.gen_tokens_per_s},
                      {"tg_tokens_per_s", run.tg_tokens_per_s},
                      {"prompt_tokens_per_cpu_s", run.prompt_tokens_per_cpu_s},
                      {"gen_tokens_per_cpu_s", run.gen_tokens_per_cpu_s},
                      {"tg_tokens_per_cpu_s", run.tg_tokens_per_cpu_s},
                      {"bandwidth_gb_per_s", run.bandwidth_bytes_per_s / 1e9},
                      {"bandwidth_min_gb_per_s", run.bandwidth_min_bytes_per_s / 1e9},
                      {"bandwidth_max_gb_per_s", run.bandwidth_max_bytes_per_s / 1e9},
                      {"bandwidth_threads_concurrent", run.bandwidth_concurrent},
                      {"gen_fraction_of_bandwidth_limit", run.gen_fraction_of_bandwidth_limit},
                      {"gen_fraction_with_kv", run.gen_fraction_with_kv},
                      {"tg_fraction_of_bandwidth_limit", run.tg_fraction_of_bandwidth_limit}});
  }
  return j.dump(indent);
}

}  // namespace archivist::engine
