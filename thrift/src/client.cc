// Client: framed binary protocol over one TSocket, ArchivistError mapped back to Status.

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <signal.h>

#include <limits>
#include <memory>
#include <utility>

#include "ArchivistService.h"
#include "archivist/thrift/server.h"
#include "convert.h"
#include "error_mapping.h"
#include "thrift_output.h"

namespace archivist::service {
namespace {

namespace at = apache::thrift;

class ClientImpl : public Client {
 public:
  explicit ClientImpl(const ClientOptions& options) : options_(options) {
    const int frame = static_cast<int>(options.max_frame_bytes);
    // A plain copy: std::max would odr-use the class constant, which libthrift does not define.
    const int default_message = at::TConfiguration::DEFAULT_MAX_MESSAGE_SIZE;
    auto config = std::make_shared<at::TConfiguration>(std::max(frame, default_message), frame);
    if (options.tls_ca_file.empty()) {
      socket_ = std::make_shared<at::transport::TSocket>(options.host, options.port, config);
    } else {
      // The server's certificate must chain to the given CA and name the host dialled. OpenSSL
      // writes with write(2): SIGPIPE is ignored so a dropped connection is an error, not a kill.
      ::signal(SIGPIPE, SIG_IGN);
      ssl_ = std::make_shared<at::transport::TSSLSocketFactory>(
          at::transport::SSLProtocol::TLSv1_2);
      ssl_->authenticate(true);
      ssl_->loadTrustedCertificates(options.tls_ca_file.c_str());
      socket_ = ssl_->createSocket(options.host, options.port);
    }
    socket_->setConnTimeout(options.connect_timeout_ms);
    socket_->setRecvTimeout(options.call_timeout_ms);
    socket_->setSendTimeout(options.call_timeout_ms);
    transport_ = std::make_shared<at::transport::TFramedTransport>(socket_, config);
    auto protocol = std::make_shared<at::protocol::TBinaryProtocol>(transport_);
    stub_ = std::make_unique<thrift_gen::ArchivistServiceClient>(protocol);
  }

  ~ClientImpl() override {
    try {
      transport_->close();
    } catch (...) {
      // Closing a broken connection has nothing left to report.
    }
  }

  Status Open() {
    return Call([] { return Status::Ok(); });
  }

