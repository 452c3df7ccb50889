#include "pipeline_profile.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace archivist::bench {
namespace {

namespace fs = std::filesystem;

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

// utime + stime of /proc/<pid>[/task/<tid>]/stat in seconds, and the command name.
double StatCpu(const fs::path& stat, std::string* comm = nullptr) {
  std::ifstream in(stat);
  std::string line;
  if (!std::getline(in, line)) return 0;
  const size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return 0;
  if (comm != nullptr) *comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double ticks = 0;
  // Fields 3.. after the name; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string FirstLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// "state wchan" of a task: R when running, else what it sleeps in.
std::string TaskState(const fs::path& task) {
  const std::string stat = FirstLine(task / "stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return "?";
  const char state = stat[close + 2];
  return state == 'R' ? std::string("R") : std::string(1, state) + " " + FirstLine(task / "wchan");
}

// CPU seconds of this process, its finished children and its live ones (the PDF workers).
double TreeCpuSeconds() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  double s = Seconds(self.ru_utime) + Seconds(self.ru_stime) + Seconds(children.ru_utime) +
             Seconds(children.ru_stime);
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "children");
    for (std::string pid; in >> pid;) s += StatCpu(fs::path("/proc") / pid / "stat");
  }
  return s;
}

std::map<std::string, double> ThreadCpu(std::map<std::string, std::string>* names = nullptr) {
  std::map<std::string, double> out;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::string comm;
    const std::string tid = task.path().filename().string();
    out[tid] = StatCpu(task.path() / "stat", &comm);
    if (names != nullptr) (*names)[tid] = comm;
  }
  return out;
}

}  // namespace

// Everything is counted from construction: the process and its children have run other passes.
CpuProfile::CpuProfile(int threads)
    : threads_(threads),
      start_(std::chrono::steady_clock::now()),
      cpu_at_start_(TreeCpuSeconds()),
      threads_at_start_(ThreadCpu()),
      thread_([this] { Run(); }) {}

CpuProfile::~CpuProfile() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void CpuProfile::Run() {
  while (!stop_) {
    const double cpu = TreeCpuSeconds() - cpu_at_start_;
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::vector<std::string> states;
    const std::string self_tid = std::to_string(gettid());
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
      const std::string tid = task.path().filename().string();
      if (tid == self_tid) continue;
      states.push_back(tid + " " + TaskState(task.path()));
      std::ifstream in(task.path() / "children");
      for (std::string pid; in >> pid;) {
        states.push_back("worker " + pid + " " + TaskState(fs::path("/proc") / pid));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      samples_.emplace_back(t, cpu);
      for (const std::string& s : states) ++states_[static_cast<int>(t)][s];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void CpuProfile::OnProgress(const pipeline::FileResult& file, const pipeline::Progress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  ocr_queue_.emplace_back(p.elapsed, p.ocr_queued);
  finished_.emplace_back(p.elapsed, file.path);
}

nlohmann::json CpuProfile::Stop(double wall) {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  const double cpu_total = TreeCpuSeconds() - cpu_at_start_;
  const double n = threads_;
  // Busy cores per 250 ms window; the tail starts after the last window with every thread busy.
  std::vector<double> per_second(static_cast<size_t>(std::ceil(wall)), 0.0);
  double tail_start = 0, full_until = 0;
  for (size_t i = 1; i < samples_.size(); ++i) {
    const auto [t0, c0] = samples_[i - 1];
    const auto [t1, c1] = samples_[i];
    if (t1 <= t0) continue;
    const double busy = (c1 - c0) / (t1 - t0);
    const size_t bucket = std::min(per_second.size() - 1, static_cast<size_t>(t0));
    per_second[bucket] += c1 - c0;
    if (busy >= n - 0.25) full_until = t1;
  }
  tail_start = full_until;
  double cpu_at_tail = 0;
  for (const auto& [t, c] : samples_) {
    if (t <= tail_start) cpu_at_tail = c;
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (double s : per_second) timeline.push_back(std::round(s * 100) / 100);
  // The OCR queue: when did it last hold at least one page per thread?
  double queue_full_until = 0;
  int queue_max = 0;
  for (const auto& [t, q] : ocr_queue_) {
    if (q >= threads_) queue_full_until = t;
    queue_max = std::max(queue_max, q);
  }
  // The seconds with a core idle for over half of it, and the files that finished in them (the
  // batch's order shows what was in flight).
  nlohmann::json idle_seconds = nlohmann::json::array();
  for (size_t sec = 0; sec + 1 < per_second.size(); ++sec) {
    if (per_second[sec] >= n - 0.5) continue;
    nlohmann::json files = nlohmann::json::array();
    int count = 0;
    for (const auto& [t, path] : finished_) {
      if (static_cast<size_t>(t) != sec) continue;
      if (++count <= 3) files.push_back(fs::path(path).parent_path().filename().string() + "/" +
                                        fs::path(path).filename().string());
    }
    idle_seconds.push_back({{"second", sec}, {"busy_cores", timeline[sec]},
                            {"files_finished", count}, {"first_files", files},
                            {"thread_states_sampled", states_[static_cast<int>(sec)]}});
  }
  nlohmann::json per_thread = nlohmann::json::array();
  std::map<std::string, std::string> names;
  for (const auto& [tid, cpu] : ThreadCpu(&names)) {
    auto before = threads_at_start_.find(tid);
    const double s = cpu - (before == threads_at_start_.end() ? 0.0 : before->second);
    if (s >= 0.5) per_thread.push_back({{"thread", names[tid]}, {"tid", tid}, {"cpu_seconds", s}});
  }
  return {{"cpu_seconds_tree", cpu_total},
          {"idle_core_seconds", n * wall - cpu_total},
          {"busy_cores_mean", cpu_total / wall},
          {"all_threads_busy_until_s", tail_start},
          {"tail_seconds", wall - tail_start},
          {"tail_idle_core_seconds", n * (wall - tail_start) - (cpu_total - cpu_at_tail)},
          {"ocr_queue_max", queue_max},
          {"ocr_queue_at_least_threads_until_s", queue_full_until},
          {"busy_cores_per_second", timeline},
          {"seconds_with_a_core_half_idle", idle_seconds},
          {"live_threads_over_half_a_cpu_second", per_thread}};
}

}  // namespace archivist::bench
