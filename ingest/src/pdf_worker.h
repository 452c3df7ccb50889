#pragma once
// Out-of-process Poppler. A PDF can hang inside one Poppler call (a decompression bomb in a
// content stream, a cyclic form tree) or crash it; neither can be stopped or survived in-process.
// So the calling thread hands the PDF to its own archivist-extract-worker process over a socket
// (pdf_worker_protocol.h), kills it with SIGKILL when the document's deadline passes, and starts a
// new one for the next document. Workers persist across documents: spawning costs one exec per
// thread, not one per document.

#include <cstdint>
#include <string>
#include <string_view>

#include "archivist/base/status.h"
#include "archivist/ingest/extractor.h"
#include "ocr.h"

namespace archivist::ingest {

// ---- Caller side (pdf_worker_client.cc) ----

// ExtractPdfInProcess() run in this thread's worker. Besides its errors: kResourceExhausted
// "timeout: ..." when options.deadline passes (the worker is killed), kCorruption "PDF worker
// crashed (SIGSEGV) ..." when Poppler crashes, kResourceExhausted "... memory limit ..." when the
// worker exceeds options.pdf_worker_memory_mb, kUnavailable when the worker cannot be found or
// started. After any of these the next call gets a fresh worker.
Result<PendingExtraction> ExtractPdfInWorker(std::string_view bytes, const ExtractOptions& options);

// RenderPdfPageInProcess() run in this thread's worker; the pixels come back to this process.
Result<PixHolder> RenderPdfPageInWorker(std::string_view bytes, const ExtractOptions& options,
                                        int page_number, int* dpi);

// The worker executable that options select (see ExtractOptions::pdf_worker_path), or
// kUnavailable listing where it was looked for.
Result<std::string> FindPdfWorker(const ExtractOptions& options);

// Test hooks acting on this thread's worker (started if needed): make it raise `signal` while
// serving a request, hang until options.deadline kills it, or allocate until its memory limit
// refuses (kUnsupported when it runs without one, e.g. under AddressSanitizer); the pid (-1
// when none is running).
Status CrashPdfWorkerForTest(const ExtractOptions& options, int signal);
Status HangPdfWorkerForTest(const ExtractOptions& options);
Status ExhaustPdfWorkerMemoryForTest(const ExtractOptions& options);
int PdfWorkerPidForTest();
// How many times this thread's worker was restarted for options.pdf_worker_recycle_mb.
int PdfWorkerRecycledForTest();

// ---- Worker side (pdf_worker.cc) ----

// Serves requests on `fd` until the caller closes it; returns the process exit code. Applies
// RLIMIT_AS = memory_mb MiB first (0: no limit; skipped under AddressSanitizer, which reserves
// terabytes of address space).
int RunPdfWorker(int fd, int64_t memory_mb);

}  // namespace archivist::ingest