  Result<std::string> Health() override {
    thrift_gen::HealthReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->health(reply);
      return Status::Ok();
    }));
    return reply.status;
  }

  Result<std::vector<index::SearchHit>> Search(const std::string& query,
                                               const index::SearchOptions& options) override {
    thrift_gen::SearchRequest request = ToSearchRequest(query, options);
    SetToken(request);
    thrift_gen::SearchReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->search(reply, request);
      return Status::Ok();
    }));
    std::vector<index::SearchHit> hits;
    hits.reserve(reply.hits.size());
    for (const thrift_gen::SearchHit& hit : reply.hits) hits.push_back(FromThriftHit(hit));
    return hits;
  }

  Result<pipeline::Answer> Ask(const std::string& question,
                               const pipeline::AskOptions& options) override {
    thrift_gen::AskRequest request = ToAskRequest(question, options);
    SetToken(request);
    thrift_gen::AskReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->ask(reply, request);
      return Status::Ok();
    }));
    return FromThriftAnswer(reply);
  }

  Result<IngestResult> Ingest(const std::string& file_name, const std::string& content,
                              const std::string& collection,
                              const std::vector<std::string>& tags) override {
    thrift_gen::IngestRequest request;
    SetToken(request);
    request.__set_content(content);
    request.__set_file_name(file_name);
    if (!collection.empty()) request.__set_collection(collection);
    if (!tags.empty()) request.__set_tags(tags);
    thrift_gen::IngestReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->ingest(reply, request);
      return Status::Ok();
    }));
    IngestResult result;
    result.doc_id = reply.doc_id;
    switch (reply.outcome) {
      case thrift_gen::IngestOutcome::INGESTED:
        result.outcome = pipeline::Outcome::kIngested;
        break;
      case thrift_gen::IngestOutcome::DUPLICATE:
        result.outcome = pipeline::Outcome::kDuplicate;
        break;
      default:
        return Status::Internal("server sent unknown ingest outcome " +
                                std::to_string(static_cast<int>(reply.outcome)));
    }
    result.media_type = reply.media_type;
    result.pages = reply.pages;
    result.ocr_pages = reply.ocr_pages;
    result.chunks = reply.chunks;
    return result;
  }

  Result<index::DocumentRecord> GetDocument(const std::string& doc_id) override {
    thrift_gen::GetDocumentRequest request;
    SetToken(request);
    request.__set_doc_id(doc_id);
    thrift_gen::DocumentInfo reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->getDocument(reply, request);
      return Status::Ok();
    }));
    return FromThriftDocument(reply);
  }

  Result<index::PageRecord> GetPage(const std::string& doc_id, int page) override {
    thrift_gen::GetPageRequest request;
    SetToken(request);
    request.__set_doc_id(doc_id);
    request.__set_page(page);
    thrift_gen::PageInfo reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->getPage(reply, request);
      return Status::Ok();
    }));
    return FromThriftPage(reply);
  }

  Result<index::ChunkRecord> GetChunk(uint64_t chunk_id) override {
    thrift_gen::GetChunkRequest request;
    SetToken(request);
    request.__set_chunk_id(static_cast<int64_t>(chunk_id));
    thrift_gen::ChunkInfo reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->getChunk(reply, request);
      return Status::Ok();
    }));
    return FromThriftChunk(reply);
  }

  Result<DocumentList> ListDocuments(const std::string& collection, int offset,
                                     int limit) override {
    thrift_gen::ListDocumentsRequest request;
    SetToken(request);
    if (!collection.empty()) request.__set_collection(collection);
    request.__set_offset(offset);
    request.__set_limit(limit);
    thrift_gen::ListDocumentsReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->listDocuments(reply, request);
      return Status::Ok();
    }));
    DocumentList list;
    list.total = reply.total;
    for (const thrift_gen::DocumentInfo& info : reply.documents) {
      list.documents.push_back(FromThriftDocument(info));
    }
    return list;
  }

  Result<index::ArchiveStats> Stats() override {
    thrift_gen::StatsRequest request;
    SetToken(request);
    thrift_gen::StatsReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->stats(reply, request);
      return Status::Ok();
    }));
    return FromThriftStats(reply);
  }

  Result<pipeline::Summary> Summarize(const pipeline::SummarizeOptions& options) override {
    thrift_gen::SummarizeRequest request = ToSummarizeRequest(options);
    SetToken(request);
    thrift_gen::SummarizeReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->summarize(reply, request);
      return Status::Ok();
    }));
    return FromThriftSummary(reply);
  }

  Status DeleteDocument(const std::string& doc_id) override {
    thrift_gen::DeleteDocumentRequest request;
    SetToken(request);
    request.__set_doc_id(doc_id);
    thrift_gen::DeleteDocumentReply reply;
    return Call([&] {
      stub_->deleteDocument(reply, request);
      return Status::Ok();
    });
  }

  Result<std::vector<std::pair<std::string, uint64_t>>> ListCollections() override {
    thrift_gen::ListCollectionsRequest request;
    SetToken(request);
    thrift_gen::ListCollectionsReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->listCollections(reply, request);
      return Status::Ok();
    }));
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const auto& c : reply.collections) {
      out.emplace_back(c.name, c.documents < 0 ? 0 : static_cast<uint64_t>(c.documents));
    }
    return out;
  }

  Result<JobInfo> SubmitBatch(const std::string& path, const std::string& collection,
                              const std::vector<std::string>& tags) override {
    thrift_gen::SubmitBatchRequest request;
    SetToken(request);
    request.__set_path(path);
    if (!collection.empty()) request.__set_collection(collection);
    if (!tags.empty()) request.__set_tags(tags);
    return JobCall([&](thrift_gen::JobStatus& reply) { stub_->submitBatch(reply, request); });
  }

  Result<JobInfo> SubmitAsk(const std::string& question,
                            const pipeline::AskOptions& options) override {
    thrift_gen::AskRequest request = ToAskRequest(question, options);
    SetToken(request);
    return JobCall([&](thrift_gen::JobStatus& reply) { stub_->submitAsk(reply, request); });
  }

  Result<JobInfo> GetJob(const std::string& job_id) override {
    thrift_gen::JobRequest request;
    SetToken(request);
    request.__set_job_id(job_id);
    return JobCall([&](thrift_gen::JobStatus& reply) { stub_->getJob(reply, request); });
  }

  Result<JobInfo> CancelJob(const std::string& job_id) override {
    thrift_gen::JobRequest request;
    SetToken(request);
    request.__set_job_id(job_id);
    return JobCall([&](thrift_gen::JobStatus& reply) { stub_->cancelJob(reply, request); });
  }

  Result<AuditQueryResult> QueryAudit(const AuditFilter& filter) override {
    thrift_gen::AuditQueryRequest request = ToAuditRequest(filter);
    SetToken(request);
    thrift_gen::AuditQueryReply reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      stub_->queryAudit(reply, request);
      return Status::Ok();
    }));
    AuditQueryResult out;
    out.chain_intact = reply.chain_intact;
    out.total_entries = reply.total_entries;
    for (const auto& e : reply.entries) out.entries.push_back(FromThriftAudit(e));
    return out;
  }

  Status Backup(const std::string& target_dir) override {
    thrift_gen::BackupRequest request;
    SetToken(request);
    request.__set_target_dir(target_dir);
    thrift_gen::BackupReply reply;
    return Call([&] {
      stub_->backup(reply, request);
      return Status::Ok();
    });
  }

 private:
  template <typename Send>
  Result<JobInfo> JobCall(Send&& send) {
    thrift_gen::JobStatus reply;
    ARCHIVIST_RETURN_IF_ERROR(Call([&] {
      send(reply);
      return Status::Ok();
    }));
    return FromThriftJob(reply);
  }

  template <typename Request>
  void SetToken(Request& request) const {
    if (!options_.auth_token.empty()) request.__set_auth_token(options_.auth_token);
  }

  std::string Where() const { return options_.host + ":" + std::to_string(options_.port); }

  // Opens the connection if needed and runs one call. A transport failure leaves the connection
  // closed, so the next call starts on a fresh one instead of a stream in an unknown state.
  template <typename Body>
  Status Call(Body&& body) {
    try {
      if (!transport_->isOpen()) transport_->open();
      return body();
    } catch (const thrift_gen::ArchivistError& error) {
      return FromArchivistError(error);
    } catch (const at::transport::TTransportException& e) {
      CloseQuietly();
      return Status::Unavailable("archivist server " + Where() + ": " + e.what());
    } catch (const at::TApplicationException& e) {
      // The server could not run the call (unknown method, protocol error): a version mismatch
      // or a server bug, not the caller's input.
      return Status::Internal("archivist server " + Where() + " failed the call: " + e.what());
    } catch (const at::TException& e) {
      CloseQuietly();
      return Status::Internal("archivist server " + Where() + ": " + e.what());
    } catch (const std::exception& e) {
      CloseQuietly();
      return Status::Internal("archivist client: " + std::string(e.what()));
    }
  }

  void CloseQuietly() {
    try {
      transport_->close();
    } catch (...) {
      // Already broken; the next call reopens.
    }
  }

  const ClientOptions options_;
  std::shared_ptr<at::transport::TSSLSocketFactory> ssl_;  // set with TLS; outlives its sockets
  std::shared_ptr<at::transport::TSocket> socket_;
  std::shared_ptr<at::transport::TFramedTransport> transport_;
  std::unique_ptr<thrift_gen::ArchivistServiceClient> stub_;
};

}  // namespace

Status ClientOptions::Validate() const {
  if (host.empty()) return Status::InvalidArgument("server host is empty");
  if (port < 1 || port > 65535) {
    return Status::InvalidArgument("server port " + std::to_string(port) + " is not in 1..65535");
  }
  if (connect_timeout_ms < 0 || call_timeout_ms < 0) {
    return Status::InvalidArgument("client timeouts must be >= 0");
  }
  if (max_frame_bytes < 4096 || max_frame_bytes > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("max_frame_bytes must be in 4096..2^31-1");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  SilenceThriftDiagnostics();
  std::unique_ptr<ClientImpl> client;
  try {
    client = std::make_unique<ClientImpl>(options);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot set up the thrift client: ") + e.what());
  }
  ARCHIVIST_RETURN_IF_ERROR(client->Open());
  return std::unique_ptr<Client>(std::move(client));
}

Result<std::unique_ptr<Client>> Client::Connect(const std::string& host, int port) {
  ClientOptions options;
  options.host = host;
  options.port = port;
  return Connect(options);
}

}  // namespace archivist::service
