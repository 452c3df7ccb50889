// Server: a TThreadPoolServer over a TServerSocket that is bound in Create(), framed binary
// protocol with the size limits of ServerOptions.

#include "archivist/thrift/server.h"

#include <thrift/TConfiguration.h>
#include <thrift/concurrency/ThreadFactory.h>
#include <thrift/concurrency/ThreadManager.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadPoolServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLServerSocket.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TServerSocket.h>

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ArchivistService.h"
#include "archivist_constants.h"
#include "audit_log.h"
#include "handler.h"
#include "metrics_events.h"
#include "thrift_output.h"

namespace archivist::service {
namespace {

namespace at = apache::thrift;

// TServerFramework::serve() calls listen() itself; the socket is already listening (bound in
// Create so the port is known early), and listening twice would bind a second socket.
template <typename Base>
class BoundServerSocket : public Base {
 public:
  using Base::Base;
  void listen() override {
    if (!this->isOpen()) Base::listen();
  }
};

// Plain TCP, or TLS with the configured certificate and key (no client certificates: callers
// authenticate with tokens).
Result<std::shared_ptr<at::transport::TServerSocket>> MakeServerSocket(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty()) {
    return std::shared_ptr<at::transport::TServerSocket>(
        std::make_shared<BoundServerSocket<at::transport::TServerSocket>>(options.host,
                                                                          options.port));
  }
  // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a client that hangs up mid-reply would
  // kill the process with SIGPIPE. Ignored process-wide, as servers do; the write fails instead.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    auto factory = std::make_shared<at::transport::TSSLSocketFactory>(
        at::transport::SSLProtocol::TLSv1_2);
    factory->server(true);
    factory->authenticate(false);
    factory->loadCertificate(options.tls_cert_file.c_str());
    factory->loadPrivateKey(options.tls_key_file.c_str());
    return std::shared_ptr<at::transport::TServerSocket>(
        std::make_shared<BoundServerSocket<at::transport::TSSLServerSocket>>(
            options.host, options.port, factory));
  } catch (const at::TException& e) {
    return Status::InvalidArgument("TLS certificate " + options.tls_cert_file + " / key " +
                                   options.tls_key_file + ": " + e.what());
  }
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}

// TFramedTransportFactory cannot carry a TConfiguration, and the frame limit lives there.
class LimitedFramedTransportFactory : public at::transport::TTransportFactory {
 public:
  explicit LimitedFramedTransportFactory(std::shared_ptr<at::TConfiguration> config)
      : config_(std::move(config)) {}
  std::shared_ptr<at::transport::TTransport> getTransport(
      std::shared_ptr<at::transport::TTransport> transport) override {
    return std::make_shared<at::transport::TFramedTransport>(std::move(transport), config_);
  }

 private:
  std::shared_ptr<at::TConfiguration> config_;
};

class ServerImpl : public Server {
 public:
  ServerImpl(const ServerOptions& options, std::unique_ptr<AuditLog> audit,
             std::shared_ptr<ArchivistHandler> handler,
             std::shared_ptr<at::transport::TServerSocket> socket,
             std::shared_ptr<at::server::TThreadPoolServer> server)
      : options_(options),
        audit_(std::move(audit)),
        handler_(std::move(handler)),
        socket_(std::move(socket)),
        server_(std::move(server)) {}

  ~ServerImpl() override { Stop(); }

  int port() const override { return socket_->getPort(); }

  Status Serve() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (serve_called_) return Status::InvalidArgument("Server::Serve() may be called only once");
      serve_called_ = true;
      if (stop_requested_) return Status::Ok();
      serving_ = true;
    }
    std::thread watcher;
    if (options_.stop_flag != nullptr) watcher = std::thread([this] { WatchStopFlag(); });

    Status status;
    try {
      server_->serve();
    } catch (const std::exception& e) {
      status = Status::Internal(std::string("thrift server failed: ") + e.what());
    } catch (...) {
      status = Status::Internal("thrift server failed with an unknown exception");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      serving_ = false;
      done_ = true;
    }
    done_cv_.notify_all();
    if (watcher.joinable()) watcher.join();
    return status;
  }

  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_ || stop_requested_) return;
    stop_requested_ = true;
    // Interrupts accept() and idle connections; TThreadPoolServer::serve() then waits for the
    // calls in flight before it returns.
    if (serving_) server_->stop();
    // Batch jobs stop starting files; the ones in flight finish before the handler goes away.
    handler_->CancelAllJobs();
    done_cv_.notify_all();
  }

 private:
  void WatchStopFlag() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_ && !stop_requested_) {
      if (options_.stop_flag->load()) {
        lock.unlock();
        Stop();
        return;
      }
      // A signal handler cannot notify a condition variable, so the flag is polled.
      done_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  const ServerOptions options_;
  // Declared first so it is destroyed last: the handler writes to it until it is gone.
  std::unique_ptr<AuditLog> audit_;
  std::shared_ptr<ArchivistHandler> handler_;
  std::shared_ptr<at::transport::TServerSocket> socket_;
  std::shared_ptr<at::server::TThreadPoolServer> server_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool serve_called_ = false;
  bool serving_ = false;
  bool stop_requested_ = false;
  bool done_ = false;
};

}  // namespace

