// Batch-ingest throughput against its bounds, on one corpus (bench/pipeline_bench.sh):
//   1. every stage of ours alone (read+hash, text extraction, OCR per page, chunking, embedding,
//      commit), each as its own pass over the corpus on N threads at once (bench/pipeline_stages.h);
//   2. the same work through the command-line tools alone, in their best batch use, with N
//      processes at once: pdftotext per PDF, pdftoppm for the PDF pages our OCR rendered, one
//      tesseract over a list of all OCR images (bench/pipeline_tools.h);
//   3. the whole oneTBB graph (IngestPaths) with N threads into a fresh archive;
// for every N of --threads-list. Prints one JSON object: pages/s end to end next to the bounds
// the stage costs at the same N set, from our stages and from the tools: the slowest stage (a
// pipeline can go no faster than its slowest stage) and the sum of the stages (all stages share
// the same cores). The keys are documented in pipeline/README.md.
//
//   archivist_pipeline_bench --work DIR [--threads-list 1,2] [--skip-tools] [--profile]
//                            [--skip-e2e | --stages-from FILE] [--e2e-only N]
//                            [--no-auto-rotate] [--no-deskew] [--max-in-flight N] CORPUS
//
// --skip-e2e: steps 1-2 only. --stages-from FILE: step 3 only, bounds from the JSON an earlier
// --skip-e2e run printed (so one long measurement can be split over two calls).
// --profile: step 3 also reports where its wall time went (bench/pipeline_profile.h).
// --no-auto-rotate / --no-deskew: our OCR without orientation detection / deskewing (what the
// tesseract command line does not do), to see what those steps cost. --max-in-flight N: the
// graph's document limiter (IngestOptions::max_in_flight; default 2 x threads).
// --e2e-only N: only step 3 with N threads, plus peak RSS (for 200 vs 2,000 docs): this process's
// own peak, each child's (the PDF workers that run Poppler), and the whole tree's sampled every 20 ms.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/base/process.h"
#include "archivist/base/tbb_workers.h"
#include "archivist/index/archive.h"
#include "archivist/ingest/extractor.h"
#include "archivist/pipeline/ingest_batch.h"
#include "pipeline_profile.h"
#include "pipeline_stages.h"
#include "pipeline_tools.h"

namespace {

using namespace archivist;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<std::string> Files(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// The live children of this process (of any of its threads).
std::vector<std::string> ChildPids() {
  std::vector<std::string> out;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "children");
    for (std::string pid; in >> pid;) out.push_back(pid);
  }
  return out;
}

