// The worker half of out-of-process Poppler (pdf_worker.h): a request loop over one socket.

#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "pdf_worker.h"
#include "pdf_worker_protocol.h"
#include "sources.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARCHIVIST_HAS_ASAN 1
#endif
#endif
#ifndef ARCHIVIST_HAS_ASAN
#define ARCHIVIST_HAS_ASAN 0
#endif

namespace archivist::ingest {

namespace {

using worker::Reader;
using worker::RequestKind;
using worker::Writer;

// A response whose first byte tells the caller to replace this worker (its heap may be damaged).
constexpr uint8_t kKeepWorker = 0;
constexpr uint8_t kRestartWorker = 1;

int g_fd = -1;
int64_t g_limit_bytes = 0;
std::string g_memory_frame;  // built before any request: the abort handler may not allocate

std::string MemoryMessage(int64_t memory_mb) {
  return "PDF worker reached its memory limit (pdf_worker_memory_mb = " +
         std::to_string(memory_mb) + ")";
}

// Poppler aborts when an allocation fails (gmalloc), which under RLIMIT_AS is the usual end of a
// decompression bomb. If the address space is near the limit when SIGABRT arrives, the caller is
// told "memory limit" rather than a bare crash. Only async-signal-safe calls here.
[[maybe_unused]] void OnAbort(int) {
  char buf[64] = {};
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    int64_t pages = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pages = pages * 10 + (buf[i] - '0');
    if (pages * sysconf(_SC_PAGESIZE) >= g_limit_bytes / 4 * 3) {
      const char* p = g_memory_frame.data();
      size_t left = g_memory_frame.size();
      while (left > 0) {
        const ssize_t w = write(g_fd, p, left);
        if (w <= 0) break;
        p += w;
        left -= static_cast<size_t>(w);
      }
    }
  }
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
}

void LimitMemory(int64_t memory_mb) {
#if defined(__SANITIZE_ADDRESS__) || ARCHIVIST_HAS_ASAN
  (void)memory_mb;
#else
  if (memory_mb <= 0) return;
  g_limit_bytes = memory_mb << 20;
  rlimit limit{static_cast<rlim_t>(g_limit_bytes), static_cast<rlim_t>(g_limit_bytes)};
  setrlimit(RLIMIT_AS, &limit);
  Writer response;
  response.U8(kRestartWorker);
  worker::WriteStatus(Status::ResourceExhausted(MemoryMessage(memory_mb)), &response);
  Writer frame;
  frame.U64(response.data().size());
  g_memory_frame = frame.data() + response.data();
  struct sigaction action {};
  action.sa_handler = OnAbort;
  sigemptyset(&action.sa_mask);
  sigaction(SIGABRT, &action, nullptr);
#endif
}

std::string ErrorResponse(const Status& status, uint8_t restart = kKeepWorker) {
  Writer w;
  w.U8(restart);
  worker::WriteStatus(status, &w);
  return std::move(w.data());
}

std::string Serve(std::string_view request) {
  Reader r(request);
  uint8_t kind = 0;
  ExtractOptions options;
  if (!r.U8(&kind) || !worker::ReadOptions(&r, &options)) {
    return ErrorResponse(Status::Internal("malformed request to the PDF worker"));
  }
  Writer w;
  switch (static_cast<RequestKind>(kind)) {
    case RequestKind::kExtract: {
      std::string_view bytes;
      if (!r.BytesView(&bytes)) break;
      Result<PendingExtraction> pending = ExtractPdfInProcess(bytes, options);
      if (!pending.ok()) return ErrorResponse(pending.status());
      w.U8(kKeepWorker);
      worker::WriteStatus(Status::Ok(), &w);
      worker::WritePending(*pending, &w);
      return std::move(w.data());
    }
    case RequestKind::kRender: {
      int32_t page = 0;
      std::string_view bytes;
      if (!r.I32(&page) || !r.BytesView(&bytes)) break;
      int dpi = 0;
      Result<PixHolder> pix = RenderPdfPageInProcess(bytes, options, page, &dpi);
      if (!pix.ok()) return ErrorResponse(pix.status());
      worker::RenderedPage rendered;
      rendered.width = pixGetWidth(pix->get());
      rendered.height = pixGetHeight(pix->get());
      rendered.dpi = dpi;
      // Leptonica's own word layout: both ends are the same build on the same machine, so the
      // caller copies the words back verbatim.
      rendered.pixels.assign(reinterpret_cast<const char*>(pixGetData(pix->get())),
                             static_cast<size_t>(pixGetWpl(pix->get())) * 4 * rendered.height);
      w.U8(kKeepWorker);
      worker::WriteStatus(Status::Ok(), &w);
      worker::WriteRendered(rendered, &w);
      return std::move(w.data());
    }
    case RequestKind::kTestCrash: {
      int32_t sig = 0;
      if (r.I32(&sig)) {
        signal(sig, SIG_DFL);
        raise(sig);
      }
      break;
    }
    case RequestKind::kTestHang:
      for (;;) pause();
    case RequestKind::kTestAllocate: {
      if (g_limit_bytes == 0) return ErrorResponse(Status::Unsupported("worker has no memory limit"));
      // Untouched blocks: RLIMIT_AS refuses the address space long before any RAM is used.
      std::vector<std::unique_ptr<char[]>> blocks;
      for (;;) blocks.emplace_back(new char[64 << 20]);
    }
  }
  return ErrorResponse(Status::Internal("malformed request to the PDF worker"));
}

}  // namespace

int RunPdfWorker(int fd, int64_t memory_mb) {
  g_fd = fd;
  LimitMemory(memory_mb);
  std::string request;
  while (worker::ReadFrame(fd, &request)) {
    std::string response;
    try {
      response = Serve(request);
    } catch (const std::bad_alloc&) {
      response = ErrorResponse(Status::ResourceExhausted(MemoryMessage(memory_mb)),
                               kRestartWorker);
    }
    request.clear();
    request.shrink_to_fit();
    if (!worker::WriteFrame(fd, response)) break;
  }
  return 0;
}

}  // namespace archivist::ingest
