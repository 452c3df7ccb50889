#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace archivist {

// Call first thing in main(). OpenMP (inside FAISS and Tesseract) reads OMP_THREAD_LIMIT when the
// library loads, before main() runs, so the only reliable way to stop it starting thread pools
// beside oneTBB's is to set the variable and re-execute the program once. Measured on the samples:
// ingest with OCR is ~6x slower on 2 cores without it. No-op when the variable is already set.
void PinOpenMpToOneThread(char** argv);

// A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"; pid "self" for this process); 0 when the
// process is gone or the field is absent.
int64_t ProcStatusKb(const std::string& pid, std::string_view field);

}  // namespace archivist
