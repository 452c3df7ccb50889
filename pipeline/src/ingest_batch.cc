#include "archivist/pipeline/ingest_batch.h"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <memory>
#include <tuple>

#include "archivist/base/metrics.h"
#include "archivist/base/sha256.h"
#include "archivist/pipeline/failures.h"
#include "batch_commit.h"
#include "discover.h"
#include "document_builder.h"
#include "manifest.h"
#include "ocr_budget.h"

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
    case Outcome::kDuplicate:
      ++report.duplicates;
      if (r.unchanged) ++report.unchanged;
      break;
    case Outcome::kFailed:
      ++report.failed;
      if (IsTimeout(r.error)) ++report.timeouts;
      break;
  }
  if (r.outcome != Outcome::kFailed && !r.replaced_doc_id.empty()) ++report.replaced;
}

}  // namespace

bool IsTimeout(const Status& status) {
  return status.code() == StatusCode::kResourceExhausted &&
         status.message().find("timeout") != std::string::npos;
}

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
  if (!(document_timeout_seconds >= 0))
    return Status::InvalidArgument("document_timeout_seconds must be >= 0 (0 = no limit)");
  if (commit_max_documents < 1) return Status::InvalidArgument("commit_max_documents must be >= 1");
  if (!(ocr_max_inflight_megapixels >= 0)) {
    return Status::InvalidArgument("ocr_max_inflight_megapixels must be >= 0 (0 = no budget)");
  }
  ARCHIVIST_RETURN_IF_ERROR(extract.Validate());
  return chunk.Validate();
}

namespace {

struct OcrTask {
  ItemPtr item;
  int page = 0;
  int64_t pixels = 0;     // what the page's image will hold (the budget's unit)
  bool admitted = false;  // handed back by the budget with its pixels already held
};

void AddStages(StageTotals& totals, const StageSeconds& s) {
  totals.read += s.read;
  totals.extract += s.extract;
  totals.ocr += s.ocr;
  totals.build += s.build;
  totals.embed += s.embed;
  totals.commit += s.commit;
}

}  // namespace

