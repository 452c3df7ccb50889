// archivist-extract-worker: runs Poppler for ExtractWithoutOcr()/OcrPage() in a process the
// caller can kill (ingest/src/pdf_worker.h). Started by the library, not by people:
//   archivist-extract-worker --fd N --memory-mb M

#include <fontconfig/fontconfig.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pdf_worker.h"

int main(int argc, char** argv) {
  int fd = -1;
  long long memory_mb = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--fd") == 0) {
      fd = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--memory-mb") == 0) {
      memory_mb = std::atoll(argv[i + 1]);
    }
  }
  if (fd < 0) {
    std::fprintf(stderr,
                 "archivist-extract-worker is started by archivist to run Poppler in a separate "
                 "process; usage: archivist-extract-worker --fd N [--memory-mb M]\n");
    return 2;
  }
  // Poppler's fontconfig would otherwise read caches and configuration under $HOME; the archive
  // touches nothing outside its data directory (the air-gap test checks the worker too). Must run
  // before the first PDF is opened.
  FcConfigEnableHome(FcFalse);
  return archivist::ingest::RunPdfWorker(fd, memory_mb);
}
