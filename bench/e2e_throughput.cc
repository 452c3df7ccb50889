// End-to-end throughput: ingest a set of files into a fresh archive, then run a query list through
// search and ask. Prints one JSON object (pages/s, queries/s, answers/s).
//
//   archivist_e2e_bench --data-dir /tmp/bench-archive [--threads N] [--repeat R]
//                       [--queries FILE] PATH...

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/base/process.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int Usage() {
  std::cerr << "usage: archivist_e2e_bench --data-dir DIR [--threads N] [--repeat R] "
               "[--queries FILE] PATH...\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  archivist::PinOpenMpToOneThread(argv);
  using namespace archivist;
  std::string data_dir, queries_file;
  int threads = 0, repeat = 20;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--data-dir") data_dir = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--repeat") repeat = std::stoi(next());
    else if (a == "--queries") queries_file = next();
    else paths.push_back(a);
  }
  if (data_dir.empty() || paths.empty()) return Usage();
  std::filesystem::remove_all(data_dir);

  auto embedder = index::MakeBuiltinEmbedder();
  auto archive = index::Archive::Open(data_dir, embedder.get());
  if (!archive.ok()) {
    std::cerr << archive.status().ToString() << "\n";
    return 3;
  }
  pipeline::IngestOptions opts;
  opts.threads = threads;
  auto t0 = Clock::now();
  auto report = pipeline::IngestPaths(**archive, *embedder, paths, opts);
  double ingest_s = Since(t0);
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 3;
  }

  std::vector<std::string> queries;
  if (!queries_file.empty()) {
    std::ifstream in(queries_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) queries.push_back(line);
    }
  }
  if (queries.empty()) {
    queries = {"apixaban", "warfarin stopped bleeding", "termination without notice",
               "offshore wire transfer", "retention period records", "hemoglobin result"};
  }
  index::SearchOptions so;
  int nq = 0;
  auto t1 = Clock::now();
  for (int r = 0; r < repeat; ++r) {
    for (const auto& q : queries) {
      auto hits = (*archive)->Search(q, so);
      if (!hits.ok()) {
        std::cerr << hits.status().ToString() << "\n";
        return 3;
      }
      ++nq;
    }
  }
  double search_s = Since(t1);
  int na = 0;
  auto t2 = Clock::now();
  for (int r = 0; r < std::max(1, repeat / 4); ++r) {
    for (const auto& q : queries) {
      auto answer = pipeline::Ask(**archive, q, {});
      if (!answer.ok()) {
        std::cerr << answer.status().ToString() << "\n";
        return 3;
      }
      ++na;
    }
  }
  double ask_s = Since(t2);

  nlohmann::json out = {
      {"threads", threads},
      {"files", report->files.size()},
      {"ingested", report->ingested},
      {"failed", report->failed},
      {"pages", report->pages},
      {"ocr_pages", report->ocr_pages},
      {"chunks", report->chunks},
      {"ingest_seconds", ingest_s},
      {"pages_per_s", report->pages / ingest_s},
      {"queries", nq},
      {"queries_per_s", nq / search_s},
      {"answers", na},
      {"answers_per_s", na / ask_s},
  };
  std::cout << out.dump(2) << "\n";
  return 0;
}
