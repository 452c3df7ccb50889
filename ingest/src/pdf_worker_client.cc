// The caller half of out-of-process Poppler (pdf_worker.h): one worker process per calling
// thread, spawned with posix_spawn (the caller runs TBB threads, so fork() is not an option),
// reused across documents, killed at the document deadline and replaced after any failure.

#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "archivist/base/process.h"
#include "pdf_worker.h"
#include "pdf_worker_protocol.h"

extern char** environ;

namespace archivist::ingest {

namespace {

using Clock = std::chrono::steady_clock;
using worker::Reader;
using worker::RequestKind;
using worker::Writer;

constexpr char kWorkerName[] = "archivist-extract-worker";
// The worker checks the deadline itself between pages and answers with a timeout naming the page;
// the caller only kills it when that answer does not come shortly after.
constexpr auto kKillGrace = std::chrono::milliseconds(200);

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

bool IsExecutable(const std::string& path) {
  return !path.empty() && access(path.c_str(), X_OK) == 0;
}

std::string ExecutableDirectory() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// One worker process and its end of the socket pair.
class PdfWorker {
 public:
  PdfWorker() = default;
  PdfWorker(const PdfWorker&) = delete;
  PdfWorker& operator=(const PdfWorker&) = delete;
  ~PdfWorker() { Stop(); }

  int pid() const { return pid_; }

  // Sends `request` and returns the response payload after its restart byte. `stage` and `page`
  // name what was under way for timeout and crash messages (page 0: the whole document).
  Result<std::string> Call(const std::string& request, const ExtractOptions& options,
                           std::string_view stage, int page) {
    ARCHIVIST_RETURN_IF_ERROR(EnsureRunning(options));
    if (!worker::WriteFrame(fd_, request)) {
      // The worker died while idle (killed from outside): not this document's fault.
      Stop();
      ARCHIVIST_RETURN_IF_ERROR(EnsureRunning(options));
      if (!worker::WriteFrame(fd_, request)) return Died(stage, page);
    }
    std::string response;
    ARCHIVIST_RETURN_IF_ERROR(Receive(options.deadline, stage, page, &response));
    if (response.empty()) return Status::Internal("empty response from the PDF worker");
    if (response[0] != 0) {
      Stop();  // the worker asked to be replaced (it ran out of memory)
    } else if (options.pdf_worker_recycle_mb > 0 &&
               ProcStatusKb(std::to_string(pid_), "VmRSS") > options.pdf_worker_recycle_mb * 1024) {
      Stop();  // what it grew for this document would stay resident for the rest of the batch
      ++recycled_;
    }
    return response.substr(1);
  }

  int recycled() const { return recycled_; }

 private:
  Status EnsureRunning(const ExtractOptions& options) {
    if (pid_ > 0) {
      int status = 0;
      const bool exited = waitpid(pid_, &status, WNOHANG) == pid_;
      if (exited) pid_ = -1;
      if (exited || options.pdf_worker_memory_mb != memory_mb_ ||
          (!options.pdf_worker_path.empty() && options.pdf_worker_path != path_)) {
        Stop();
      }
    }
    if (pid_ > 0) return Status::Ok();
    ARCHIVIST_ASSIGN_OR_RETURN(std::string path, FindPdfWorker(options));
    return Start(path, options.pdf_worker_memory_mb);
  }

  Status Start(const std::string& path, int64_t memory_mb) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return Status::Unavailable(std::string("cannot create the PDF worker socket: ") +
                                 strerror(errno));
    }
    // The child gets its end as fd 3; dup2 onto a different number clears close-on-exec there.
    // Its stdout and stderr go to /dev/null: Poppler prints "Out of memory" for every allocation
    // the memory limit refuses, and nothing may mix into the caller's output; what matters comes
    // back as a Status.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int child_fd = sv[1] == 3 ? fcntl(sv[1], F_DUPFD_CLOEXEC, 10) : sv[1];
    posix_spawn_file_actions_adddup2(&actions, child_fd, 3);
    // Default signal handling and an empty mask in the worker, whatever the caller has set.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const std::string memory = std::to_string(memory_mb);
    std::vector<char*> argv = {const_cast<char*>(path.c_str()), const_cast<char*>("--fd"),
                               const_cast<char*>("3"), const_cast<char*>("--memory-mb"),
                               const_cast<char*>(memory.c_str()), nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (child_fd != sv[1]) close(child_fd);
    close(sv[1]);
    if (rc != 0) {
      close(sv[0]);
      return Status::Unavailable("cannot start the PDF worker " + path + ": " + strerror(rc));
    }
    pid_ = pid;
    fd_ = sv[0];
    path_ = path;
    memory_mb_ = memory_mb;
    return Status::Ok();
  }

