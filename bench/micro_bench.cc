// Micro-benchmarks of the pieces on the query path that Archivist owns (not its libraries').

#include <benchmark/benchmark.h>

#include <string>

#include "archivist/base/sha256.h"
#include "archivist/index/embedder.h"
#include "sentences.h"

namespace {

std::string SampleText(size_t bytes) {
  static const std::string kPara =
      "The patient was admitted with atrial fibrillation. Warfarin was stopped after a "
      "gastrointestinal bleed on 3 March. Apixaban 5 mg twice daily was started by Dr. Osei. "
      "INR on discharge was 1.1. Follow-up in the anticoagulation clinic in two weeks.\n";
  std::string s;
  while (s.size() < bytes) s += kPara;
  return s;
}

void BM_SplitSentences(benchmark::State& state) {
  std::string text = SampleText(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(archivist::pipeline::SplitSentences(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SplitSentences)->Arg(4 << 10)->Arg(64 << 10);

void BM_Sha256(benchmark::State& state) {
  std::string text = SampleText(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(archivist::Sha256Hex(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Sha256)->Arg(1 << 20);

void BM_BuiltinEmbedChunk(benchmark::State& state) {
  auto embedder = archivist::index::MakeBuiltinEmbedder();
  std::vector<std::string> texts(16, SampleText(2000));
  for (auto _ : state) {
    auto v = embedder->Embed(texts);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * texts.size()));
}
BENCHMARK(BM_BuiltinEmbedChunk);

}  // namespace
