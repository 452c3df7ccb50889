#include "document_builder.h"

#include <chrono>
#include <filesystem>

#include "archivist/base/file_util.h"
#include "archivist/base/sha256.h"
#include "archivist/ingest/chunker.h"

namespace archivist::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

class StageTimer {
 public:
  explicit StageTimer(double* sink) : sink_(sink), start_(Clock::now()) {}
  ~StageTimer() { *sink_ += std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  double* sink_;
  Clock::time_point start_;
};

std::string TitleFromPath(const std::string& path) {
  std::filesystem::path p(path);
  std::string stem = p.stem().string();
  if (size_t colon = stem.rfind(':'); colon != std::string::npos) stem.erase(0, colon + 1);  // "api:"
  return stem.empty() ? path : stem;
}

}  // namespace

void Fail(WorkItem& item, std::string_view stage, const Status& error) {
  item.result.outcome = Outcome::kFailed;
  item.result.stage = std::string(stage);
  item.result.error = error;
  item.bundle.reset();
  item.doc.reset();
  item.bytes.clear();
  item.bytes.shrink_to_fit();
  item.done = true;
}

void ReadStage(WorkItem& item, index::Archive& archive, const IngestOptions& options) {
  if (item.done) return;
  StageTimer timer(&item.seconds.read);
  item.extract = options.extract;
  if (options.document_timeout_seconds > 0) {
    item.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(options.document_timeout_seconds));
    item.extract.deadline = item.deadline;
  }
  if (item.bytes.empty()) {
    // The stamp is taken before reading: a file changing while it is read gets a new stamp later
    // and is read again on the next run.
    item.abs_path = AbsolutePath(item.result.path);
    Result<FileStamp> stamp = StampOf(item.result.path);
    if (!stamp.ok()) return Fail(item, "read", stamp.status());
    item.stamp = *stamp;
    Result<std::optional<ManifestEntry>> previous = LookupManifest(archive, item.abs_path);
    if (!previous.ok()) return Fail(item, "read", previous.status());
    item.previous = std::move(previous).value();
    if (!options.force && item.previous && item.previous->stamp == item.stamp) {
      // Still stored? (It may have been deleted since; then the file is read and ingested again.)
      Result<bool> present = archive.Contains(item.previous->doc_id);
      if (!present.ok()) return Fail(item, "read", present.status());
      if (*present) {
        item.result.outcome = Outcome::kDuplicate;
        item.result.unchanged = true;
        item.result.doc_id = item.previous->doc_id;
        item.result.size_bytes = item.stamp.size;
        item.done = true;
        return;
      }
    }
    Result<std::string> bytes = ReadFile(item.result.path, options.max_file_bytes);
    if (!bytes.ok()) return Fail(item, "read", bytes.status());
    item.bytes = std::move(bytes).value();
  }
  if (item.bytes.empty()) return Fail(item, "read", Status::InvalidArgument("empty file"));
  item.result.size_bytes = item.bytes.size();
  item.result.doc_id = Sha256Hex(item.bytes);
  if (item.previous && item.previous->doc_id != item.result.doc_id) {
    item.result.replaced_doc_id = item.previous->doc_id;
  }
  Result<bool> present = archive.Contains(item.result.doc_id);
  if (!present.ok()) return Fail(item, "read", present.status());
  if (*present) {
    item.result.outcome = Outcome::kDuplicate;
    item.bytes.clear();
    item.done = true;
  }
}

void ExtractStage(WorkItem& item) {
  if (item.done) return;
  StageTimer timer(&item.seconds.extract);
  Result<ingest::PendingExtraction> pending = ingest::ExtractWithoutOcr(item.bytes, item.extract);
  if (!pending.ok()) return Fail(item, "extract", pending.status());
  item.result.media_type = std::string(ingest::MediaTypeName(pending->document.media_type));
  item.doc = std::move(pending->document);
  item.ocr_pages = std::move(pending->ocr_pages);
  item.ocr_remaining = static_cast<int>(item.ocr_pages.size());
  item.result.ocr_pages = static_cast<int>(item.ocr_pages.size());
  if (item.ocr_pages.empty()) {
    item.bytes.clear();
    item.bytes.shrink_to_fit();  // keep memory flat: only OCR needs the raw bytes again
  }
}

