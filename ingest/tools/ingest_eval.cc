// archivist_ingest_eval: measures extraction quality and speed on a corpus (issue 3).
//
//   archivist_ingest_eval fidelity DIR [--limit N] [--timeout S]
//       Text layer of every *.pdf under DIR against `pdftotext` (default mode) on the same pages:
//       character similarity 1 - levenshtein/max(len) of whitespace-collapsed text, per page.
//       Pages below 0.9 are listed with the likely reason.
//   archivist_ingest_eval ocr DIR [--cli] [--timeout S]
//       OCR of every image under DIR with ground truth beside it (STEM.gold.txt, STEM.gt.txt,
//       STEM.txt or ../gt/STEM.gt.txt): character error rate over the collection, pages/s.
//       --cli also runs the `tesseract` command line on the same images for comparison;
//       --no-rotate turns automatic orientation detection off, --rotate-always runs it before
//       every page (default: only on pages that read with low confidence; "osd_pages" counts the
//       pages it ran on); engines are loaded before timing starts; --preprocess LIST sets the
//       Leptonica steps ("none", or a comma list of deskew, normalize_background,
//       adaptive_binarize, upscale_small; default: the library's defaults).
//   archivist_ingest_eval speed DIR [--limit N] [--timeout S]
//       Robustness and text-layer speed of the isolated (PDF worker) path: every *.pdf under DIR is
//       extracted (OCR off) in this long-lived process with the worker and a deadline of S seconds,
//       and every file must end with text or a typed error. Then, for the files all three handle,
//       wall-clock pages/s of the worker path, of in-process Poppler (same process) and of
//       `pdftotext` (one process per file, as a user would run it). Run it on a quiet machine.
//   --in-process (fidelity, ocr): run Poppler in the measuring process instead of the worker.
//
// Each file is processed in a forked child with a time limit, so a hostile file costs a
// "timeout" line, not the run. Times are CPU seconds (ours: this process; reference tools: the
// child processes), so the figures hold on a shared machine; pages/s means per core. Prints one
// JSON object per line; the last line is the summary.

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "archivist/base/file_util.h"
#include "archivist/ingest/extractor.h"
#include "text_util.h"

namespace fs = std::filesystem;
using archivist::ingest::ExtractOptions;

