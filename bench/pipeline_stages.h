#pragma once
// The pipeline benchmark's measurement of each of our ingest stages alone (bench/pipeline_throughput.cc):
// every stage runs as its own pass over the whole corpus, on N threads at once, so the cost of a
// stage at N threads is measured (two concurrent OCR pages share caches and memory bandwidth),
// not assumed to be its 1-thread cost divided by N.

#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/ingest/extractor.h"

namespace archivist::bench {

inline double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Long-lived threads that run one pass at a time. OCR engines and PDF workers are kept per thread,
// so they stay warm from one pass to the next, as they do in the graph's task arena.
class Lanes {
 public:
  explicit Lanes(int n);
  ~Lanes();
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  // Calls fn(i) for every i < count, each item going to the next free lane (the order of the
  // corpus, like the graph's input). Returns the pass's wall seconds; *item_seconds, when given,
  // receives the seconds spent inside fn summed over the lanes.
  double Run(size_t count, const std::function<void(size_t)>& fn, double* item_seconds = nullptr);
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Loop(int lane);

  std::mutex mu_;
  std::condition_variable start_, done_;
  const std::function<void(size_t)>* fn_ = nullptr;
  size_t count_ = 0;
  size_t next_ = 0;
  unsigned generation_ = 0;
  int running_ = 0;
  bool stop_ = false;
  std::vector<double> lane_seconds_;
  std::vector<std::thread> threads_;
};

// A page our OCR stage recognized; the command-line tools redo the same pages.
struct OcrItem {
  std::string path;
  int page = 0;          // 1-based
  bool pdf = false;      // rendered from a PDF (else an image file's page)
  double width_pt = 0;   // page box, for the rendering resolution
  double height_pt = 0;
  double seconds = 0;    // our OCR of this page in the 1-thread pass
};

inline constexpr std::array<const char*, 6> kStageNames = {"read",  "extract", "ocr",
                                                           "chunk", "embed",   "commit"};

struct StageCosts {
  int threads = 1;
  std::array<double, 6> wall{};   // seconds each pass took, in kStageNames order
  std::array<double, 6> items{};  // seconds inside the stage summed over threads
  int docs = 0, pages = 0, ocr_pages = 0, failed = 0;
  std::vector<OcrItem> ocr_work;

  double Sum() const;
  double Max() const;
  const char* Slowest() const;
  nlohmann::json ToJson() const;
};

// Runs read+hash+lookup, text extraction, OCR per page, chunking, embedding and commit (one synced
// AddDocument per document) each as a pass over `files` on `threads` threads, into a fresh archive
// under data_dir (removed again).
StageCosts MeasureStages(const std::vector<std::string>& files, const std::string& data_dir,
                         const ingest::ExtractOptions& options, int threads);

}  // namespace archivist::bench
