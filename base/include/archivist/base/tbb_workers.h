#pragma once
// Joins oneTBB's worker threads when main() returns, before exit() tears down the libraries'
// statics. A worker's thread_local Tesseract engines destroyed during exit() crashed in
// Tesseract's Dict::End about one run in five, after the batch was committed but with buffered
// output lost. Declare it first in main(), so it outlives every task arena. Header-only: base/
// does not link oneTBB, its users do.

#include <new>

#include <oneapi/tbb/global_control.h>

namespace archivist {

class TbbWorkersJoinedAtExit {
 public:
  TbbWorkersJoinedAtExit() : handle_(tbb::attach{}) {}
  // Returns false (and does not wait) while arenas are still alive: then nothing is lost.
  ~TbbWorkersJoinedAtExit() { (void)tbb::finalize(handle_, std::nothrow); }
  TbbWorkersJoinedAtExit(const TbbWorkersJoinedAtExit&) = delete;
  TbbWorkersJoinedAtExit& operator=(const TbbWorkersJoinedAtExit&) = delete;

 private:
  tbb::task_scheduler_handle handle_;
};

}  // namespace archivist
