#include "handler.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "convert.h"
#include "error_mapping.h"
#include "request_checks.h"

namespace archivist::service {
namespace {

namespace fs = std::filesystem;

// Runs one call's body; whatever goes wrong inside leaves as an ArchivistError.
template <typename Body>
void RunCall(Body&& body) {
  Status status;
  try {
    status = body();
  } catch (...) {
    throw ArchivistErrorFromCurrentException();
  }
  if (!status.ok()) throw ToArchivistError(status);
}

}  // namespace

ArchivistHandler::ArchivistHandler(const ServerOptions& options, index::Archive& archive,
                                   const index::Embedder& embedder)
    : options_(options),
      archive_(archive),
      embedder_(embedder),
      started_(std::chrono::steady_clock::now()) {}

void ArchivistHandler::health(thrift_gen::HealthReply& reply) {
  RunCall([&] {
    reply.__set_status("ok");
    reply.__set_version(ARCHIVIST_VERSION);
    reply.__set_api_version(std::string(ApiVersion()));
    reply.__set_uptime_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now() - started_)
                                   .count());
    return Status::Ok();
  });
}

void ArchivistHandler::search(thrift_gen::SearchReply& reply,
                              const thrift_gen::SearchRequest& request) {
  RunCall([&] { return Search(reply, request); });
}

void ArchivistHandler::ingest(thrift_gen::IngestReply& reply,
                              const thrift_gen::IngestRequest& request) {
  RunCall([&] { return Ingest(reply, request); });
}

void ArchivistHandler::ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request) {
  RunCall([&] { return Ask(reply, request); });
}

void ArchivistHandler::getDocument(thrift_gen::DocumentInfo& reply,
                                   const thrift_gen::GetDocumentRequest& request) {
  RunCall([&] { return GetDocument(reply, request); });
}

void ArchivistHandler::getPage(thrift_gen::PageInfo& reply,
                               const thrift_gen::GetPageRequest& request) {
  RunCall([&] { return GetPage(reply, request); });
}

void ArchivistHandler::getChunk(thrift_gen::ChunkInfo& reply,
                                const thrift_gen::GetChunkRequest& request) {
  RunCall([&] { return GetChunk(reply, request); });
}

void ArchivistHandler::listDocuments(thrift_gen::ListDocumentsReply& reply,
                                     const thrift_gen::ListDocumentsRequest& request) {
  RunCall([&] { return ListDocuments(reply, request); });
}

void ArchivistHandler::stats(thrift_gen::StatsReply& reply, const thrift_gen::StatsRequest&) {
  RunCall([&] { return Stats(reply); });
}

Status ArchivistHandler::Search(thrift_gen::SearchReply& reply,
                                const thrift_gen::SearchRequest& request) {
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_ASSIGN_OR_RETURN(index::SearchOptions search_options,
                             SearchOptionsFromRequest(request, limits));
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::SearchHit> hits,
                             archive_.Search(request.query, search_options));
  const bool include_text = request.__isset.include_text && request.include_text;
  std::vector<thrift_gen::SearchHit> out;
  out.reserve(hits.size());
  for (const index::SearchHit& hit : hits) out.push_back(ToThriftHit(hit, include_text));
  reply.__set_hits(std::move(out));
  return Status::Ok();
}

Status ArchivistHandler::Ingest(thrift_gen::IngestReply& reply,
                                const thrift_gen::IngestRequest& request) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string file_name, CheckUploadFileName(request.file_name));
  if (request.content.empty()) return Status::InvalidArgument("content is empty");
  ARCHIVIST_RETURN_IF_ERROR(CheckIngestLabels(request));

  pipeline::IngestOptions ingest_options = options_.ingest;
  if (request.__isset.collection && !request.collection.empty()) {
    ingest_options.collection = request.collection;
  }
  if (request.__isset.tags) ingest_options.tags = request.tags;

  std::lock_guard<std::mutex> lock(ingest_mutex_);
  // The upload is ingested from memory; its file name is recorded as the source (and becomes the
  // title of a document that has none), marked as coming through the API.
  const pipeline::FileResult file = pipeline::IngestBytes(
      archive_, embedder_, request.content, "api:" + file_name, ingest_options);
  switch (file.outcome) {
    case pipeline::Outcome::kIngested:
      reply.__set_outcome(thrift_gen::IngestOutcome::INGESTED);
      break;
    case pipeline::Outcome::kDuplicate:
      reply.__set_outcome(thrift_gen::IngestOutcome::DUPLICATE);
      break;
    case pipeline::Outcome::kFailed: {
      const std::string where = file_name + " (" + file.stage + ")";
      if (file.error.ok()) return Status::Internal(where + ": failed without a reason");
      return file.error.WithContext(where);
    }
  }
  reply.__set_doc_id(file.doc_id);
  reply.__set_pages(file.pages);
  reply.__set_chunks(file.chunks);
  reply.__set_ocr_pages(file.ocr_pages);
  reply.__set_media_type(file.media_type);
  return Status::Ok();
}

