// archivist_engine_bench: builds random-weight benchmark models and measures the engine on them.
//
//   archivist_engine_bench make-model OUT.gguf [--recipe f16|q8_0|q4_k_m|f32] [--preset qwen3moe-2.6b|tiny]
//   archivist_engine_bench run MODEL.gguf [--prompt N] [--gen N] [--threads 1,2] [--reps N]
//                                         [--kv-type f16|f32|q8_0] [--no-tg] [--no-bandwidth]
//   archivist_engine_bench bandwidth [--threads 1,2]   (the read bandwidth `run` divides by)
//
// `run` measures prompt processing (N prompt tokens), generation of --gen tokens after the prompt,
// and (unless --no-tg) generation of --gen tokens from an empty context (llama-bench's tg128).
// Prints JSON. The default preset is shaped like Qwen3-30B-A3B scaled down: qwen3moe, 24 layers,
// hidden 1024, 16/4 heads of 128, 64 experts (8 active) of width 512, a 50k vocabulary.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "archivist/engine/bench.h"
#include "archivist/engine/model_builder.h"

namespace {

using archivist::engine::RandomModelSpec;
using archivist::engine::WeightRecipe;

int Usage() {
  std::fprintf(stderr,
               "usage: archivist_engine_bench make-model OUT.gguf [--recipe f16|q8_0|q4_k_m|f32] "
               "[--preset qwen3moe-2.6b|tiny]\n"
               "       archivist_engine_bench run MODEL.gguf [--prompt N] [--gen N] "
               "[--threads 1,2] [--reps N] [--kv-type f16|f32|q8_0] [--no-tg] [--no-bandwidth]\n");
  return 2;
}

std::vector<int> ParseList(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atoi(p));
    const char* c = std::strchr(p, ',');
    if (c == nullptr) break;
    p = c + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "bandwidth") {
    std::vector<int> threads = {1, 2};
    if (argc == 4 && std::string(argv[2]) == "--threads") threads = ParseList(argv[3]);
    std::printf("[");
    for (size_t i = 0; i < threads.size(); ++i) {
      const auto bw = archivist::engine::MeasureReadBandwidth(uint64_t{1} << 30, threads[i]);
      std::printf("%s{\"threads\": %d, \"median_gb_per_s\": %.2f, \"min_gb_per_s\": %.2f, "
                  "\"max_gb_per_s\": %.2f, \"concurrent\": %s}",
                  i ? ", " : "", threads[i], bw.median / 1e9, bw.min / 1e9, bw.max / 1e9,
                  bw.concurrent ? "true" : "false");
    }
    std::printf("]\n");
    return 0;
  }
  if (argc < 3) return Usage();
  const std::string cmd = argv[1], path = argv[2];
  if (cmd == "make-model") {
    RandomModelSpec spec;
    spec.name = "qwen3moe-bench-2.6b";
    spec.n_vocab = 50000;
    spec.n_embd = 1024;
    spec.n_layer = 24;
    spec.n_head = 16;
    spec.n_head_kv = 4;
    spec.head_dim = 128;
    spec.n_ff = 512;
    spec.n_expert = 64;
    spec.n_expert_used = 8;
    spec.n_ctx = 32768;
    spec.recipe = WeightRecipe::kF16;
    for (int i = 3; i < argc; ++i) {
      const std::string a = argv[i];
      const char* v = i + 1 < argc ? argv[i + 1] : "";
      if (a == "--recipe") {
        const std::string r = v;
        spec.recipe = r == "f32" ? WeightRecipe::kF32
                      : r == "q8_0" ? WeightRecipe::kQ8_0
                      : r == "q4_k_m" ? WeightRecipe::kQ4_K_M
                                      : WeightRecipe::kF16;
        ++i;
      } else if (a == "--preset" && std::string(v) == "tiny") {
        spec.name = "qwen3moe-bench-tiny";
        spec.n_vocab = 4096;
        spec.n_embd = 256;
        spec.n_layer = 2;
        spec.n_head = 4;
        spec.n_head_kv = 2;
        spec.head_dim = 64;
        spec.n_ff = 256;
        spec.n_expert = 8;
        spec.n_expert_used = 2;
        ++i;
      } else if (a == "--preset") {
        ++i;
      } else {
        return Usage();
      }
    }
    auto s = archivist::engine::WriteRandomModel(spec, path);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("{\"written\": \"%s\"}\n", path.c_str());
    return 0;
  }
  if (cmd == "run") {
    archivist::engine::EngineBenchOptions o;
    for (int i = 3; i < argc; ++i) {
      const std::string a = argv[i];
      const char* v = i + 1 < argc ? argv[i + 1] : "0";
      if (a == "--prompt") {
        o.prompt_tokens = std::atoi(v);
        ++i;
      } else if (a == "--gen") {
        o.gen_tokens = std::atoi(v);
        ++i;
      } else if (a == "--threads") {
        o.threads = ParseList(v);
        ++i;
      } else if (a == "--reps") {
        o.repetitions = std::atoi(v);
        ++i;
      } else if (a == "--no-bandwidth") {
        o.measure_bandwidth = false;
      } else if (a == "--no-tg") {
        o.empty_context_generation = false;
      } else if (a == "--kv-type") {
        auto kv = archivist::engine::ParseKvCacheType(v);
        if (!kv.ok()) {
          std::fprintf(stderr, "%s\n", kv.status().ToString().c_str());
          return 2;
        }
        o.kv_type = *kv;
        ++i;
      } else {
        return Usage();
      }
    }
    auto r = archivist::engine::RunEngineBench(path, o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", r->ToJson().c_str());
    return 0;
  }
  return Usage();
}