std::string_view ApiVersion() { return thrift_gen::g_archivist_constants.API_VERSION; }

Status ServerOptions::Validate() const {
  if (host.empty()) return Status::InvalidArgument("server host is empty");
  if (port < 0 || port > 65535) {
    return Status::InvalidArgument("server port " + std::to_string(port) + " is not in 0..65535");
  }
  if (worker_threads < 1 || worker_threads > 4096) {
    return Status::InvalidArgument("worker_threads must be in 1..4096");
  }
  // The transport's limits are ints, and a frame must hold at least a small call.
  if (max_frame_bytes < 4096 || max_frame_bytes > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("max_frame_bytes must be in 4096..2^31-1");
  }
  if (max_list_items < 1) return Status::InvalidArgument("max_list_items must be positive");
  if (idle_timeout_ms < 0) return Status::InvalidArgument("idle_timeout_ms must be >= 0");
  if (max_k < 1) return Status::InvalidArgument("max_k must be positive");
  if (max_query_bytes < 1) return Status::InvalidArgument("max_query_bytes must be positive");
  if (max_concurrent_calls < 1) {
    return Status::InvalidArgument("max_concurrent_calls must be positive");
  }
  if (call_deadline_ms < 0) return Status::InvalidArgument("call_deadline_ms must be >= 0");
  if (tls_cert_file.empty() != tls_key_file.empty()) {
    return Status::InvalidArgument("TLS needs both tls_cert and tls_key");
  }
  std::vector<std::string> names;
  for (const ApiToken& token : tokens) {
    ARCHIVIST_RETURN_IF_ERROR(token.Validate());
    for (const std::string& name : names) {
      if (name == token.name) {
        return Status::InvalidArgument("two tokens are named '" + token.name + "'");
      }
    }
    names.push_back(token.name);
  }
  if (tokens.empty() && !allow_anonymous && !IsLoopback(host)) {
    return Status::InvalidArgument(
        "serving on " + host +
        " without tokens would let anyone on the network in as admin: configure "
        "[[server.tokens]] or set server.allow_anonymous = true");
  }
  if (!batch_root.empty() && !std::filesystem::path(batch_root).is_absolute()) {
    return Status::InvalidArgument("batch_root must be an absolute path");
  }
  return ingest.Validate();
}

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options,
                                               index::Archive& archive,
                                               const index::Embedder& embedder) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  SilenceThriftDiagnostics();
  std::unique_ptr<AuditLog> audit;
  if (!options.audit_log_path.empty()) {
    ARCHIVIST_ASSIGN_OR_RETURN(audit, AuditLog::Open(options.audit_log_path));
  }
  try {
    ARCHIVIST_ASSIGN_OR_RETURN(std::shared_ptr<at::transport::TServerSocket> socket,
                               MakeServerSocket(options));
    socket->setRecvTimeout(options.idle_timeout_ms);
    socket->setSendTimeout(options.idle_timeout_ms);
    try {
      socket->listen();
    } catch (const at::transport::TTransportException& e) {
      return Status::Unavailable("cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + ": " + e.what());
    }

    const int frame = static_cast<int>(options.max_frame_bytes);
    // A plain copy: std::max would odr-use the class constant, which libthrift does not define.
    const int default_message = at::TConfiguration::DEFAULT_MAX_MESSAGE_SIZE;
    auto config = std::make_shared<at::TConfiguration>(std::max(frame, default_message), frame);
    auto transports = std::make_shared<LimitedFramedTransportFactory>(config);
    // Strict reads refuse messages without a version header (wrong protocol); strings may be as
    // long as a frame, containers are bounded separately.
    auto protocols = std::make_shared<at::protocol::TBinaryProtocolFactory>(
        frame, options.max_list_items, /*strict_read=*/true, /*strict_write=*/true);

    auto handler = std::make_shared<ArchivistHandler>(options, archive, embedder, audit.get());
    auto processor = std::make_shared<thrift_gen::ArchivistServiceProcessor>(handler);
    processor->setEventHandler(MakeMetricsEventHandler());  // archivist_request_duration_seconds

    auto threads = at::concurrency::ThreadManager::newSimpleThreadManager(
        static_cast<size_t>(options.worker_threads));
    threads->threadFactory(std::make_shared<at::concurrency::ThreadFactory>());
    threads->start();

    auto server = std::make_shared<at::server::TThreadPoolServer>(processor, socket, transports,
                                                                  protocols, threads);
    return std::unique_ptr<Server>(
        new ServerImpl(options, std::move(audit), std::move(handler), socket, server));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cannot set up the thrift server: ") + e.what());
  }
}

}  // namespace archivist::service
