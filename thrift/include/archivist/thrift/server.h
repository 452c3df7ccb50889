#pragma once
// The Thrift service (thrift/archivist.thrift) over an open archive, and the C++ client the CLI's
// --remote mode uses. No Thrift types appear here: callers see Archivist types only.
//
// Wire format: TFramedTransport + TBinaryProtocol over TCP. Every failure a call can have reaches
// the client as the IDL's ArchivistError{code, message}; service::Client turns it back into the
// Status it came from (same code, same message). Thrift's own stderr diagnostics are silenced
// process-wide by Server::Create / Client::Connect: every failure travels as a Status instead.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/records.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"

namespace archivist::service {

// Version of thrift/archivist.thrift this build implements (its API_VERSION constant).
std::string_view ApiVersion();

struct ServerOptions {
  std::string host = "127.0.0.1";        // Default: loopback only
  int port = 9440;                       // Default: 9440; 0 picks a free port (see Server::port())
  int worker_threads = 8;                // Default: 8 concurrent connections (one thread each)
  int64_t max_frame_bytes = 64ll << 20;  // Default: 64 MiB per message; bigger frames are refused
  // Elements in one list/set/map of a request; longer ones close the connection. Default: 10,000.
  int max_list_items = 10'000;
  // A connection idle (or stalled mid-message) this long is closed, so silent clients cannot pin
  // worker threads. 0 disables. Default: 60,000 ms.
  int idle_timeout_ms = 60'000;
  // Largest k a search may ask for. Default: 1000.
  int max_k = 1000;
  // Longest query or question, in bytes. Default: 8 KiB.
  int max_query_bytes = 8 << 10;
  // When set, Serve() returns soon after the flag becomes true (a signal handler may set it).
  // Default: none.
  const std::atomic<bool>* stop_flag = nullptr;
  pipeline::IngestOptions ingest;  // used by the ingest call; its collection is the default one

  Status Validate() const;
};

class Server {
 public:
  // Binds the listening socket (so port() is known and errors surface here, not in Serve()).
  // `archive` and `embedder` must outlive the server. Errors: kInvalidArgument (options),
  // kUnavailable (the address cannot be bound, e.g. the port is taken).
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options,
                                                index::Archive& archive,
                                                const index::Embedder& embedder);
  // Destroy only after Serve() has returned (or was never called).
  virtual ~Server() = default;
  // The bound port (the actual one when options.port was 0).
  virtual int port() const = 0;
  // Serves until Stop() is called from another thread or options.stop_flag is seen. Call once.
  // Returns OK after a requested stop; an error if serving failed.
  virtual Status Serve() = 0;
  // Stops accepting and closes idle connections; calls in flight finish, then Serve() returns.
  // Safe to call from any thread, any number of times, before or during Serve().
  virtual void Stop() = 0;
};

struct ClientOptions {
  std::string host = "127.0.0.1";  // Default: loopback
  int port = 9440;                 // Default: 9440
  // Sent with every call that takes credentials. Default: "" (none).
  std::string auth_token;
  int connect_timeout_ms = 5'000;  // Default: 5 s
  // Longest wait for one reply; ingest of a large scan may need minutes. 0 = forever.
  // Default: 600,000 ms.
  int call_timeout_ms = 600'000;
  int64_t max_frame_bytes = 64ll << 20;  // Default: 64 MiB per message

  Status Validate() const;
};

// Result of Client::Ingest.
struct IngestResult {
  std::string doc_id;
  pipeline::Outcome outcome = pipeline::Outcome::kIngested;  // kIngested or kDuplicate
  std::string media_type;
  int pages = 0;
  int ocr_pages = 0;
  int chunks = 0;
};

// One page of Client::ListDocuments.
struct DocumentList {
  std::vector<index::DocumentRecord> documents;
  int64_t total = 0;  // documents matching, across all pages
};

// A connection to an Archivist server. Not thread-safe: use one Client per thread. After a
// transport failure (kUnavailable) the next call reconnects.
class Client {
 public:
  // Connects now, so an unreachable server is reported here (kUnavailable).
  static Result<std::unique_ptr<Client>> Connect(const ClientOptions& options);
  static Result<std::unique_ptr<Client>> Connect(const std::string& host, int port);
  virtual ~Client() = default;
  // "ok" when the server is serving.
  virtual Result<std::string> Health() = 0;
  // Uses options.k, mode, collection and candidates; the others are the server's.
  virtual Result<std::vector<index::SearchHit>> Search(const std::string& query,
                                                       const index::SearchOptions& options) = 0;
  virtual Result<pipeline::Answer> Ask(const std::string& question,
                                       const pipeline::AskOptions& options) = 0;
  // Ingests `content` as one document. An empty collection means the server's default.
  virtual Result<IngestResult> Ingest(const std::string& file_name, const std::string& content,
                                      const std::string& collection = "",
                                      const std::vector<std::string>& tags = {}) = 0;
  virtual Result<index::DocumentRecord> GetDocument(const std::string& doc_id) = 0;
  virtual Result<index::PageRecord> GetPage(const std::string& doc_id, int page) = 0;
  virtual Result<index::ChunkRecord> GetChunk(uint64_t chunk_id) = 0;
  // Documents of `collection` (empty: all), skipping `offset`, at most `limit` (1..1000).
  virtual Result<DocumentList> ListDocuments(const std::string& collection = "", int offset = 0,
                                             int limit = 100) = 0;
  virtual Result<index::ArchiveStats> Stats() = 0;
};

}  // namespace archivist::service