namespace {

std::string Collapse(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Edit distance over bytes; pages longer than the cap are skipped (-1) to bound the run time.
long Levenshtein(const std::string& a, const std::string& b) {
  if (a.size() > 30000 || b.size() > 30000) return -1;
  std::vector<long> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<long>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<long>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

double Similarity(const std::string& a, const std::string& b) {
  if (a.empty() && b.empty()) return 1.0;
  const long d = Levenshtein(a, b);
  return d < 0 ? -1.0 : 1.0 - static_cast<double>(d) / std::max(a.size(), b.size());
}

std::string Quote(const std::string& path) {
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// CPU seconds rather than wall time: the machine is shared, and per-core speed is what we compare.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// Runs `work` in a child; returns its stdout, or "" with *timed_out set.
std::string RunIsolated(const std::function<std::string()>& work, int timeout_s, bool* timed_out,
                        bool* crashed) {
  *timed_out = false;
  *crashed = false;
  int fds[2];
  if (pipe(fds) != 0) return "";
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string out = work();
    size_t off = 0;
    while (off < out.size()) {
      const ssize_t w = write(fds[1], out.data() + off, out.size() - off);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      *timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!*timed_out && WIFSIGNALED(status)) *crashed = true;
  return out;
}

std::vector<std::string> SplitPages(const std::string& text) {
  std::vector<std::string> pages;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t ff = text.find('\f', pos);
    if (ff == std::string::npos) ff = text.size();
    pages.push_back(text.substr(pos, ff - pos));
    pos = ff + 1;
  }
  return pages;
}

// --in-process: Poppler in the measuring process. The worker's CPU time is not counted by
// CpuSeconds(), so `fidelity` timings are meaningful only with it (`speed` measures both).
bool g_isolate_pdf = true;

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Child side of `fidelity`: one JSON line per page, or one error line.
std::string FidelityOfFile(const std::string& path) {
  auto bytes = archivist::ReadFile(path);
  if (!bytes.ok())
    return "{\"file\":" + Json(path) + ",\"error\":" + Json(bytes.status().ToString()) + "}\n";
  ExtractOptions options;
  options.enable_ocr = false;
  options.isolate_pdf = g_isolate_pdf;
  const double start = CpuSeconds();
  auto doc = archivist::ingest::Extract(*bytes, options);
  const double seconds = CpuSeconds() - start;
  if (!doc.ok()) {
    return "{\"file\":" + Json(path) + ",\"error\":" + Json(doc.status().ToString()) + "}\n";
  }
  options.remove_headers_footers = false;
  auto kept = archivist::ingest::Extract(*bytes, options);
  const double ref_start = ChildrenCpuSeconds();
  const std::vector<std::string> ref =
      SplitPages(RunCommand("pdftotext -q -enc UTF-8 " + Quote(path) + " - 2>/dev/null"));
  const double ref_seconds = ChildrenCpuSeconds() - ref_start;
  std::ostringstream out;
  out << "{\"file\":" << Json(path) << ",\"pages\":" << doc->pages.size()
      << ",\"seconds\":" << seconds << ",\"pdftotext_seconds\":" << ref_seconds << "}\n";
  for (size_t i = 0; i < doc->pages.size(); ++i) {
    const std::string ours = Collapse(doc->pages[i].text);
    const std::string theirs = i < ref.size() ? Collapse(ref[i]) : "";
    if (ours.empty() && theirs.empty()) continue;
    const double sim = Similarity(ours, theirs);
    if (sim < 0) continue;
    std::string reason;
    if (sim < 0.9) {
      const std::string ours_kept = kept.ok() ? Collapse(kept->pages[i].text) : ours;
      if (Similarity(ours_kept, theirs) >= 0.9) {
        reason = "running header/footer removed";
      } else if (ours.empty()) {
        reason = "no text layer found (pdftotext has some)";
      } else if (theirs.empty()) {
        reason = "pdftotext found no text";
      } else if (Similarity(ours, Collapse(archivist::ingest::NormalizeText(theirs))) >= 0.9) {
        reason = "NFKC normalization (ligatures, compatibility forms)";
      } else {
        reason = "reading order, spacing or glyph mapping differs";
      }
    }
    out << "{\"file\":" << Json(path) << ",\"page\":" << i + 1 << ",\"similarity\":" << sim;
    if (!reason.empty()) out << ",\"reason\":" << Json(reason);
    out << "}\n";
  }
  return out.str();
}

std::string FindGroundTruth(const fs::path& image) {
  const fs::path dir = image.parent_path();
  const std::string stem = image.stem().string();
  for (const fs::path& candidate :
       {dir / (stem + ".gold.txt"), dir / (stem + ".gt.txt"), dir / (stem + ".txt"),
        dir.parent_path() / "gt" / (stem + ".gt.txt")}) {
    if (fs::exists(candidate)) return candidate.string();
  }
  return "";
}

// "none" or a comma list of step names; false when a name is unknown.
bool ParsePreprocess(const std::string& list, archivist::ingest::PreprocessOptions* steps) {
  *steps = archivist::ingest::PreprocessOptions{false, false, false, false};
  if (list == "none") return true;
  std::istringstream names(list);
  std::string name;
  while (std::getline(names, name, ',')) {
    if (name == "deskew") {
      steps->deskew = true;
    } else if (name == "normalize_background") {
      steps->normalize_background = true;
    } else if (name == "adaptive_binarize") {
      steps->adaptive_binarize = true;
    } else if (name == "upscale_small") {
      steps->upscale_small = true;
    } else {
      return false;
    }
  }
  return true;
}

std::string OcrOfFile(const std::string& path, const std::string& truth_path, bool cli,
                      const ExtractOptions& options) {
  auto bytes = archivist::ReadFile(path);
  auto truth = archivist::ReadFile(truth_path);
  if (!bytes.ok() || !truth.ok()) return "{\"file\":" + Json(path) + ",\"error\":\"unreadable\"}\n";
  const double start = CpuSeconds();
  auto doc = archivist::ingest::Extract(*bytes, options);
  const double seconds = CpuSeconds() - start;
  if (!doc.ok()) {
    return "{\"file\":" + Json(path) + ",\"error\":" + Json(doc.status().ToString()) + "}\n";
  }
  std::string text;
  for (const auto& page : doc->pages) text += page.text + "\n";
  const std::string reference = Collapse(*truth);
  std::ostringstream out;
  out << "{\"file\":" << Json(path) << ",\"pages\":" << doc->pages.size()
      << ",\"seconds\":" << seconds << ",\"ref_chars\":" << reference.size()
      << ",\"edits\":" << Levenshtein(Collapse(text), reference)
      << ",\"rotation\":" << (doc->pages.empty() ? 0 : doc->pages[0].rotation_degrees)
      << ",\"skew\":" << (doc->pages.empty() ? 0 : doc->pages[0].skew_degrees)
      << ",\"conf\":" << (doc->pages.empty() ? 0 : doc->pages[0].ocr_confidence) << ",\"osd_pages\":"
      << std::count_if(doc->pages.begin(), doc->pages.end(), [](const auto& page) {
           return std::find(page.preprocess_steps.begin(), page.preprocess_steps.end(), "osd") !=
                  page.preprocess_steps.end();
         });
  if (cli) {
    const double cli_start = ChildrenCpuSeconds();
    const std::string cli_text = RunCommand("tesseract " + Quote(path) + " - -l eng 2>/dev/null");
    out << ",\"cli_seconds\":" << ChildrenCpuSeconds() - cli_start
        << ",\"cli_edits\":" << Levenshtein(Collapse(cli_text), reference);
  }
  out << "}\n";
  return out.str();
}

double NumberAfter(const std::string& line, const std::string& key) {
  const size_t pos = line.find("\"" + key + "\":");
  return pos == std::string::npos ? -1 : std::atof(line.c_str() + pos + key.size() + 3);
}

// `speed`: see the header comment. Prints one line per file that did not end with text.
int RunSpeed(const std::vector<std::string>& files, int timeout_s) {
  int ok = 0, both = 0;
  std::map<std::string, int> errors;  // typed outcome -> files
  long pages = 0;
  double isolated_s = 0, in_process_s = 0, pdftotext_s = 0, slowest = 0;
  std::string slowest_file;
  ExtractOptions options;
  options.enable_ocr = false;
  for (const std::string& file : files) {
    auto bytes = archivist::ReadFile(file);
    if (!bytes.ok()) continue;
    options.isolate_pdf = true;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    const double start = WallSeconds();
    auto doc = archivist::ingest::Extract(*bytes, options);
    const double isolated = WallSeconds() - start;
    if (isolated > slowest) {
      slowest = isolated;
      slowest_file = file;
    }
    if (!doc.ok()) {
      const std::string m = doc.status().message();
      std::string kind(archivist::StatusCodeName(doc.status().code()));
      if (m.starts_with("timeout")) kind += m.find("killed") != std::string::npos
                                                ? " (timeout, worker killed)"
                                                : " (timeout)";
      if (m.find("crashed") != std::string::npos) kind += " (worker crashed)";
      if (m.find("memory") != std::string::npos) kind += " (memory)";
      ++errors[kind];
      std::cout << "{\"file\":" << Json(file) << ",\"seconds\":" << isolated
                << ",\"error\":" << Json(doc.status().ToString()) << "}\n";
      continue;
    }
    ++ok;
    // In-process Poppler in this same long-lived process, like the worker, so both run with warm
    // caches (fontconfig, Poppler's globals). Only files the worker just handled get here: the
    // same code did not hang or crash on them.
    options.isolate_pdf = false;
    const double local_start = WallSeconds();
    const bool local_ok = archivist::ingest::Extract(*bytes, options).ok();
    const double local = WallSeconds() - local_start;
    const double ref_start = WallSeconds();
    const int rc = std::system(("timeout " + std::to_string(timeout_s) + " pdftotext -q -enc UTF-8 " +
                                Quote(file) + " /dev/null 2>/dev/null")
                                   .c_str());
    const double ref = WallSeconds() - ref_start;
    if (!local_ok || rc != 0) continue;  // only files all three handle are timed
    ++both;
    pages += static_cast<long>(doc->pages.size());
    isolated_s += isolated;
    in_process_s += local;
    pdftotext_s += ref;
  }
  std::cout << "{\"summary\":\"speed\",\"files\":" << files.size() << ",\"with_text\":" << ok
            << ",\"typed_errors\":{";
  bool first = true;
  for (const auto& [kind, count] : errors) {
    std::cout << (first ? "" : ",") << Json(kind) << ":" << count;
    first = false;
  }
  std::cout << "},\"slowest_seconds\":" << slowest << ",\"slowest_file\":" << Json(slowest_file)
            << ",\"timed_files\":" << both << ",\"timed_pages\":" << pages
            << ",\"isolated_pages_per_second\":" << (isolated_s > 0 ? pages / isolated_s : 0)
            << ",\"in_process_pages_per_second\":" << (in_process_s > 0 ? pages / in_process_s : 0)
            << ",\"pdftotext_pages_per_second\":" << (pdftotext_s > 0 ? pages / pdftotext_s : 0)
            << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: archivist_ingest_eval fidelity|ocr|speed DIR [--limit N] [--timeout S] [--cli] "
                 "[--no-rotate] [--preprocess none|STEP,...] [--in-process]\n";
    return 2;
  }
  // Tesseract's OpenMP threads must be capped to one, and libgomp reads OMP_THREAD_LIMIT when it
  // is loaded, before main(): setting it here is too late, so re-run ourselves with it set.
  const char* limit_env = std::getenv("OMP_THREAD_LIMIT");
  if (limit_env == nullptr || std::strcmp(limit_env, "1") != 0) {
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    std::cerr << "warning: could not re-exec with OMP_THREAD_LIMIT=1; OCR timings will be off\n";
  }
  const std::string mode = argv[1];
  const std::string dir = argv[2];
  int limit = 1 << 30, timeout_s = 60;
  bool cli = false;
  ExtractOptions ocr_options;
  for (int i = 3; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--limit") && i + 1 < argc)
      limit = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--timeout") && i + 1 < argc)
      timeout_s = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--cli"))
      cli = true;
    else if (!std::strcmp(argv[i], "--in-process"))
      g_isolate_pdf = false;
    else if (!std::strcmp(argv[i], "--no-rotate"))
      ocr_options.auto_rotate = false;
    else if (!std::strcmp(argv[i], "--rotate-always"))
      ocr_options.auto_rotate_always = true;
    else if (!std::strcmp(argv[i], "--preprocess") && i + 1 < argc &&
             !ParsePreprocess(argv[++i], &ocr_options.preprocess)) {
      std::cerr << "unknown preprocessing step in '" << argv[i] << "'\n";
      return 2;
    }
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    const bool pdf = ext == ".pdf";
    const bool image =
        ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".tif" || ext == ".tiff";
    if (((mode == "fidelity" || mode == "speed") && pdf) || (mode == "ocr" && image)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (static_cast<int>(files.size()) > limit) files.resize(limit);
  if (mode == "speed") return RunSpeed(files, timeout_s);

  if (mode == "ocr" && !files.empty()) {
    // Load the recognition and orientation engines here, so every forked child starts warm (as a
    // long-lived ingest does) and no mode is charged for start-up the other skips.
    ExtractOptions warm = ocr_options;
    warm.auto_rotate_always = true;
    if (auto bytes = archivist::ReadFile(files.front()); bytes.ok()) {
      (void)archivist::ingest::Extract(*bytes, warm);
    }
  }
  int ok = 0, failed = 0, timeouts = 0, crashes = 0;
  long osd_pages = 0;
  long pages = 0, low = 0, scored = 0, edits = 0, ref_chars = 0, cli_edits = 0;
  double seconds = 0, ref_seconds = 0, similarity_sum = 0;
  for (const std::string& file : files) {
    std::string truth;
    if (mode == "ocr") {
      truth = FindGroundTruth(file);
      if (truth.empty()) continue;
    }
    bool timed_out = false, crashed = false;
    const std::string out = RunIsolated(
        [&] { return mode == "ocr" ? OcrOfFile(file, truth, cli, ocr_options) : FidelityOfFile(file); },
        timeout_s, &timed_out, &crashed);
    if (timed_out || crashed) {
      (timed_out ? timeouts : crashes)++;
      std::cout << "{\"file\":" << Json(file) << ",\"error\":\""
                << (timed_out ? "timeout" : "crash") << "\"}\n";
      continue;
    }
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find("\"error\"") != std::string::npos) {
        ++failed;
        std::cout << line << "\n";
      } else if (line.find("\"similarity\"") != std::string::npos) {
        const double sim = NumberAfter(line, "similarity");
        ++scored;
        similarity_sum += sim;
        if (sim < 0.9) {
          ++low;
          std::cout << line << "\n";
        }
      } else {
        ++ok;
        pages += static_cast<long>(NumberAfter(line, "pages"));
        seconds += NumberAfter(line, "seconds");
        if (mode == "fidelity") ref_seconds += NumberAfter(line, "pdftotext_seconds");
        if (mode == "ocr") {
          std::cout << line << "\n";
          edits += static_cast<long>(NumberAfter(line, "edits"));
          osd_pages += static_cast<long>(NumberAfter(line, "osd_pages"));
          ref_chars += static_cast<long>(NumberAfter(line, "ref_chars"));
          if (cli) {
            cli_edits += static_cast<long>(NumberAfter(line, "cli_edits"));
            ref_seconds += NumberAfter(line, "cli_seconds");
          }
        }
      }
    }
  }
  std::cout << "{\"summary\":" << Json(mode) << ",\"files\":" << files.size() << ",\"ok\":" << ok
            << ",\"failed\":" << failed << ",\"timeouts\":" << timeouts
            << ",\"crashes\":" << crashes << ",\"pages\":" << pages
            << ",\"pages_per_second\":" << (seconds > 0 ? pages / seconds : 0);
  if (mode == "fidelity") {
    std::cout << ",\"scored_pages\":" << scored
              << ",\"mean_similarity\":" << (scored ? similarity_sum / scored : 0)
              << ",\"pages_below_0_9\":" << low
              << ",\"pdftotext_pages_per_second\":" << (ref_seconds > 0 ? pages / ref_seconds : 0);
  } else {
    std::cout << ",\"cer\":" << (ref_chars ? static_cast<double>(edits) / ref_chars : 0)
              << ",\"osd_pages\":" << osd_pages;
    if (cli) {
      std::cout << ",\"cli_cer\":" << (ref_chars ? static_cast<double>(cli_edits) / ref_chars : 0)
                << ",\"cli_pages_per_second\":" << (ref_seconds > 0 ? pages / ref_seconds : 0);
    }
  }
  std::cout << "}\n";
  return 0;
}
