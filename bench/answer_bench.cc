// Answer quality and latency figures (printed, never asserted).
//
//   archivist_answer_bench ir DIR [DIR...]
//     For each IR test collection (docs.jsonl, queries.jsonl, qrels.tsv): every judged query is
//     asked as a question in extractive mode; reports the rate at which the top answer sentence
//     comes from a relevant document, beside the rate at which BM25's top document is relevant.
//
//   archivist_answer_bench ask --model M.gguf [--samples DIR] [--max-tokens N] [--threads T]
//     Ingests the sample documents into a scratch archive, then asks the questions below with the
//     model (greedy) and prints, per question, retrieval / prompt / generation time and the time
//     to the first token; each question is asked twice, the second time reusing the prompt's
//     KV cache.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/eval.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"

namespace fs = std::filesystem;
using namespace archivist;

namespace {

std::string ScratchDir(const std::string& tag) {
  std::random_device rd;
  fs::path p = fs::temp_directory_path() / ("archivist-answer-bench-" + tag + "-" + std::to_string(rd()));
  fs::create_directories(p);
  return p.string();
}

int RunIr(const std::vector<std::string>& dirs) {
  std::printf("%-10s %7s %12s %14s %12s %14s\n", "collection", "queries", "bm25_top_rel",
              "answer_top_rel", "not_found", "answer_top_rel@0");
  for (const std::string& dir : dirs) {
    auto col = index::LoadIrCollection(dir + "/docs.jsonl", dir + "/queries.jsonl", dir + "/qrels.tsv");
    if (!col.ok()) {
      std::cerr << dir << ": " << col.status().ToString() << "\n";
      return 2;
    }
    const std::string scratch = ScratchDir(fs::path(dir).filename().string());
    auto embedder = index::MakeBuiltinEmbedder();
    auto archive = index::Archive::Open(scratch, embedder.get(), {});
    if (!archive.ok()) {
      std::cerr << archive.status().ToString() << "\n";
      return 3;
    }
    if (Status s = index::IngestIrCollection(**archive, *col); !s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 3;
    }
    int queries = 0, bm25_hits = 0, answer_hits = 0, not_found = 0, answer_hits_any = 0;
    for (const index::IrQuery& q : col->queries) {
      auto rel = col->qrels.find(q.id);
      if (rel == col->qrels.end()) continue;
      auto relevant = [&](const std::string& doc) {
        auto it = rel->second.find(doc);
        return it != rel->second.end() && it->second > 0;
      };
      bool any = false;
      for (const auto& [doc, grade] : rel->second) any = any || grade > 0;
      if (!any) continue;
      ++queries;
      index::SearchOptions so;
      so.k = 1;
      so.mode = index::SearchMode::kLexical;
      so.plain_text = true;
      auto hits = (*archive)->Search(q.text, so);
      if (hits.ok() && !hits->empty() && relevant((*hits)[0].doc_id)) ++bm25_hits;
      pipeline::AskOptions ao;
      ao.max_sentences = 1;
      auto answer = pipeline::Ask(**archive, q.text, ao);
      if (!answer.ok() || !answer->found) {
        ++not_found;
      } else if (relevant(answer->citations[0].doc_id)) {
        ++answer_hits;
      }
      // The same with no support threshold: the best sentence is always returned.
      ao.min_support = 0.0;
      auto forced = pipeline::Ask(**archive, q.text, ao);
      if (forced.ok() && forced->found && relevant(forced->citations[0].doc_id)) ++answer_hits_any;
    }
    auto rate = [&](int n) { return queries ? static_cast<double>(n) / queries : 0.0; };
    std::printf("%-10s %7d %12.3f %14.3f %12.3f %14.3f\n",
                fs::path(dir).filename().string().c_str(), queries, rate(bm25_hits),
                rate(answer_hits), rate(not_found), rate(answer_hits_any));
    std::fflush(stdout);
    archive->reset();
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return 0;
}

const std::vector<std::string> kQuestions = {
    "Which anticoagulants was the patient on, and why was warfarin stopped?",
    "Which contracts allow termination without notice?",
    "How long must records be retained?",
    "What did the lab report show?",
    "Who approved the wire transfer?",
};

int RunAsk(const std::string& model, const std::string& samples, int max_tokens, int threads) {
  const std::string scratch = ScratchDir("ask");
  auto embedder = index::MakeBuiltinEmbedder();
  auto archive = index::Archive::Open(scratch, embedder.get(), {});
  if (!archive.ok()) {
    std::cerr << archive.status().ToString() << "\n";
    return 3;
  }
  auto report = pipeline::IngestPaths(**archive, *embedder, {samples}, {});
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 3;
  }
  std::printf("ingested %d documents, %d chunks from %s\n", report->ingested, report->chunks,
              samples.c_str());
  pipeline::AskOptions ao;
  ao.generation.model_path = model;
  ao.generation.max_answer_tokens = max_tokens;
  ao.generation.threads = threads;
  auto t0 = std::chrono::steady_clock::now();
  auto models = pipeline::LanguageModels::Load(ao.generation);
  if (!models.ok()) {
    std::cerr << models.status().ToString() << "\n";
    return 2;
  }
  std::printf("model %s loaded in %.3f s; context %lld tokens, answer <= %d tokens, %d thread(s)\n",
              model.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              static_cast<long long>((*models)->context_tokens()), max_tokens, threads);
  ao.generation.models = *models;
  std::printf("%-4s %-6s %8s %8s %8s %8s %8s %8s %7s %7s %6s\n", "q", "pass", "retr_s", "prompt_s",
              "gen_s", "ttft_s", "total_s", "tok/s", "prompt", "reused", "gen");
  double sums[2][5] = {};
  for (size_t i = 0; i < kQuestions.size(); ++i) {
    for (int pass = 0; pass < 2; ++pass) {
      auto a = pipeline::Ask(**archive, kQuestions[i], ao);
      if (!a.ok()) {
        std::cerr << a.status().ToString() << "\n";
        return 3;
      }
      const pipeline::AnswerTimings& t = a->timings;
      std::printf("%-4zu %-6s %8.4f %8.4f %8.4f %8.4f %8.4f %8.1f %7lld %7lld %6lld\n", i + 1,
                  pass ? "repeat" : "first", t.retrieval_seconds, t.prompt_seconds,
                  t.generation_seconds, t.first_token_seconds, t.total_seconds,
                  t.generation_seconds > 0 ? t.generated_tokens / t.generation_seconds : 0.0,
                  static_cast<long long>(t.prompt_tokens),
                  static_cast<long long>(t.reused_prompt_tokens),
                  static_cast<long long>(t.generated_tokens));
      double v[5] = {t.retrieval_seconds, t.prompt_seconds, t.generation_seconds,
                     t.first_token_seconds, t.total_seconds};
      for (int k = 0; k < 5; ++k) sums[pass][k] += v[k];
    }
  }
  const double n = static_cast<double>(kQuestions.size());
  for (int pass = 0; pass < 2; ++pass) {
    std::printf("mean %-6s %8.4f %8.4f %8.4f %8.4f %8.4f\n", pass ? "repeat" : "first",
                sums[pass][0] / n, sums[pass][1] / n, sums[pass][2] / n, sums[pass][3] / n,
                sums[pass][4] / n);
  }
  archive->reset();
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "ir" && args.size() > 1) {
    return RunIr(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (!args.empty() && args[0] == "ask") {
    std::string model, samples = "samples/docs";
    int max_tokens = 64, threads = 0;
    for (size_t i = 1; i + 1 < args.size(); i += 2) {
      if (args[i] == "--model") model = args[i + 1];
      else if (args[i] == "--samples") samples = args[i + 1];
      else if (args[i] == "--max-tokens") max_tokens = std::stoi(args[i + 1]);
      else if (args[i] == "--threads") threads = std::stoi(args[i + 1]);
    }
    if (!model.empty()) return RunAsk(model, samples, max_tokens, threads);
  }
  std::cerr << "usage: archivist_answer_bench ir DIR [DIR...]\n"
               "       archivist_answer_bench ask --model M.gguf [--samples DIR] [--max-tokens N] "
               "[--threads T]\n";
  return 1;
}