// Samples the RSS of this process plus its children while alive; keeps the largest sum.
class TreeRssSampler {
 public:
  TreeRssSampler() : thread_([this] { Run(); }) {}
  ~TreeRssSampler() { Stop(); }
  long Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return peak_kb_;
  }

 private:
  void Run() {
    while (!stop_) {
      long kb = archivist::ProcStatusKb("self", "VmRSS");
      for (const std::string& pid : ChildPids()) kb += archivist::ProcStatusKb(pid, "VmRSS");
      peak_kb_ = std::max(peak_kb_, kb);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::atomic<bool> stop_{false};
  long peak_kb_ = 0;
  std::thread thread_;
};

nlohmann::json EndToEnd(const std::string& corpus, int threads, const std::string& data_dir,
                        const ingest::ExtractOptions& xo, int max_in_flight, bool profile) {
  fs::remove_all(data_dir);
  auto embedder = index::MakeBuiltinEmbedder();
  auto archive = std::move(index::Archive::Open(data_dir, embedder.get())).value();
  pipeline::IngestOptions opts;
  opts.threads = threads;
  opts.extract = xo;
  opts.max_in_flight = max_in_flight;
  std::unique_ptr<bench::CpuProfile> cpu;
  if (profile) cpu = std::make_unique<bench::CpuProfile>(threads);
  pipeline::ProgressCallback on_progress;
  if (cpu) on_progress = [&](const pipeline::FileResult& f, const pipeline::Progress& p) { cpu->OnProgress(f, p); };
  auto t = Clock::now();
  auto report = pipeline::IngestPaths(*archive, *embedder, {corpus}, opts, on_progress);
  double s = bench::SecondsSince(t);
  if (!report.ok()) return {{"error", report.status().ToString()}};
  const auto& st = report->stage_seconds;
  nlohmann::json r = {{"threads", threads},
                      {"files", report->files.size()},
                      {"ingested", report->ingested},
                      {"duplicates", report->duplicates},
                      {"failed", report->failed},
                      {"pages", report->pages},
                      {"ocr_pages", report->ocr_pages},
                      {"seconds", s},
                      {"pages_per_s", report->pages / s},
                      {"commits", report->commits},
                      {"stage_seconds",
                       {{"read", st.read}, {"extract", st.extract}, {"ocr", st.ocr},
                        {"chunk", st.build}, {"embed", st.embed}, {"commit", st.commit}}}};
  if (cpu) r["profile"] = cpu->Stop(s);
  return r;
}

std::string StagesKey(int n) {
  return n == 1 ? "stages_alone_1_thread" : "stages_alone_" + std::to_string(n) + "_threads";
}
std::string ToolsKey(int n) {
  return n == 1 ? "tools_alone_1_process" : "tools_alone_" + std::to_string(n) + "_processes";
}

// The bounds one set of stage costs (JSON "seconds": stage -> s, plus "sum") puts on `pages`
// pages, and the end-to-end run's ratio to them.
nlohmann::json Bound(const nlohmann::json& seconds, double pages, double e2e_pages_per_s) {
  std::string slowest;
  double max = 0;
  for (const auto& [stage, s] : seconds.items()) {
    if (stage != "sum" && s.get<double>() > max) {
      max = s.get<double>();
      slowest = stage;
    }
  }
  const double sum = seconds["sum"].get<double>();
  nlohmann::json b = {{"slowest_stage", slowest},
                      {"slowest_stage_seconds", max},
                      {"sum_seconds", sum},
                      {"bound_pages_per_s_slowest_stage", pages / max},
                      {"bound_pages_per_s_sum_of_stages", pages / sum}};
  if (e2e_pages_per_s > 0) {
    b["ratio_to_slowest_bound"] = e2e_pages_per_s / (pages / max);
    b["ratio_to_sum_bound"] = e2e_pages_per_s / (pages / sum);
  }
  return b;
}

// Adds the bounds for run r (n threads) from the stage and tool costs in `out`.
void AddBounds(const nlohmann::json& out, nlohmann::json& r) {
  const int n = r["threads"].get<int>();
  const nlohmann::json& one = out[StagesKey(1)];
  const double pages = one["pages"].get<double>();
  const double e2e = r.contains("pages_per_s") ? r["pages_per_s"].get<double>() : 0.0;
  // Kept from the first version of this benchmark: our 1-thread stage costs divided by n, which
  // assumes every stage scales perfectly.
  const double sum1 = one["seconds"]["sum"].get<double>();
  double max1 = 0;
  for (const char* stage : bench::kStageNames) max1 = std::max(max1, one["seconds"][stage].get<double>());
  r["bound_pages_per_s_sum_of_stages"] = pages / (sum1 / n);
  r["bound_pages_per_s_slowest_stage"] = pages / (max1 / n);
  if (e2e > 0) {
    r["ratio_to_sum_bound"] = e2e / r["bound_pages_per_s_sum_of_stages"].get<double>();
    r["ratio_to_slowest_bound"] = e2e / r["bound_pages_per_s_slowest_stage"].get<double>();
  }
  nlohmann::json bounds;
  if (out.contains(ToolsKey(n))) bounds["tools"] = Bound(out[ToolsKey(n)]["seconds"], pages, e2e);
  if (out.contains(StagesKey(n))) {
    nlohmann::json own = out[StagesKey(n)]["seconds"];
    bounds["own_stages"] = Bound(own, pages, e2e);
  }
  r["bounds_measured_at_same_threads"] = bounds;
}

}  // namespace