Status ArchivistHandler::Ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request) {
  const RequestLimits limits{options_.max_k, options_.max_query_bytes};
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::AskOptions ask_options,
                             AskOptionsFromRequest(request, limits));
  ARCHIVIST_ASSIGN_OR_RETURN(pipeline::Answer answer,
                             pipeline::Ask(archive_, request.question, ask_options));
  reply = ToThriftAnswer(answer);
  return Status::Ok();
}

Status ArchivistHandler::GetDocument(thrift_gen::DocumentInfo& reply,
                                     const thrift_gen::GetDocumentRequest& request) {
  ARCHIVIST_RETURN_IF_ERROR(CheckDocId(request.doc_id));
  ARCHIVIST_ASSIGN_OR_RETURN(index::DocumentRecord record, archive_.GetDocument(request.doc_id));
  reply = ToThriftDocument(record);
  if (request.__isset.include_pages && request.include_pages) {
    std::vector<thrift_gen::PageInfo> pages;
    pages.reserve(static_cast<size_t>(record.page_count));
    for (int number = 1; number <= record.page_count; ++number) {
      ARCHIVIST_ASSIGN_OR_RETURN(index::PageRecord page, archive_.GetPage(record.doc_id, number));
      pages.push_back(ToThriftPage(page));
    }
    reply.__set_pages(std::move(pages));
  }
  return Status::Ok();
}

Status ArchivistHandler::GetPage(thrift_gen::PageInfo& reply,
                                 const thrift_gen::GetPageRequest& request) {
  ARCHIVIST_RETURN_IF_ERROR(CheckDocId(request.doc_id));
  if (request.page < 1) return Status::InvalidArgument("page numbers start at 1");
  ARCHIVIST_ASSIGN_OR_RETURN(index::PageRecord page,
                             archive_.GetPage(request.doc_id, request.page));
  reply = ToThriftPage(page);
  return Status::Ok();
}

Status ArchivistHandler::GetChunk(thrift_gen::ChunkInfo& reply,
                                  const thrift_gen::GetChunkRequest& request) {
  if (request.chunk_id < 0) return Status::InvalidArgument("chunk_id must be >= 0");
  ARCHIVIST_ASSIGN_OR_RETURN(index::ChunkRecord chunk,
                             archive_.GetChunk(static_cast<uint64_t>(request.chunk_id)));
  reply = ToThriftChunk(chunk);
  return Status::Ok();
}

Status ArchivistHandler::ListDocuments(thrift_gen::ListDocumentsReply& reply,
                                       const thrift_gen::ListDocumentsRequest& request) {
  ARCHIVIST_ASSIGN_OR_RETURN(ListWindow window, ListWindowFromRequest(request));
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::DocumentRecord> all, archive_.ListDocuments());
  std::vector<thrift_gen::DocumentInfo> documents;
  int64_t matching = 0;
  for (const index::DocumentRecord& record : all) {
    if (!window.collection.empty() && record.collection != window.collection) continue;
    if (matching >= window.offset && documents.size() < static_cast<size_t>(window.limit)) {
      documents.push_back(ToThriftDocument(record));
    }
    ++matching;
  }
  reply.__set_documents(std::move(documents));
  reply.__set_total(matching);
  return Status::Ok();
}

Status ArchivistHandler::Stats(thrift_gen::StatsReply& reply) {
  ARCHIVIST_ASSIGN_OR_RETURN(index::ArchiveStats stats, archive_.Stats());
  reply = ToThriftStats(stats);
  return Status::Ok();
}

}  // namespace archivist::service
