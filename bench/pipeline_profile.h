#pragma once
// Where an end-to-end run's wall time goes (archivist_pipeline_bench --profile): the CPU time of
// this process and of its children (the PDF workers) sampled every 250 ms, so idle core time, and
// when it happens, shows next to the stage costs measured alone; and the OCR queue as the
// progress callback reports it.

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "archivist/pipeline/ingest_batch.h"

namespace archivist::bench {

class CpuProfile {
 public:
  explicit CpuProfile(int threads);
  ~CpuProfile();
  CpuProfile(const CpuProfile&) = delete;
  CpuProfile& operator=(const CpuProfile&) = delete;

  // From the progress callback (one call at a time).
  void OnProgress(const pipeline::FileResult& file, const pipeline::Progress& progress);
  // Stops sampling; the run took `wall` seconds from construction.
  nlohmann::json Stop(double wall);

 private:
  void Run();

  const int threads_;
  const std::chrono::steady_clock::time_point start_;
  const double cpu_at_start_;
  const std::map<std::string, double> threads_at_start_;  // tid -> CPU seconds
  std::mutex mu_;
  std::vector<std::pair<double, double>> samples_;  // (seconds since start, CPU seconds so far)
  std::vector<std::pair<double, int>> ocr_queue_;   // (elapsed, pages waiting for or in OCR)
  std::vector<std::pair<double, std::string>> finished_;  // (elapsed, path)
  // Per second: "tid state wchan" of each thread (and "worker PID ...") -> samples, which says
  // where a thread that is not running waits (pipe_read: its PDF worker; futex: a lock or the
  // scheduler; fsync paths: a commit).
  std::map<int, std::map<std::string, int>> states_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace archivist::bench
