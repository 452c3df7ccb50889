#pragma once
// The OCR pixel budget: a page starts OCR only while the pages already in OCR (rendering plus
// Tesseract, whose Leptonica images set the batch's peak memory) hold at most `limit` pixels in
// all. A page that does not fit waits in arrival order; one larger than the whole budget runs
// alone. Waiting pages do not hold a thread: they are parked here and handed back when pages
// finish, so the threads go on with other stages meanwhile.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

namespace archivist::pipeline {

template <typename Task>
class PixelBudget {
 public:
  // limit <= 0: no budget (every page starts at once).
  explicit PixelBudget(int64_t limit) : limit_(limit) {}

  // True: `pixels` are now held and the caller runs `task`. False: the task is parked and comes
  // back from a later Release(). A page never overtakes one parked before it, so a large page is
  // not starved by a stream of small ones; and with nothing in OCR any page starts, so whatever
  // is parked always has a running page to release it.
  bool Admit(Task& task, int64_t pixels) {
    std::lock_guard lock(mu_);
    if (parked_.empty() && Fits(pixels)) {
      Hold(pixels);
      return true;
    }
    parked_.emplace_back(std::move(task), pixels);
    ++waits_;
    return false;
  }

  // Frees `pixels` (a page finished) and returns the parked tasks that fit now, in arrival order;
  // their pixels are already held, so the caller runs each of them without Admit().
  std::vector<Task> Release(int64_t pixels) {
    std::lock_guard lock(mu_);
    in_use_ -= pixels;
    std::vector<Task> ready;
    while (!parked_.empty() && Fits(parked_.front().second)) {
      Hold(parked_.front().second);
      ready.push_back(std::move(parked_.front().first));
      parked_.pop_front();
    }
    return ready;
  }

  int64_t peak() const {  // the most pixels in OCR at once
    std::lock_guard lock(mu_);
    return peak_;
  }
  int waits() const {  // pages that had to wait for the budget
    std::lock_guard lock(mu_);
    return waits_;
  }

 private:
  bool Fits(int64_t pixels) const {
    return limit_ <= 0 || in_use_ == 0 || in_use_ + pixels <= limit_;
  }
  void Hold(int64_t pixels) {
    in_use_ += pixels;
    peak_ = std::max(peak_, in_use_);
  }

  const int64_t limit_;
  mutable std::mutex mu_;
  std::deque<std::pair<Task, int64_t>> parked_;
  int64_t in_use_ = 0;
  int64_t peak_ = 0;
  int waits_ = 0;
};

}  // namespace archivist::pipeline
