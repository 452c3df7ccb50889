// Batch-ingest throughput against its bounds, on one corpus in one run (bench/pipeline_bench.sh):
//   1. every stage of ours alone, sequentially on one thread (read+hash, text extraction, OCR per
//      page, chunking, embedding, commit) -> the cost of each stage in CPU seconds;
//   2. the same pages through the command-line tools alone: pdftotext per PDF, and pdftoppm (for
//      PDF pages that need OCR) + tesseract per OCR page, one process at a time;
//   3. the whole oneTBB graph (IngestPaths) with 1 and with 2 threads into fresh archives.
// Prints one JSON object: pages/s end to end next to the bound the stage costs set (sum of the
// stage costs over the thread count: every stage shares the same cores) and the slowest stage.
//
//   archivist_pipeline_bench --work DIR [--threads-list 1,2] [--skip-tools] [--e2e-only N] CORPUS
//
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
#include <thread>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/base/file_util.h"
#include "archivist/base/process.h"
#include "archivist/base/sha256.h"
#include "archivist/index/archive.h"
#include "archivist/ingest/chunker.h"
#include "archivist/ingest/extractor.h"
#include "archivist/pipeline/ingest_batch.h"

namespace {

using namespace archivist;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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

// A field of /proc/PID/status in kB ("VmRSS", "VmHWM"), 0 when the process is gone.
long StatusKb(const std::string& pid, const std::string& field) {
  std::ifstream in("/proc/" + pid + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, field.size() + 1, field + ":") == 0) {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return 0;
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
      long kb = StatusKb("self", "VmRSS");
      for (const std::string& pid : ChildPids()) kb += StatusKb(pid, "VmRSS");
      peak_kb_ = std::max(peak_kb_, kb);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::atomic<bool> stop_{false};
  long peak_kb_ = 0;
  std::thread thread_;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct StageCosts {
  double read = 0, extract = 0, ocr = 0, chunk = 0, embed = 0, commit = 0;
  int docs = 0, pages = 0, ocr_pages = 0, failed = 0;
  std::vector<std::pair<std::string, int>> ocr_work;  // (file, page) for the tools pass
  double Sum() const { return read + extract + ocr + chunk + embed + commit; }
  double Max() const { return std::max({read, extract, ocr, chunk, embed, commit}); }
};

StageCosts MeasureStages(const std::vector<std::string>& files, const std::string& data_dir) {
  StageCosts c;
  auto embedder = index::MakeBuiltinEmbedder();
  fs::remove_all(data_dir);
  auto archive = std::move(index::Archive::Open(data_dir, embedder.get())).value();
  ingest::ExtractOptions xo;
  ingest::ChunkOptions co;
  for (const std::string& path : files) {
    auto t = Clock::now();
    auto bytes = ReadFile(path);
    if (!bytes.ok()) { ++c.failed; continue; }
    std::string id = Sha256Hex(*bytes);
    bool present = *archive->Contains(id);
    c.read += Since(t);
    if (present) continue;
    t = Clock::now();
    auto pending = ingest::ExtractWithoutOcr(*bytes, xo);
    c.extract += Since(t);
    if (!pending.ok()) { ++c.failed; continue; }
    t = Clock::now();
    bool ocr_ok = true;
    for (int p : pending->ocr_pages) {
      ocr_ok = ocr_ok && ingest::OcrPage(*bytes, xo, &pending->document.pages[p - 1]).ok();
      c.ocr_work.emplace_back(path, p);
    }
    c.ocr += Since(t);
    if (!ocr_ok) { ++c.failed; continue; }
    t = Clock::now();
    index::DocumentBundle b;
    b.document.doc_id = id;
    b.document.source_path = path;
    for (const ingest::Page& pg : pending->document.pages) {
      index::PageRecord pr;
      pr.number = pg.number;
      pr.text = pg.text;
      b.pages.push_back(std::move(pr));
    }
    for (ingest::TextChunk& ch : ingest::ChunkPages(pending->document.pages, co)) {
      index::ChunkRecord cr;
      cr.first_page = ch.first_page;
      cr.last_page = ch.last_page;
      cr.text = std::move(ch.text);
      b.chunks.push_back(std::move(cr));
    }
    c.chunk += Since(t);
    t = Clock::now();
    std::vector<std::string> texts;
    for (const auto& ch : b.chunks) texts.push_back(ch.text);
    if (!texts.empty()) b.vectors = std::move(embedder->Embed(texts)).value();
    c.embed += Since(t);
    t = Clock::now();
    if (!archive->AddDocument(std::move(b)).ok()) { ++c.failed; continue; }
    c.commit += Since(t);
    ++c.docs;
    c.pages += static_cast<int>(pending->document.pages.size());
    c.ocr_pages += static_cast<int>(pending->ocr_pages.size());
  }
  (void)archive->Flush();
  return c;
}

// The command-line tools over the same work, one process at a time (their usual use).
nlohmann::json MeasureTools(const std::vector<std::string>& files, const StageCosts& c,
                            const std::string& work) {
  double pdftotext = 0;
  int pdfs = 0;
  for (const std::string& f : files) {
    if (f.size() < 4 || f.compare(f.size() - 4, 4, ".pdf") != 0) continue;
    auto t = Clock::now();
    (void)std::system(("timeout 60 pdftotext -q " + Quote(f) + " /dev/null").c_str());
    pdftotext += Since(t);
    ++pdfs;
  }
  double render = 0, tesseract = 0;
  const std::string png = work + "/page.png";
  for (const auto& [f, page] : c.ocr_work) {
    std::string image = f;
    if (f.size() >= 4 && f.compare(f.size() - 4, 4, ".pdf") == 0) {
      auto t = Clock::now();
      (void)std::system(("pdftoppm -q -r 300 -f " + std::to_string(page) + " -l " +
                         std::to_string(page) + " -singlefile -png " + Quote(f) + " " +
                         Quote(work + "/page")).c_str());
      render += Since(t);
      image = png;
    } else if (page > 1) {
      continue;  // multi-page TIFFs: tesseract reads every page in one call below
    }
    auto t = Clock::now();
    (void)std::system(("OMP_THREAD_LIMIT=1 tesseract " + Quote(image) + " - -l eng >/dev/null 2>&1").c_str());
    tesseract += Since(t);
  }
  return {{"pdftotext_seconds", pdftotext}, {"pdftotext_files", pdfs},
          {"pdftoppm_seconds", render}, {"tesseract_seconds", tesseract},
          {"tesseract_pages", c.ocr_work.size()}};
}

nlohmann::json EndToEnd(const std::string& corpus, int threads, const std::string& data_dir) {
  fs::remove_all(data_dir);
  auto embedder = index::MakeBuiltinEmbedder();
  auto archive = std::move(index::Archive::Open(data_dir, embedder.get())).value();
  pipeline::IngestOptions opts;
  opts.threads = threads;
  auto t = Clock::now();
  auto report = pipeline::IngestPaths(*archive, *embedder, {corpus}, opts);
  double s = Since(t);
  if (!report.ok()) return {{"error", report.status().ToString()}};
  const auto& st = report->stage_seconds;
  return {{"threads", threads},
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
           {{"read", st.read}, {"extract", st.extract}, {"ocr", st.ocr}, {"chunk", st.build},
            {"embed", st.embed}, {"commit", st.commit}}}};
}

}  // namespace