bool OcrStage(WorkItem& item, int page_number) {
  auto start = Clock::now();
  if (!item.ocr_failed.load()) {
    ingest::Page& page = item.doc->pages[static_cast<size_t>(page_number - 1)];
    // A page still queued when the budget is spent is not started at all.
    Status s = start >= item.deadline
                   ? Status::ResourceExhausted("timeout: the document's time limit passed before OCR")
                   : ingest::OcrPage(item.bytes, item.extract, &page);
    if (!s.ok() && !item.ocr_failed.exchange(true)) {
      item.ocr_error = s.WithContext("page " + std::to_string(page_number));
    }
  }
  double spent = std::chrono::duration<double>(Clock::now() - start).count();
  // Per-page times are summed under the counter's release/acquire ordering by the last page.
  std::atomic_ref<double>(item.seconds.ocr).fetch_add(spent);
  return item.ocr_remaining.fetch_sub(1) == 1;
}

void BuildStage(WorkItem& item, const IngestOptions& options) {
  if (item.done) return;
  if (item.ocr_failed.load()) return Fail(item, "ocr", item.ocr_error);
  StageTimer timer(&item.seconds.build);
  item.bytes.clear();
  item.bytes.shrink_to_fit();
  ingest::ExtractedDocument& doc = *item.doc;

  index::DocumentBundle bundle;
  index::DocumentRecord& rec = bundle.document;
  rec.doc_id = item.result.doc_id;
  rec.source_path = item.result.path;
  rec.media_type = item.result.media_type;
  rec.title = doc.metadata.title.empty() ? TitleFromPath(item.result.path) : doc.metadata.title;
  rec.author = doc.metadata.author;
  rec.subject = doc.metadata.subject;
  rec.created = doc.metadata.created;
  rec.modified = doc.metadata.modified;
  rec.collection = options.collection;
  rec.tags = options.tags;
  rec.page_count = static_cast<int>(doc.pages.size());
  rec.ingested_at = UnixNow();
  rec.size_bytes = item.result.size_bytes;

  int ocr_pages = 0;
  for (const ingest::Page& page : doc.pages) {
    index::PageRecord pr;
    pr.number = page.number;
    pr.text = page.text;
    pr.source = std::string(ingest::PageSourceName(page.source));
    pr.ocr_confidence = page.ocr_confidence;
    pr.rotation_degrees = page.rotation_degrees;
    pr.width_pt = page.width_pt;
    pr.height_pt = page.height_pt;
    if (page.source != ingest::PageSource::kTextLayer) ++ocr_pages;
    bundle.pages.push_back(std::move(pr));
  }

  std::vector<ingest::TextChunk> chunks = ingest::ChunkPages(doc.pages, options.chunk);
  int ordinal = 0;
  for (ingest::TextChunk& chunk : chunks) {
    index::ChunkRecord cr;
    cr.doc_id = rec.doc_id;
    cr.ordinal = ordinal++;
    cr.first_page = chunk.first_page;
    cr.last_page = chunk.last_page;
    for (const ingest::PageSpan& span : chunk.spans) {
      cr.spans.push_back({span.page, span.begin, span.end});
    }
    cr.text = std::move(chunk.text);
    cr.token_count = chunk.token_count;
    cr.heading_path = std::move(chunk.heading_path);
    bundle.chunks.push_back(std::move(cr));
  }
  rec.chunk_count = static_cast<int>(bundle.chunks.size());
  item.result.pages = rec.page_count;
  item.result.ocr_pages = ocr_pages;
  item.result.chunks = rec.chunk_count;
  item.doc.reset();
  item.bundle = std::move(bundle);
}

void EmbedStage(WorkItem& item, const index::Embedder& embedder) {
  if (item.done || !item.bundle) return;
  StageTimer timer(&item.seconds.embed);
  std::vector<std::string> texts;
  texts.reserve(item.bundle->chunks.size());
  for (const index::ChunkRecord& c : item.bundle->chunks) texts.push_back(c.text);
  if (texts.empty()) return;
  Result<std::vector<std::vector<float>>> vectors = embedder.Embed(texts);
  if (!vectors.ok()) return Fail(item, "embed", vectors.status());
  item.bundle->vectors = std::move(vectors).value();
}

}  // namespace archivist::pipeline
