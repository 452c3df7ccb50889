#include "pipeline_stages.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <unordered_set>

#include "archivist/base/file_util.h"
#include "archivist/base/sha256.h"
#include "archivist/index/archive.h"
#include "archivist/ingest/chunker.h"

namespace archivist::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool IsPdf(const std::string& path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".pdf") == 0;
}

// One file on its way through the passes. A document that fails a stage (or is a duplicate) is
// dropped from the later passes, as the graph drops it.
struct DocWork {
  std::string path;
  std::string bytes;
  std::string id;
  bool live = false;
  bool failed = false;
  std::atomic<bool> ocr_failed{false};
  ingest::PendingExtraction pending;
  index::DocumentBundle bundle;
};

enum Stage { kRead, kExtract, kOcr, kChunk, kEmbed, kCommit };

}  // namespace

Lanes::Lanes(int n) : lane_seconds_(static_cast<size_t>(std::max(1, n))) {
  for (int i = 0; i < std::max(1, n); ++i) threads_.emplace_back([this, i] { Loop(i); });
}

Lanes::~Lanes() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (std::thread& t : threads_) t.join();
}

double Lanes::Run(size_t count, const std::function<void(size_t)>& fn, double* item_seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  fn_ = &fn;
  count_ = count;
  next_ = 0;
  running_ = size();
  std::fill(lane_seconds_.begin(), lane_seconds_.end(), 0.0);
  ++generation_;
  const auto t = Clock::now();
  start_.notify_all();
  done_.wait(lock, [this] { return running_ == 0; });
  const double wall = SecondsSince(t);
  if (item_seconds != nullptr) {
    *item_seconds = 0;
    for (double s : lane_seconds_) *item_seconds += s;
  }
  return wall;
}

void Lanes::Loop(int lane) {
  unsigned seen = 0;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    start_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    double busy = 0;
    for (;;) {
      if (next_ >= count_) break;
      const size_t i = next_++;
      lock.unlock();
      const auto t = Clock::now();
      (*fn_)(i);
      busy += SecondsSince(t);
      lock.lock();
    }
    lane_seconds_[static_cast<size_t>(lane)] = busy;
    if (--running_ == 0) done_.notify_all();
  }
}

double StageCosts::Sum() const {
  double s = 0;
  for (double w : wall) s += w;
  return s;
}

double StageCosts::Max() const { return *std::max_element(wall.begin(), wall.end()); }

const char* StageCosts::Slowest() const {
  return kStageNames[static_cast<size_t>(std::max_element(wall.begin(), wall.end()) - wall.begin())];
}

nlohmann::json StageCosts::ToJson() const {
  nlohmann::json seconds, item_seconds;
  for (size_t s = 0; s < kStageNames.size(); ++s) {
    seconds[kStageNames[s]] = wall[s];
    item_seconds[kStageNames[s]] = items[s];
  }
  seconds["sum"] = Sum();
  return {{"threads", threads},       {"documents", docs},          {"pages", pages},
          {"ocr_pages", ocr_pages},   {"failed", failed},           {"seconds", seconds},
          {"slowest_stage", Slowest()}, {"item_seconds", item_seconds}};
}

