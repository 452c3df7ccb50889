#include "pipeline_tools.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

extern char** environ;

namespace archivist::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Runs argv without a shell (a shell and `timeout` per call would cost the tools ~2 ms a file),
// output to /dev/null; killed after timeout_s. Returns true on exit status 0.
bool RunTool(const std::vector<std::string>& args, double timeout_s) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  // glibc 2.36 declares pidfd_open without C linkage in C++; the system call itself is fine.
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout_s * 1000)) == 0) kill(pid, SIGKILL);
    close(fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The resolution our OCR stage renders a PDF page at (ingest's RenderPdfPage rule).
int RenderDpi(const OcrItem& item, const ingest::ExtractOptions& xo) {
  double resolution = xo.ocr_dpi;
  const double pixels = (item.width_pt * resolution / 72.0) * (item.height_pt * resolution / 72.0);
  if (pixels > static_cast<double>(xo.max_page_pixels)) {
    resolution *= std::sqrt(static_cast<double>(xo.max_page_pixels) / pixels);
  }
  return static_cast<int>(std::floor(resolution));
}

struct RenderJob {
  std::string pdf;
  int first = 0, last = 0, dpi = 0;
};

// Work for one tesseract call: a list of single-page images, or one multi-page image.
struct TessUnit {
  std::vector<std::string> images;
  bool multipage = false;
  int pages = 0;
  double cost = 0;  // our OCR seconds for these pages
};

// Runs fn(lane) on `lanes` threads at once; returns the wall seconds until all have finished.
double Concurrently(int lanes, const std::function<void(int)>& fn) {
  const auto t = Clock::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < lanes; ++k) threads.emplace_back(fn, k);
  for (std::thread& th : threads) th.join();
  return SecondsSince(t);
}

// fn(i) for i < count, each to the next free lane of `lanes`; returns the wall seconds.
double Shared(int lanes, size_t count, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  return Concurrently(lanes, [&](int) {
    for (size_t i; (i = next++) < count;) fn(i);
  });
}

}  // namespace

