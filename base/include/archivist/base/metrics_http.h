#pragma once
// A tiny HTTP/1.1 endpoint for Prometheus scrapes and health checks:
//   GET /metrics  -> 200, Registry::Render() (text format 0.0.4)
//   GET /healthz  -> 200 "ok" while the health callback returns OK, else 503 with its message
//   HEAD of either -> the same status and headers, no body
//   anything else -> 400 (malformed request), 404 (unknown path), 405 (other method),
//                    431 (request head over 8 KiB); the connection is closed after every reply.
// One thread serves connections one at a time with a 2 s read timeout: it is for a scraper on
// the same host, not for the public; it listens on loopback unless configured otherwise and
// never resolves names (air-gapped hosts have no resolver to ask).

#include <functional>
#include <memory>
#include <string>

#include "archivist/base/metrics.h"
#include "archivist/base/status.h"

namespace archivist::metrics {

struct HttpOptions {
  bool enabled = true;  // Default: on
  // "HOST:PORT" with a numeric IPv4 host or [IPv6]; port 0 picks a free one.
  // Default: 127.0.0.1:9464 (loopback only).
  std::string listen = "127.0.0.1:9464";
  Status Validate() const;
};

class HttpEndpoint {
 public:
  // Binds and starts serving. `registry` must outlive the endpoint. `health` (optional) is
  // called on each /healthz. Errors: kInvalidArgument (listen address), kUnavailable (bind).
  static Result<std::unique_ptr<HttpEndpoint>> Start(const HttpOptions& options,
                                                     Registry& registry,
                                                     std::function<Status()> health = {});
  ~HttpEndpoint();  // stops and joins the serving thread
  int port() const { return port_; }
  const std::string& address() const { return address_; }  // "host:port" actually bound

 private:
  HttpEndpoint() = default;
  void Loop();
  void HandleConnection(int fd);

  Registry* registry_ = nullptr;
  std::function<Status()> health_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: written by the destructor to end Loop()
  int port_ = 0;
  std::string address_;
  struct Thread;
  std::unique_ptr<Thread> thread_;
};

}  // namespace archivist::metrics