StageCosts MeasureStages(const std::vector<std::string>& files, const std::string& data_dir,
                         const ingest::ExtractOptions& xo, int threads) {
  StageCosts c;
  c.threads = threads;
  auto embedder = index::MakeBuiltinEmbedder();
  fs::remove_all(data_dir);
  auto archive = std::move(index::Archive::Open(data_dir, embedder.get())).value();
  const ingest::ChunkOptions co;
  std::vector<DocWork> docs(files.size());
  Lanes lanes(threads);
  auto pass = [&](Stage stage, size_t count, const std::function<void(size_t)>& fn) {
    c.wall[stage] = lanes.Run(count, fn, &c.items[stage]);
  };
  auto live = [&] {
    std::vector<DocWork*> out;
    for (DocWork& d : docs) {
      if (d.live) out.push_back(&d);
    }
    return out;
  };

  pass(kRead, docs.size(), [&](size_t i) {
    DocWork& d = docs[i];
    d.path = files[i];
    auto bytes = ReadFile(d.path);
    if (!bytes.ok()) {
      d.failed = true;
      return;
    }
    d.bytes = std::move(*bytes);
    d.id = Sha256Hex(d.bytes);
    d.live = !*archive->Contains(d.id);
  });
  // Byte-identical files: the first in corpus order goes in, as in the graph.
  std::unordered_set<std::string> seen;
  for (DocWork& d : docs) d.live = d.live && seen.insert(d.id).second;

  std::vector<DocWork*> todo = live();
  pass(kExtract, todo.size(), [&](size_t i) {
    DocWork& d = *todo[i];
    auto pending = ingest::ExtractWithoutOcr(d.bytes, xo);
    if (!pending.ok()) {
      d.live = false;
      d.failed = true;
      return;
    }
    d.pending = std::move(*pending);
  });

  todo = live();
  std::vector<std::pair<DocWork*, size_t>> pages;  // (document, index into ocr_work)
  for (DocWork* d : todo) {
    for (int p : d->pending.ocr_pages) {
      const ingest::Page& pg = d->pending.document.pages[static_cast<size_t>(p - 1)];
      pages.emplace_back(d, c.ocr_work.size());
      c.ocr_work.push_back({d->path, p, IsPdf(d->path), pg.width_pt, pg.height_pt, 0.0});
    }
  }
  pass(kOcr, pages.size(), [&](size_t i) {
    auto [d, w] = pages[i];
    OcrItem& item = c.ocr_work[w];
    const auto t = Clock::now();
    if (!ingest::OcrPage(d->bytes, xo, &d->pending.document.pages[static_cast<size_t>(item.page - 1)])
             .ok()) {
      d->ocr_failed = true;
    }
    item.seconds = SecondsSince(t);
  });
  for (DocWork* d : todo) {
    if (d->ocr_failed) {
      d->live = false;
      d->failed = true;
    }
  }

  todo = live();
  pass(kChunk, todo.size(), [&](size_t i) {
    DocWork& d = *todo[i];
    index::DocumentBundle& b = d.bundle;
    b.document.doc_id = d.id;
    b.document.source_path = d.path;
    for (const ingest::Page& pg : d.pending.document.pages) {
      index::PageRecord pr;
      pr.number = pg.number;
      pr.text = pg.text;
      b.pages.push_back(std::move(pr));
    }
    for (ingest::TextChunk& ch : ingest::ChunkPages(d.pending.document.pages, co)) {
      index::ChunkRecord cr;
      cr.first_page = ch.first_page;
      cr.last_page = ch.last_page;
      cr.text = std::move(ch.text);
      b.chunks.push_back(std::move(cr));
    }
  });
  pass(kEmbed, todo.size(), [&](size_t i) {
    index::DocumentBundle& b = todo[i]->bundle;
    std::vector<std::string> texts;
    for (const auto& ch : b.chunks) texts.push_back(ch.text);
    if (!texts.empty()) b.vectors = std::move(embedder->Embed(texts)).value();
  });
  pass(kCommit, todo.size(), [&](size_t i) {
    DocWork& d = *todo[i];
    if (!archive->AddDocument(std::move(d.bundle)).ok()) {
      d.live = false;
      d.failed = true;
    }
  });
  (void)archive->Flush();

  for (const DocWork& d : docs) {
    c.failed += d.failed ? 1 : 0;
    if (!d.live) continue;
    ++c.docs;
    c.pages += static_cast<int>(d.pending.document.pages.size());
    c.ocr_pages += static_cast<int>(d.pending.ocr_pages.size());
  }
  archive.reset();
  fs::remove_all(data_dir);
  return c;
}

}  // namespace archivist::bench
