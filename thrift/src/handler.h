#pragma once
// The ArchivistService implementation: validates each request, calls the archive / pipeline, and
// converts the result. Every failure leaves as ArchivistError (see error_mapping.h); no other
// exception escapes a handler, so a bad call can never take the server down.

#include <chrono>
#include <mutex>

#include "ArchivistService.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/thrift/server.h"

namespace archivist::service {

class ArchivistHandler : public thrift_gen::ArchivistServiceIf {
 public:
  // `archive` and `embedder` must outlive the handler. Thread-safe: one instance serves every
  // connection.
  ArchivistHandler(const ServerOptions& options, index::Archive& archive,
                   const index::Embedder& embedder);

  void health(thrift_gen::HealthReply& reply) override;
  void search(thrift_gen::SearchReply& reply, const thrift_gen::SearchRequest& request) override;
  void ingest(thrift_gen::IngestReply& reply, const thrift_gen::IngestRequest& request) override;
  void ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request) override;
  void getDocument(thrift_gen::DocumentInfo& reply,
                   const thrift_gen::GetDocumentRequest& request) override;
  void getPage(thrift_gen::PageInfo& reply, const thrift_gen::GetPageRequest& request) override;
  void getChunk(thrift_gen::ChunkInfo& reply, const thrift_gen::GetChunkRequest& request) override;
  void listDocuments(thrift_gen::ListDocumentsReply& reply,
                     const thrift_gen::ListDocumentsRequest& request) override;
  void stats(thrift_gen::StatsReply& reply, const thrift_gen::StatsRequest& request) override;

 private:
  Status Search(thrift_gen::SearchReply& reply, const thrift_gen::SearchRequest& request);
  Status Ingest(thrift_gen::IngestReply& reply, const thrift_gen::IngestRequest& request);
  Status Ask(thrift_gen::AskReply& reply, const thrift_gen::AskRequest& request);
  Status GetDocument(thrift_gen::DocumentInfo& reply,
                     const thrift_gen::GetDocumentRequest& request);
  Status GetPage(thrift_gen::PageInfo& reply, const thrift_gen::GetPageRequest& request);
  Status GetChunk(thrift_gen::ChunkInfo& reply, const thrift_gen::GetChunkRequest& request);
  Status ListDocuments(thrift_gen::ListDocumentsReply& reply,
                       const thrift_gen::ListDocumentsRequest& request);
  Status Stats(thrift_gen::StatsReply& reply);

  const ServerOptions options_;
  index::Archive& archive_;
  const index::Embedder& embedder_;
  const std::chrono::steady_clock::time_point started_;
  // One upload at a time: a batch already uses every core, and spooled bytes stay bounded.
  std::mutex ingest_mutex_;
};

}  // namespace archivist::service
