#pragma once
// The Thrift service (thrift/archivist.thrift) over an open archive, and the C++ client the CLI's
// --remote mode uses. No Thrift types appear here: callers see Archivist types only.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/ingest_batch.h"

namespace archivist::service {

struct ServerOptions {
  std::string host = "127.0.0.1";  // Default: loopback only
  int port = 9440;                 // Default: 9440; 0 picks a free port (see Server::port())
  int worker_threads = 8;          // Default: 8 concurrent calls
  int64_t max_frame_bytes = 64ll << 20;  // Default: 64 MiB per message
  pipeline::IngestOptions ingest;  // used by the ingest call

  Status Validate() const;
};

class Server {
 public:
  // Binds the listening socket (so port() is known and errors surface here, not in Serve()).
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options,
                                                index::Archive& archive,
                                                const index::Embedder& embedder);
  virtual ~Server() = default;
  virtual int port() const = 0;
  // Serves until Stop() is called from another thread or a signal handler's flag is seen.
  virtual Status Serve() = 0;
  // Stops accepting; calls in flight finish. Safe to call from any thread.
  virtual void Stop() = 0;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Connect(const std::string& host, int port);
  virtual ~Client() = default;
  virtual Result<std::string> Health() = 0;
  virtual Result<std::vector<index::SearchHit>> Search(const std::string& query,
                                                       const index::SearchOptions& options) = 0;
  virtual Result<pipeline::Answer> Ask(const std::string& question,
                                       const pipeline::AskOptions& options) = 0;
};

}  // namespace archivist::service