  void Stop() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }

  // Reads one frame, killing the worker when the deadline (plus grace) passes first.
  Status Receive(Clock::time_point deadline, std::string_view stage, int page,
                 std::string* payload) {
    const bool bounded = deadline != Clock::time_point::max();
    // A deadline already past still gets the grace: the worker answers "timeout ... page N" at
    // its first check.
    const Clock::time_point kill_at =
        bounded ? std::max(deadline, Clock::now()) + kKillGrace : deadline;
    std::string buffer;
    uint64_t expected = UINT64_MAX;
    char chunk[1 << 16];
    while (buffer.size() < expected) {
      int timeout_ms = -1;
      if (bounded) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()).count();
        if (left <= 0) return Killed(stage, page);
        timeout_ms = static_cast<int>(std::min<int64_t>(left, INT_MAX));
      }
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;  // the loop head sees the deadline
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Died(stage, page);
      buffer.append(chunk, static_cast<size_t>(n));
      if (expected == UINT64_MAX && buffer.size() >= 8) {
        Reader(std::string_view(buffer).substr(0, 8)).U64(&expected);
        if (expected > worker::kMaxFrameBytes) {
          Stop();
          return Status::Internal("PDF worker sent an oversized frame");
        }
        expected += 8;
        buffer.reserve(static_cast<size_t>(expected));
      }
    }
    *payload = buffer.substr(8);
    return Status::Ok();
  }

  Status Killed(std::string_view stage, int page) {
    Stop();
    std::string message = "timeout: document_timeout reached inside Poppler during ";
    message.append(stage);
    if (page > 0) message += " of page " + std::to_string(page);
    return Status::ResourceExhausted(message + " (the PDF worker was killed)");
  }

  // The worker closed the socket mid-request: report how it ended.
  Status Died(std::string_view stage, int page) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    int status = 0;
    while (pid_ > 0 && waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    std::string during(stage);
    if (page > 0) during += " of page " + std::to_string(page);
    if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      if (sig == SIGKILL) {
        return Status::ResourceExhausted(
            "PDF worker was killed (SIGKILL) during " + during +
            "; usually the kernel's out-of-memory killer: lower pdf_worker_memory_mb");
      }
      return Status::Corruption("PDF worker crashed (" + SignalName(sig) + ") during " + during +
                                "; the file is probably malformed");
    }
    return Status::Internal("PDF worker exited with status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                            " during " + during);
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int recycled_ = 0;
  std::string path_;
  int64_t memory_mb_ = 0;
};

PdfWorker& ThreadWorker() {
  thread_local PdfWorker worker;
  return worker;
}

// A request's head (kind and options); the caller appends the arguments to the same buffer, so
// the document's bytes are copied into it once.
Writer Request(RequestKind kind, const ExtractOptions& options) {
  Writer w;
  w.U8(static_cast<uint8_t>(kind));
  worker::WriteOptions(options, &w);
  return w;
}

// Splits a response into its Status and, when OK, a reader over the result.
Status ReadResponseStatus(Reader* r) {
  Status status;
  if (!worker::ReadStatus(r, &status)) return Status::Internal("malformed PDF worker response");
  return status;
}

}  // namespace

