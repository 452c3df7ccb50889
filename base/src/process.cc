#include "archivist/base/process.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace archivist {

void PinOpenMpToOneThread(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::setenv("OMP_NUM_THREADS", "1", 1);
  // FAISS's BLAS (OpenBLAS) starts its own pool at load time; oneTBB owns the cores.
  ::setenv("OPENBLAS_NUM_THREADS", "1", 0);
  ::execv("/proc/self/exe", argv);
  // If re-execution is impossible we carry on; only oversubscription is lost.
}

int64_t ProcStatusKb(const std::string& pid, std::string_view field) {
  std::ifstream in("/proc/" + pid + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

}  // namespace archivist
