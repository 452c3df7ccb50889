#include "archivist/pipeline/ingest_batch.h"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <memory>

#include "discover.h"
#include "document_builder.h"

namespace archivist::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
using ItemPtr = std::shared_ptr<WorkItem>;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Tally(IngestReport& report, const FileResult& r) {
  switch (r.outcome) {
    case Outcome::kIngested:
      ++report.ingested;
      report.pages += r.pages;
      report.ocr_pages += r.ocr_pages;
      report.chunks += r.chunks;
      break;
    case Outcome::kDuplicate: ++report.duplicates; break;
    case Outcome::kFailed: ++report.failed; break;
  }
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kIngested: return "ingested";
    case Outcome::kDuplicate: return "duplicate";
    case Outcome::kFailed: return "failed";
  }
  return "unknown";
}

Status IngestOptions::Validate() const {
  if (collection.empty()) return Status::InvalidArgument("collection name must not be empty");
  if (threads < 0) return Status::InvalidArgument("threads must be >= 0");
  if (max_in_flight < 0) return Status::InvalidArgument("max_in_flight must be >= 0");
  ARCHIVIST_RETURN_IF_ERROR(extract.Validate());
  return chunk.Validate();
}

FileResult IngestBytes(index::Archive& archive, const index::Embedder& embedder,
                       std::string_view bytes, const std::string& source_path,
                       const IngestOptions& options) {
  auto start = Clock::now();
  WorkItem item;
  item.result.path = source_path;
  item.bytes.assign(bytes);
  if (Status s = options.Validate(); !s.ok()) {
    Fail(item, "read", s);
  } else if (bytes.empty()) {
    Fail(item, "read", Status::InvalidArgument("empty document"));
  }
  ReadStage(item, archive, options);
  ExtractStage(item, options);
  EmbedStage(item, embedder);
  CommitStage(item, archive);
  item.result.seconds = SecondsSince(start);
  return item.result;
}

Result<IngestReport> IngestPaths(index::Archive& archive, const index::Embedder& embedder,
                                 const std::vector<std::string>& paths,
                                 const IngestOptions& options, const ProgressCallback& progress) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  auto start = Clock::now();
  std::vector<DiscoveredPath> files = DiscoverFiles(paths, options.exclude);

  int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  int in_flight = options.max_in_flight > 0 ? options.max_in_flight : 2 * threads;

  IngestReport report;
  report.files.resize(files.size());
  int done = 0;
  const int total = static_cast<int>(files.size());

  tbb::task_arena arena(threads);
  arena.execute([&] {
    namespace flow = tbb::flow;
    flow::graph g;
    size_t next = 0;
    flow::input_node<ItemPtr> source(g, [&](tbb::flow_control& fc) -> ItemPtr {
      if (next >= files.size()) {
        fc.stop();
        return nullptr;
      }
      auto item = std::make_shared<WorkItem>();
      item->ordinal = next;
      item->result.path = files[next].path;
      if (!files[next].error.ok()) Fail(*item, "discover", files[next].error);
      ++next;
      return item;
    });
    // Caps documents between read and commit, so memory does not grow with the batch size.
    flow::limiter_node<ItemPtr> limiter(g, static_cast<size_t>(in_flight));
    flow::function_node<ItemPtr, ItemPtr> extract(g, flow::unlimited, [&](ItemPtr item) {
      auto t0 = Clock::now();
      ReadStage(*item, archive, options);
      ExtractStage(*item, options);
      item->result.seconds += SecondsSince(t0);
      return item;
    });
    flow::function_node<ItemPtr, ItemPtr> embed(g, flow::unlimited, [&](ItemPtr item) {
      auto t0 = Clock::now();
      EmbedStage(*item, embedder);
      item->result.seconds += SecondsSince(t0);
      return item;
    });
    // Commits are serial: RocksDB batches are ordered and the report is updated without locks.
    flow::function_node<ItemPtr, flow::continue_msg> commit(g, flow::serial, [&](ItemPtr item) {
      auto t0 = Clock::now();
      CommitStage(*item, archive);
      item->result.seconds += SecondsSince(t0);
      Tally(report, item->result);
      ++done;
      if (progress) progress(item->result, done, total);
      report.files[item->ordinal] = std::move(item->result);
      return flow::continue_msg();
    });
    flow::make_edge(source, limiter);
    flow::make_edge(limiter, extract);
    flow::make_edge(extract, embed);
    flow::make_edge(embed, commit);
    flow::make_edge(commit, limiter.decrementer());
    source.activate();
    g.wait_for_all();
  });

  if (Status s = archive.Flush(); !s.ok()) return s.WithContext("saving the vector index");
  report.seconds = SecondsSince(start);
  return report;
}

}  // namespace archivist::pipeline