int main(int argc, char** argv) {
  archivist::PinOpenMpToOneThread(argv);
  const archivist::TbbWorkersJoinedAtExit join_tbb_workers;
  std::string work, corpus, stages_from;
  std::vector<int> thread_list = {1, 2};
  bool tools = true, e2e = true, profile = false;
  ingest::ExtractOptions xo;
  int e2e_only = 0;
  int max_in_flight = 0;  // the pipeline's default, 2 x threads
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--work") work = next();
    else if (a == "--skip-tools") tools = false;
    else if (a == "--skip-e2e") e2e = false;
    else if (a == "--profile") profile = true;
    else if (a == "--no-auto-rotate") xo.auto_rotate = false;
    else if (a == "--no-deskew") xo.preprocess.deskew = false;
    else if (a == "--max-in-flight") max_in_flight = std::stoi(next());
    else if (a == "--stages-from") stages_from = next();
    else if (a == "--e2e-only") e2e_only = std::stoi(next());
    else if (a == "--threads-list") {
      thread_list.clear();
      std::stringstream ss(next());
      for (std::string n; std::getline(ss, n, ',');) thread_list.push_back(std::stoi(n));
    } else corpus = a;
  }
  if (work.empty() || corpus.empty() || thread_list.empty()) {
    std::cerr << "usage: archivist_pipeline_bench --work DIR [--threads-list 1,2] [--skip-tools] "
                 "[--profile] [--skip-e2e | --stages-from FILE] [--e2e-only N] [--no-auto-rotate] "
                 "[--no-deskew] [--max-in-flight N] CORPUS\n";
    return 1;
  }
  fs::create_directories(work);
  if (e2e_only > 0) {
    TreeRssSampler sampler;
    nlohmann::json r = EndToEnd(corpus, e2e_only, work + "/e2e", xo, max_in_flight, profile);
    r["peak_rss_mb"] = PeakRssKb() / 1024.0;
    // The workers outlive the batch (one per thread), so their own peaks can still be read.
    nlohmann::json workers = nlohmann::json::array();
    for (const std::string& pid : ChildPids()) {
      workers.push_back(archivist::ProcStatusKb(pid, "VmHWM") / 1024.0);
    }
    r["children_peak_rss_mb"] = workers;
    r["tree_peak_rss_mb_sampled_20ms"] = sampler.Stop() / 1024.0;
    std::cout << r.dump(2) << "\n";
    fs::remove_all(work + "/e2e");
    return r.contains("error") ? 3 : 0;
  }
  nlohmann::json out;
  if (!stages_from.empty()) {
    std::ifstream in(stages_from);
    out = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded() || !out.contains(StagesKey(1))) {
      std::cerr << stages_from << ": not the JSON of a --skip-e2e run with 1 thread in its list\n";
      return 1;
    }
    out.erase("end_to_end");
    out.erase("scaling");
  } else {
    std::vector<std::string> files = Files(corpus);
    out["files"] = files.size();
    out["corpus"] = fs::absolute(corpus).string();
    out["ocr"] = {{"dpi", xo.ocr_dpi}, {"max_page_pixels", xo.max_page_pixels},
                  {"auto_rotate", xo.auto_rotate}, {"deskew", xo.preprocess.deskew}};
    // The 1-thread pass comes first: its per-page OCR times balance the tools' split.
    std::vector<int> stage_threads = thread_list;
    if (std::find(stage_threads.begin(), stage_threads.end(), 1) == stage_threads.end()) {
      stage_threads.insert(stage_threads.begin(), 1);
    }
    std::sort(stage_threads.begin(), stage_threads.end());
    std::vector<bench::OcrItem> ocr_work;
    for (int n : stage_threads) {
      bench::StageCosts c = bench::MeasureStages(files, work + "/stages", xo, n);
      if (n == 1) ocr_work = c.ocr_work;
      out[StagesKey(n)] = c.ToJson();
      std::cerr << "stages alone, " << n << " thread(s): " << c.Sum() << " s\n";
    }
    for (int n : stage_threads) {
      if (!tools) break;
      out[ToolsKey(n)] = bench::MeasureTools(files, ocr_work, xo, work, n);
      std::cerr << "tools alone, " << n << " process(es): " << out[ToolsKey(n)]["seconds"]["sum"]
                << " s\n";
    }
  }
  if (e2e) {
    nlohmann::json runs = nlohmann::json::array();
    for (int n : thread_list) {
      nlohmann::json r = EndToEnd(corpus, n, work + "/e2e", xo, max_in_flight, profile);
      fs::remove_all(work + "/e2e");
      AddBounds(out, r);
      runs.push_back(r);
      std::cerr << "end to end, " << n << " thread(s): " << r.value("pages_per_s", 0.0)
                << " pages/s\n";
    }
    out["end_to_end"] = runs;
    if (runs.size() >= 2 && runs[0].contains("pages_per_s") && runs[1].contains("pages_per_s")) {
      out["scaling"] = runs[1]["pages_per_s"].get<double>() / runs[0]["pages_per_s"].get<double>();
    }
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
