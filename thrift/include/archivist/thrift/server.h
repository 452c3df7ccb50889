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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/records.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"

namespace archivist::service {

// Version of thrift/archivist.thrift this build implements (its API_VERSION constant).
std::string_view ApiVersion();

// What a token may do; each role includes the ones before it.
enum class Role { kReader = 1, kIngester = 2, kAdmin = 3 };
std::string_view RoleName(Role role);               // "reader" | "ingester" | "admin"
Result<Role> RoleFromName(std::string_view name);   // kInvalidArgument for other names

// Lower-case hex SHA-256 of `text`: how tokens are stored (`printf %s TOKEN | sha256sum`).
std::string Sha256Hex(std::string_view text);

// One API token as the server stores it: never the token itself, only its SHA-256.
struct ApiToken {
  std::string name;        // who: appears in the audit log. Required, unique
  std::string sha256_hex;  // 64 hex digits of SHA-256(token). Required
  Role role = Role::kReader;
  // Collections the token may read and write; empty: every collection. Admins see everything.
  std::vector<std::string> collections;
  int64_t expires_at = 0;  // Unix seconds after which the token is refused; 0: never

  Status Validate() const;
};

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
  // Redaction policy for answers and summaries. Default: detect, do not redact.
  pipeline::PrivacyPolicy privacy;
  // The generative model for ask/summarize calls with use_model (load it once and set
  // `generation.models`; one generation runs at a time). Not enabled: use_model is UNSUPPORTED.
  // Default: none.
  pipeline::GenerationOptions generation;

  // --- Security ----------------------------------------------------------------------------
  // Accepted tokens. Empty: authentication is off and every caller is an anonymous admin, which
  // Validate() allows only on a loopback host unless allow_anonymous is set. Default: none.
  std::vector<ApiToken> tokens;
  bool allow_anonymous = false;  // Default: false
  // TLS: both set turns TLS on (PEM files). Default: plain TCP. With TLS, Server::Create ignores
  // SIGPIPE process-wide (OpenSSL writes with write(2); a peer hanging up must not kill us).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Append-only audit log (JSON lines in a SHA-256 hash chain). Empty: no audit log. `archivist
  // serve` sets <data dir>/audit.log. Default: empty.
  std::string audit_log_path;

  // --- Limits ------------------------------------------------------------------------------
  // Calls running at once (health excepted); more get RESOURCE_EXHAUSTED at once. Default: 16.
  int max_concurrent_calls = 16;
  // A read call (search, ask, summarize, get*, list*, stats) not finished after this long
  // answers RESOURCE_EXHAUSTED; its work still holds a concurrency slot until it ends.
  // 0: no deadline. Default: 30,000 ms.
  int call_deadline_ms = 30'000;
  // Directory under which submitBatch may read (absolute). Empty: batches are refused.
  // Default: empty.
  std::string batch_root;

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
  // PEM file of the CA (or the self-signed certificate) to trust; set: TLS on, and the server's
  // certificate must match `host`. Default: empty (plain TCP).
  std::string tls_ca_file;

  Status Validate() const;
};

// One file of a batch job that could not be ingested.
struct JobFailure {
  std::string path;
  std::string stage;
  Status error;
};

enum class JobKind { kBatchIngest = 1, kAsk = 2 };
enum class JobState { kQueued = 1, kRunning = 2, kSucceeded = 3, kFailed = 4, kCancelled = 5 };
std::string_view JobStateName(JobState state);  // "queued" | "running" | ...

struct JobInfo {
  std::string job_id;
  JobKind kind = JobKind::kBatchIngest;
  JobState state = JobState::kQueued;
  std::string owner;
  int64_t submitted_at = 0;
  int64_t finished_at = 0;
  int files_done = 0;
  int files_total = 0;
  int ingested = 0;
  int duplicates = 0;
  int failed = 0;
  std::vector<JobFailure> failures;
  Status error;                          // state kFailed: why
  std::optional<pipeline::Answer> answer;  // kAsk, once kSucceeded

  bool finished() const {
    return state == JobState::kSucceeded || state == JobState::kFailed ||
           state == JobState::kCancelled;
  }
};

struct AuditRecord {
  int64_t seq = 0;
  int64_t time_ms = 0;
  std::string caller;
  std::string method;
  std::string arguments;
  std::vector<std::string> doc_ids;
  std::string outcome;  // "OK" or a StatusCodeName
  std::string hash;
};

struct AuditFilter {
  int64_t since_ms = 0;      // 0: the beginning
  int64_t until_ms = 0;      // 0: no end
  std::string caller;        // empty: anyone
  std::string method;        // empty: any
  std::string doc_id;        // empty: any
  int limit = 1000;          // newest `limit` matching entries
};

struct AuditQueryResult {
  std::vector<AuditRecord> entries;  // oldest first
  bool chain_intact = true;
  int64_t total_entries = 0;
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
  // Uses the material fields and sizes of `options` (doc_id | query | tag, collection, ...).
  virtual Result<pipeline::Summary> Summarize(const pipeline::SummarizeOptions& options) = 0;
  virtual Status DeleteDocument(const std::string& doc_id) = 0;
  // Name and document count of each collection the caller may read.
  virtual Result<std::vector<std::pair<std::string, uint64_t>>> ListCollections() = 0;
  // A batch ingest of a path on the server (under its batch root); returns the job at once.
  virtual Result<JobInfo> SubmitBatch(const std::string& path, const std::string& collection = "",
                                      const std::vector<std::string>& tags = {}) = 0;
  virtual Result<JobInfo> SubmitAsk(const std::string& question,
                                    const pipeline::AskOptions& options) = 0;
  virtual Result<JobInfo> GetJob(const std::string& job_id) = 0;
  virtual Result<JobInfo> CancelJob(const std::string& job_id) = 0;
  virtual Result<AuditQueryResult> QueryAudit(const AuditFilter& filter) = 0;
  // An online backup written by the server into target_dir (absolute, on the server; admin only).
  virtual Status Backup(const std::string& target_dir) = 0;
};

}  // namespace archivist::service