FileResult IngestBytes(index::Archive& archive, const index::Embedder& embedder,
                       std::string_view bytes, const std::string& source_path,
                       const IngestOptions& options) {
  auto start = Clock::now();
  auto item = std::make_shared<WorkItem>();
  item->result.path = source_path;
  item->bytes.assign(bytes);
  // The hash identifies a failed upload on the failure list even when no stage got to it.
  if (!bytes.empty()) item->result.doc_id = Sha256Hex(bytes);
  if (Status s = options.Validate(); !s.ok()) {
    Fail(*item, "read", s);
  } else if (bytes.empty()) {
    Fail(*item, "read", Status::InvalidArgument("empty document"));
  }
  ReadStage(*item, archive, options);
  ExtractStage(*item);
  if (!item->done) {
    for (int page : item->ocr_pages) OcrStage(*item, page);
  }
  BuildStage(*item, options);
  EmbedStage(*item, embedder);
  // The batch's commit: the document and its failure-list change (a failure recorded under the
  // upload's name, or an earlier one of that name cleared) go in one write.
  BatchCommitter committer(archive, options);
  committer.Add(item);
  committer.Flush();
  item->result.seconds = SecondsSince(start);
  return item->result;
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
  report.threads = threads;
  report.files.resize(files.size());
  Progress snapshot;
  snapshot.files_total = static_cast<int>(files.size());
  std::atomic<int> ocr_queued{0};
  std::vector<bool> started(files.size(), false);
  // Finish what a killed --force run left: old versions marked for retirement.
  ARCHIVIST_ASSIGN_OR_RETURN(report.retired, RetireMarked(archive));
  BatchCommitter committer(archive, options);
  std::atomic<int> to_commit{0};  // documents past the build stage, not yet taken by commit
  auto finish = [&](WorkItem& item) {
    FileResult& r = item.result;
    r.seconds = item.seconds.read + item.seconds.extract + item.seconds.ocr + item.seconds.build +
                item.seconds.embed + item.seconds.commit;
    Tally(report, r);
    metrics::IngestFinished(OutcomeName(r.outcome), r.seconds, r.error.code());  // /metrics
    AddStages(report.stage_seconds, item.seconds);
    ++snapshot.files_done;
    if (r.outcome == Outcome::kIngested) snapshot.pages_done += r.pages;
    snapshot.ocr_queued = ocr_queued.load();
    snapshot.elapsed = SecondsSince(start);
    if (progress) progress(r, snapshot);
    report.files[item.ordinal] = std::move(r);
  };

  CommitWriter writer(committer, to_commit, finish);
  // Bytes of page image, counted as 8-bit gray megapixels (a colour page counts 4 bytes a pixel).
  PixelBudget<OcrTask> ocr_budget(
      static_cast<int64_t>(options.ocr_max_inflight_megapixels * 1e6));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    namespace flow = tbb::flow;
    flow::graph g;
    size_t next = 0;
    flow::input_node<ItemPtr> source(g, [&](tbb::flow_control& fc) -> ItemPtr {
      if (next >= files.size() || (options.cancel && options.cancel->load())) {
        fc.stop();
        return nullptr;
      }
      auto item = std::make_shared<WorkItem>();
      item->ordinal = next;
      item->result.path = files[next].path;
      started[next] = true;
      metrics::IngestStarted();  // archivist_ingest_documents_in_flight
      if (!files[next].error.ok()) Fail(*item, "discover", files[next].error);
      ++next;
      return item;
    });
    // Caps documents between read and commit, so memory does not grow with the batch size.
    flow::limiter_node<ItemPtr> limiter(g, static_cast<size_t>(in_flight));
    flow::function_node<ItemPtr, ItemPtr> extract(g, flow::unlimited, [&](ItemPtr item) {
      ReadStage(*item, archive, options);
      ExtractStage(*item);
      return item;
    });
    // OCR fans out per page, so one long scan keeps every core busy instead of one.
    using Router = flow::multifunction_node<ItemPtr, std::tuple<ItemPtr, OcrTask>>;
    Router route(g, flow::unlimited, [&](ItemPtr item, Router::output_ports_type& out) {
      if (item->done || item->ocr_pages.empty()) {
        std::get<0>(out).try_put(item);
        return;
      }
      ocr_queued += static_cast<int>(item->ocr_pages.size());
      for (int page : item->ocr_pages) {
        const ingest::Page& p = item->doc->pages[static_cast<size_t>(page - 1)];
        int64_t pixels =
            ingest::OcrPageImageBytes(item->bytes, item->doc->media_type, p, item->extract);
        std::get<1>(out).try_put(OcrTask{item, page, pixels});
      }
    });
    // Port 1 feeds the node itself: pages the pixel budget parked, once pages finish.
    using OcrNode = flow::multifunction_node<OcrTask, std::tuple<ItemPtr, OcrTask>>;
    OcrNode ocr(g, flow::unlimited, [&](OcrTask task, OcrNode::output_ports_type& out) {
      if (!task.admitted && !ocr_budget.Admit(task, task.pixels)) return;
      const ItemPtr item = task.item;
      const int64_t pixels = task.pixels;
      bool last = OcrStage(*item, task.page);
      --ocr_queued;
      for (OcrTask& next : ocr_budget.Release(pixels)) {
        next.admitted = true;
        std::get<1>(out).try_put(std::move(next));
      }
      if (last) std::get<0>(out).try_put(item);
    });
    flow::function_node<ItemPtr, ItemPtr> build(g, flow::unlimited, [&](ItemPtr item) {
      BuildStage(*item, options);
      EmbedStage(*item, embedder);
      ++to_commit;
      return item;
    });
    // Hands finished documents to the writer thread (writes are serial there, and the report is
    // updated only there). A document handed over holds only its chunks and vectors, so it frees
    // its limiter slot at once; the writer's own bounds cap what waits there.
    using CommitNode = flow::multifunction_node<ItemPtr, std::tuple<flow::continue_msg>>;
    CommitNode commit(g, flow::serial, [&](ItemPtr item, CommitNode::output_ports_type& out) {
      writer.Add(std::move(item));
      --to_commit;
      writer.Notify();
      std::get<0>(out).try_put(flow::continue_msg());
    });
    flow::make_edge(source, limiter);
    flow::make_edge(limiter, extract);
    flow::make_edge(extract, route);
    flow::make_edge(flow::output_port<0>(route), build);
    flow::make_edge(flow::output_port<1>(route), ocr);
    flow::make_edge(flow::output_port<0>(ocr), build);
    flow::make_edge(flow::output_port<1>(ocr), ocr);
    flow::make_edge(build, commit);
    flow::make_edge(flow::output_port<0>(commit), limiter.decrementer());
    source.activate();
    g.wait_for_all();
  });
  writer.Close();  // the graph is idle: write what is left
  report.commits = committer.writes();
  report.retired += committer.retired();
  report.journal_errors += committer.journal_errors();
  report.ocr_peak_megapixels = static_cast<double>(ocr_budget.peak()) / 1e6;
  report.ocr_budget_waits = ocr_budget.waits();

  if (options.cancel && options.cancel->load()) {
    // Files never started are left out of the report: a rerun picks them up.
    std::vector<FileResult> finished;
    for (size_t i = 0; i < files.size(); ++i) {
      if (started[i]) finished.push_back(std::move(report.files[i]));
    }
    report.cancelled = finished.size() < files.size();
    report.files = std::move(finished);
  }
  if (Status s = archive.Flush(); !s.ok()) return s.WithContext("saving the vector index");
  report.seconds = SecondsSince(start);
  return report;
}

}  // namespace archivist::pipeline
