// Micro-benchmarks of the engine's dot-product kernels per tensor type and instruction set:
// one 4096-wide weight row against 1 (decode) or 16 (prompt) activation rows (in cache), and
// decoding one token through a 1024-wide matrix of ~96 MB, streamed from memory like an MoE
// model's experts.
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

void BM_DecodeMatrix(benchmark::State& state, TensorType type, kernels::Isa isa) {
  if (!kernels::IsaAvailable(isa)) {
    state.SkipWithError("instruction set not available");
    return;
  }
  // 8192 quantized rows, repeated to about 96 MB so the weights stream from memory (not L3).
  constexpr int64_t kIn = 1024, kBaseRows = 8192;
  const auto& table = kernels::ForIsa(isa);
  const auto& k = table.types[static_cast<int>(type)];
  // F16 weights use the F32-activation kernels, as ops::MatMulMany does.
  const bool f16 = type == TensorType::kF16 && table.dot_f16_f32 != nullptr;
  const kernels::VecDotFn dot = f16 ? table.dot_f16_f32 : k.vec_dot;
  std::mt19937 rng(2);
  std::normal_distribution<float> dist;
  std::vector<float> wf(kIn * kBaseRows), xf(kIn);
  for (auto& v : wf) v = dist(rng);
  for (auto& v : xf) v = dist(rng);
  const std::string base = *archivist::engine::QuantizeRows(type, wf, kIn);
  const uint64_t w_row = base.size() / kBaseRows;
  std::string w;
  while (w.size() < (uint64_t{96} << 20)) w += base;
  const int64_t kRows = static_cast<int64_t>(w.size() / w_row);
  std::string x;
  if (f16 || k.vec_dot_type == TensorType::kF32) {
    x.assign(reinterpret_cast<const char*>(xf.data()), kIn * sizeof(float));
  } else {
    x.resize(*archivist::engine::TensorRowBytes(k.vec_dot_type, kIn));
    table.types[static_cast<int>(k.vec_dot_type)].from_float(xf.data(), x.data(), kIn);
  }
  std::vector<float> out(kRows);
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; ++r) out[r] = dot(kIn, w.data() + r * w_row, x.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kIn * kRows);
  state.SetBytesProcessed(state.iterations() * w.size());
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
  for (const auto& [type, tname] : types) {
    for (const auto& [isa, iname] : isas) {
      if (isa == kernels::Isa::kScalar) continue;
      benchmark::RegisterBenchmark((std::string("DecodeMatrix/") + tname + "/" + iname).c_str(),
                                   [type = type, isa = isa](benchmark::State& s) {
                                     BM_DecodeMatrix(s, type, isa);
                                   });
    }
  }
}

const int kRegistered = (Register(), 0);

}  // namespace

BENCHMARK_MAIN();
