#include "archivist/pipeline/watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

namespace archivist::pipeline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kDirEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF;

class Inotify {
 public:
  Inotify() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  ~Inotify() {
    if (fd_ >= 0) ::close(fd_);
  }
  Inotify(const Inotify&) = delete;
  Inotify& operator=(const Inotify&) = delete;

  int fd() const { return fd_; }

  Status AddTree(const fs::path& root) {
    ARCHIVIST_RETURN_IF_ERROR(Add(root));
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) ARCHIVIST_RETURN_IF_ERROR(Add(it->path()));
    }
    return Status::Ok();
  }

  // Drains pending events into `ready` (files written or moved in) and watches new folders.
  void Drain(std::map<std::string, Clock::time_point>& ready) {
    alignas(inotify_event) char buf[64 * 1024];
    while (true) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + ev->len;
        auto dir = dirs_.find(ev->wd);
        if (dir == dirs_.end() || ev->len == 0) continue;
        std::string name(ev->name);
        if (name.starts_with(".")) continue;  // editors' and scanners' temporary files
        fs::path path = fs::path(dir->second) / name;
        if (ev->mask & IN_ISDIR) {
          if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
            (void)AddTree(path);
            // Files already inside a folder that was moved in raise no events of their own.
            std::error_code ec;
            for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
                 it.increment(ec)) {
              if (it->is_regular_file(ec)) ready[it->path().string()] = Clock::now();
            }
          }
          continue;
        }
        if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) ready[path.string()] = Clock::now();
      }
    }
  }

 private:
  Status Add(const fs::path& dir) {
    int wd = ::inotify_add_watch(fd_, dir.c_str(), kDirEvents);
    if (wd < 0) {
      return Status::Unavailable("cannot watch '" + dir.string() + "': " + std::strerror(errno));
    }
    dirs_[wd] = dir.string();
    return Status::Ok();
  }

  int fd_;
  std::map<int, std::string> dirs_;
};

}  // namespace

Status WatchAndIngest(index::Archive& archive, const index::Embedder& embedder,
                      const std::string& dir, const IngestOptions& options,
                      const WatchOptions& watch, const std::atomic<bool>& stop,
                      const WatchCallback& on_batch) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::InvalidArgument("not a folder: " + dir);
  Inotify inotify;
  if (inotify.fd() < 0) return Status::Unavailable(std::string("inotify: ") + std::strerror(errno));
  // Watch first, then sweep: a file arriving during the sweep is seen by one or the other, and a
  // file seen by both is a duplicate by content, not a second copy.
  ARCHIVIST_RETURN_IF_ERROR(inotify.AddTree(dir));
  IngestOptions batch_options = options;
  batch_options.cancel = &stop;
  auto initial = IngestPaths(archive, embedder, {dir}, batch_options);
  if (!initial.ok()) return initial.status();
  if (on_batch) on_batch(*initial);

  std::map<std::string, Clock::time_point> pending;
  const auto settle = std::chrono::milliseconds(watch.settle_ms);
  while (!stop.load()) {
    pollfd pfd{inotify.fd(), POLLIN, 0};
    ::poll(&pfd, 1, 200);  // wake regularly to notice `stop`
    inotify.Drain(pending);
    std::vector<std::string> due;
    auto now = Clock::now();
    for (auto it = pending.begin(); it != pending.end();) {
      if (now - it->second >= settle) {
        // Gone again before it settled (a scanner's temporary file): nothing to ingest.
        if (fs::is_regular_file(it->first, ec)) due.push_back(it->first);
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    if (due.empty()) continue;
    auto report = IngestPaths(archive, embedder, due, batch_options);
    if (!report.ok()) return report.status();
    if (on_batch) on_batch(*report);
  }
  return Status::Ok();
}

}  // namespace archivist::pipeline