int main(int argc, char** argv) {
  archivist::PinOpenMpToOneThread(argv);
  std::string work, corpus;
  std::vector<int> thread_list = {1, 2};
  bool tools = true;
  int e2e_only = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--work") work = next();
    else if (a == "--skip-tools") tools = false;
    else if (a == "--e2e-only") e2e_only = std::stoi(next());
    else if (a == "--threads-list") {
      thread_list.clear();
      std::stringstream ss(next());
      for (std::string n; std::getline(ss, n, ',');) thread_list.push_back(std::stoi(n));
    } else corpus = a;
  }
  if (work.empty() || corpus.empty()) {
    std::cerr << "usage: archivist_pipeline_bench --work DIR [--threads-list 1,2] [--skip-tools] "
                 "[--e2e-only N] CORPUS\n";
    return 1;
  }
  fs::create_directories(work);
  if (e2e_only > 0) {
    TreeRssSampler sampler;
    nlohmann::json r = EndToEnd(corpus, e2e_only, work + "/e2e");
    r["peak_rss_mb"] = PeakRssKb() / 1024.0;
    // The workers outlive the batch (one per thread), so their own peaks can still be read.
    nlohmann::json workers = nlohmann::json::array();
    for (const std::string& pid : ChildPids()) workers.push_back(StatusKb(pid, "VmHWM") / 1024.0);
    r["children_peak_rss_mb"] = workers;
    r["tree_peak_rss_mb_sampled_20ms"] = sampler.Stop() / 1024.0;
    std::cout << r.dump(2) << "\n";
    fs::remove_all(work + "/e2e");
    return r.contains("error") ? 3 : 0;
  }
  std::vector<std::string> files = Files(corpus);
  nlohmann::json out;
  out["files"] = files.size();
  StageCosts c = MeasureStages(files, work + "/stages");
  fs::remove_all(work + "/stages");
  out["stages_alone_1_thread"] = {
      {"documents", c.docs}, {"pages", c.pages}, {"ocr_pages", c.ocr_pages}, {"failed", c.failed},
      {"seconds", {{"read", c.read}, {"extract", c.extract}, {"ocr", c.ocr}, {"chunk", c.chunk},
                   {"embed", c.embed}, {"commit", c.commit}, {"sum", c.Sum()}}}};
  if (tools) out["tools_alone_1_process"] = MeasureTools(files, c, work);
  nlohmann::json runs = nlohmann::json::array();
  for (int n : thread_list) {
    nlohmann::json r = EndToEnd(corpus, n, work + "/e2e");
    fs::remove_all(work + "/e2e");
    // Every stage runs on the same cores, so n threads can at best divide the summed cost by n;
    // the slowest stage alone would bound a pipeline whose stages had cores of their own.
    double bound_sum = c.pages / (c.Sum() / n);
    double bound_slowest = c.pages / (c.Max() / n);
    r["bound_pages_per_s_sum_of_stages"] = bound_sum;
    r["bound_pages_per_s_slowest_stage"] = bound_slowest;
    if (r.contains("pages_per_s")) {
      r["ratio_to_sum_bound"] = r["pages_per_s"].get<double>() / bound_sum;
      r["ratio_to_slowest_bound"] = r["pages_per_s"].get<double>() / bound_slowest;
    }
    runs.push_back(r);
  }
  out["end_to_end"] = runs;
  if (runs.size() >= 2 && runs[0].contains("pages_per_s") && runs[1].contains("pages_per_s")) {
    out["scaling"] = runs[1]["pages_per_s"].get<double>() / runs[0]["pages_per_s"].get<double>();
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
