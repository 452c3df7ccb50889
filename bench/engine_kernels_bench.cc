// Micro-benchmarks of the engine's dot-product kernels per tensor type and instruction set:
// one 4096-wide weight row against 1 (decode) or 16 (prompt) activation rows.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "archivist/engine/quantize.h"
#include "kernels/kernels.h"

namespace {

using archivist::engine::TensorType;
namespace kernels = archivist::engine::kernels;

constexpr int64_t kN = 4096;

struct Data {
  std::string w, x;
  uint64_t x_row = 0;
};

Data Make(TensorType type, int rows) {
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  std::vector<float> wf(kN), xf(kN);
  for (auto& v : wf) v = dist(rng);
  Data d;
  d.w = *archivist::engine::QuantizeRows(type, wf, kN);
  const auto& k = kernels::ForIsa(kernels::Isa::kScalar).types[static_cast<int>(type)];
  const auto& a = kernels::ForIsa(kernels::Isa::kScalar).types[static_cast<int>(k.vec_dot_type)];
  d.x_row = *archivist::engine::TensorRowBytes(k.vec_dot_type, kN);
  d.x.resize(d.x_row * rows);
  for (int r = 0; r < rows; ++r) {
    for (auto& v : xf) v = dist(rng);
    a.from_float(xf.data(), d.x.data() + r * d.x_row, kN);
  }
  return d;
}

void BM_Dot(benchmark::State& state, TensorType type, kernels::Isa isa, int rows) {
  if (!kernels::IsaAvailable(isa)) {
    state.SkipWithError("instruction set not available");
    return;
  }
  const auto& k = kernels::ForIsa(isa).types[static_cast<int>(type)];
  Data d = Make(type, rows);
  std::vector<float> out(rows);
  for (auto _ : state) {
    if (rows > 1 && k.vec_dot_many != nullptr) {
      k.vec_dot_many(kN, d.w.data(), d.x.data(), d.x_row, rows, out.data());
    } else {
      for (int r = 0; r < rows; ++r) out[r] = k.vec_dot(kN, d.w.data(), d.x.data() + r * d.x_row);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kN * rows);  // multiply-adds
  state.SetBytesProcessed(state.iterations() * d.w.size());   // weight bytes
}

void Register() {
  const std::pair<TensorType, const char*> types[] = {
      {TensorType::kF32, "F32"},   {TensorType::kF16, "F16"},   {TensorType::kQ8_0, "Q8_0"},
      {TensorType::kQ4_0, "Q4_0"}, {TensorType::kQ4_K, "Q4_K"}, {TensorType::kQ5_K, "Q5_K"},
      {TensorType::kQ6_K, "Q6_K"}};
  const std::pair<kernels::Isa, const char*> isas[] = {
      {kernels::Isa::kScalar, "scalar"}, {kernels::Isa::kAvx2, "avx2"}, {kernels::Isa::kAvx512, "avx512"}};
  for (const auto& [type, tname] : types) {
    for (const auto& [isa, iname] : isas) {
      for (int rows : {1, 16}) {
        benchmark::RegisterBenchmark(
            (std::string("Dot/") + tname + "/" + iname + "/rows:" + std::to_string(rows)).c_str(),
            [type = type, isa = isa, rows](benchmark::State& s) { BM_Dot(s, type, isa, rows); });
      }
    }
  }
}

const int kRegistered = (Register(), 0);

}  // namespace

BENCHMARK_MAIN();
