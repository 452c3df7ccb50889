#include "archivist/base/process.h"

#include <unistd.h>

#include <cstdlib>

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

}  // namespace archivist