nlohmann::json MeasureTools(const std::vector<std::string>& files, const std::vector<OcrItem>& ocr,
                            const ingest::ExtractOptions& xo, const std::string& work,
                            int processes) {
  const std::string dir = work + "/tools";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::atomic<int> errors{0};

  std::vector<std::string> pdfs;
  for (const std::string& f : files) {
    if (f.size() >= 4 && f.compare(f.size() - 4, 4, ".pdf") == 0) pdfs.push_back(f);
  }
  const double pdftotext = Shared(processes, pdfs.size(), [&](size_t i) {
    if (!RunTool({"pdftotext", "-q", pdfs[i], "/dev/null"}, 60)) ++errors;
  });

  // Consecutive OCR pages of one PDF at one resolution render in one call.
  std::vector<RenderJob> jobs;
  int rendered_pages = 0;
  for (const OcrItem& it : ocr) {
    if (!it.pdf) continue;
    ++rendered_pages;
    const int dpi = RenderDpi(it, xo);
    if (!jobs.empty() && jobs.back().pdf == it.path && jobs.back().last + 1 == it.page &&
        jobs.back().dpi == dpi) {
      jobs.back().last = it.page;
    } else {
      jobs.push_back({it.path, it.page, it.page, dpi});
    }
  }
  const double pdftoppm = Shared(processes, jobs.size(), [&](size_t i) {
    const RenderJob& j = jobs[i];
    if (!RunTool({"pdftoppm", "-q", "-gray", "-r", std::to_string(j.dpi), "-f",
                  std::to_string(j.first), "-l", std::to_string(j.last), "-tiff",
                  "-tiffcompression", "none", j.pdf, dir + "/j" + std::to_string(i)},
                 120)) {
      ++errors;
    }
  });
  // pdftoppm names its pages PREFIX-N.tif with N zero-padded to the document's page count.
  std::map<std::pair<std::string, int>, std::string> rendered;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const size_t dash = name.find('-');
    if (name[0] != 'j' || dash == std::string::npos) continue;
    const RenderJob& j = jobs[std::stoul(name.substr(1, dash - 1))];
    rendered[{j.pdf, std::stoi(name.substr(dash + 1))}] = e.path().string();
  }

  // Single-page images share one list; each multi-page image is a call of its own.
  std::map<std::string, TessUnit> images;
  TessUnit single_pages;
  std::vector<TessUnit> units;
  int missing = 0;
  for (const OcrItem& it : ocr) {
    if (it.pdf) {
      auto r = rendered.find({it.path, it.page});
      if (r == rendered.end()) {
        ++missing;
        continue;
      }
      units.push_back({{r->second}, false, 1, it.seconds});
    } else {
      TessUnit& u = images[it.path];
      if (u.images.empty()) u.images.push_back(it.path);
      u.pages += 1;
      u.cost += it.seconds;
      u.multipage = u.pages > 1;
    }
  }
  for (auto& [path, u] : images) units.push_back(std::move(u));
  // Longest first, each to the process with the least work so far: P lists of equal cost.
  std::sort(units.begin(), units.end(), [](const TessUnit& a, const TessUnit& b) {
    return a.cost > b.cost;
  });
  std::vector<std::vector<const TessUnit*>> lanes(static_cast<size_t>(processes));
  std::vector<double> planned(static_cast<size_t>(processes), 0.0);
  int tess_pages = 0, tess_calls = 0;
  for (const TessUnit& u : units) {
    const size_t k = static_cast<size_t>(std::min_element(planned.begin(), planned.end()) - planned.begin());
    lanes[k].push_back(&u);
    planned[k] += u.cost;
    tess_pages += u.pages;
  }
  std::vector<std::vector<std::vector<std::string>>> calls(static_cast<size_t>(processes));
  for (size_t k = 0; k < lanes.size(); ++k) {
    const std::string list = dir + "/list" + std::to_string(k) + ".txt";
    std::ofstream out(list);
    auto tess = [&](const std::string& input, const std::string& output) {
      std::vector<std::string> args = {"tesseract", input, output, "-l", xo.ocr_languages,
                                       "--oem", "1", "--psm", "3"};
      if (!xo.tessdata_dir.empty()) args.insert(args.begin() + 3, {"--tessdata-dir", xo.tessdata_dir});
      calls[k].push_back(args);
    };
    bool any_single = false;
    for (const TessUnit* u : lanes[k]) {
      if (u->multipage) {
        tess(u->images[0], dir + "/multi" + std::to_string(k) + "-" + std::to_string(calls[k].size()));
      } else {
        out << u->images[0] << "\n";
        any_single = true;
      }
    }
    if (any_single) tess(list, dir + "/out" + std::to_string(k));
    tess_calls += static_cast<int>(calls[k].size());
  }
  std::vector<double> lane_seconds(static_cast<size_t>(processes), 0.0);
  const double tesseract = Concurrently(processes, [&](int k) {
    const auto t = Clock::now();
    for (const auto& args : calls[static_cast<size_t>(k)]) {
      if (!RunTool(args, 3600)) ++errors;
    }
    lane_seconds[static_cast<size_t>(k)] = SecondsSince(t);
  });
  fs::remove_all(dir);

  const double sum = pdftotext + pdftoppm + tesseract;
  const char* slowest = tesseract >= pdftoppm && tesseract >= pdftotext ? "tesseract"
                        : pdftoppm >= pdftotext                         ? "pdftoppm"
                                                                        : "pdftotext";
  return {{"processes", processes},
          {"pdftotext_seconds", pdftotext},
          {"pdftotext_files", pdfs.size()},
          {"pdftoppm_seconds", pdftoppm},
          {"pdftoppm_pages", rendered_pages},
          {"pdftoppm_calls", jobs.size()},
          {"tesseract_seconds", tesseract},
          {"tesseract_pages", tess_pages},
          {"tesseract_calls", tess_calls},
          {"tesseract_process_seconds", lane_seconds},
          {"tesseract_planned_ocr_seconds", planned},
          {"seconds", {{"pdftotext", pdftotext}, {"pdftoppm", pdftoppm},
                       {"tesseract", tesseract}, {"sum", sum}}},
          {"slowest_stage", slowest},
          {"failed_calls", errors.load()},
          {"pages_not_rendered", missing}};
}

}  // namespace archivist::bench