Result<std::string> FindPdfWorker(const ExtractOptions& options) {
  if (!options.pdf_worker_path.empty()) {
    if (IsExecutable(options.pdf_worker_path)) return options.pdf_worker_path;
    return Status::Unavailable("PDF worker " + options.pdf_worker_path +
                               " (pdf_worker_path) is not an executable file");
  }
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("ARCHIVIST_EXTRACT_WORKER"); env != nullptr && *env) {
    candidates.push_back(env);
  }
  const std::string own_dir = ExecutableDirectory();
  if (!own_dir.empty()) candidates.push_back(own_dir + "/" + kWorkerName);
#ifdef ARCHIVIST_EXTRACT_WORKER_BUILD_PATH
  candidates.push_back(ARCHIVIST_EXTRACT_WORKER_BUILD_PATH);
#endif
#ifdef ARCHIVIST_EXTRACT_WORKER_INSTALL_PATH
  candidates.push_back(ARCHIVIST_EXTRACT_WORKER_INSTALL_PATH);
#endif
  std::string tried;
  for (const std::string& path : candidates) {
    if (IsExecutable(path)) return path;
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return Status::Unavailable(std::string(kWorkerName) + " not found (looked for " + tried +
                             "); set [ingest] pdf_worker_path, or isolate_pdf = false to run "
                             "Poppler in-process");
}

Result<PendingExtraction> ExtractPdfInWorker(std::string_view bytes,
                                             const ExtractOptions& options) {
  Writer request = Request(RequestKind::kExtract, options);
  request.Bytes(bytes);
  ARCHIVIST_ASSIGN_OR_RETURN(std::string response,
                             ThreadWorker().Call(request.data(), options, "text extraction", 0));
  Reader r(response);
  ARCHIVIST_RETURN_IF_ERROR(ReadResponseStatus(&r));
  PendingExtraction pending;
  if (!worker::ReadPending(&r, &pending) || !r.AtEnd()) {
    return Status::Internal("malformed PDF worker response (text extraction)");
  }
  return pending;
}

Result<PixHolder> RenderPdfPageInWorker(std::string_view bytes, const ExtractOptions& options,
                                        int page_number, int* dpi) {
  Writer request = Request(RequestKind::kRender, options);
  request.I32(page_number);
  request.Bytes(bytes);
  ARCHIVIST_ASSIGN_OR_RETURN(std::string response,
                             ThreadWorker().Call(request.data(), options, "rendering", page_number));
  Reader r(response);
  ARCHIVIST_RETURN_IF_ERROR(ReadResponseStatus(&r));
  worker::RenderedPage rendered;
  if (!worker::ReadRendered(&r, &rendered) || !r.AtEnd()) {
    return Status::Internal("malformed PDF worker response (rendering)");
  }
  PixHolder pix(pixCreate(rendered.width, rendered.height, 8));
  if (!pix) return Status::ResourceExhausted("out of memory allocating the page bitmap");
  std::memcpy(pixGetData(pix.get()), rendered.pixels.data(), rendered.pixels.size());
  pixSetResolution(pix.get(), rendered.dpi, rendered.dpi);
  *dpi = rendered.dpi;
  return pix;
}

namespace {

// A test request's outcome: the transport's error, else the Status the worker answered.
Status CallForTest(const std::string& request, const ExtractOptions& options,
                   std::string_view stage) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string response,
                             ThreadWorker().Call(request, options, stage, 0));
  Reader r(response);
  return ReadResponseStatus(&r);
}

}  // namespace

Status CrashPdfWorkerForTest(const ExtractOptions& options, int signal) {
  Writer request = Request(RequestKind::kTestCrash, options);
  request.I32(signal);
  return CallForTest(request.data(), options, "a test crash");
}

Status HangPdfWorkerForTest(const ExtractOptions& options) {
  return CallForTest(Request(RequestKind::kTestHang, options).data(), options, "a test hang");
}

Status ExhaustPdfWorkerMemoryForTest(const ExtractOptions& options) {
  return CallForTest(Request(RequestKind::kTestAllocate, options).data(), options, "a test allocation");
}

int PdfWorkerPidForTest() { return ThreadWorker().pid(); }

int PdfWorkerRecycledForTest() { return ThreadWorker().recycled(); }

}  // namespace archivist::ingest
