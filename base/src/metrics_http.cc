#include "archivist/base/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace archivist::metrics {
namespace {

constexpr size_t kMaxHead = 8 << 10;

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

Result<Address> ParseListen(const std::string& listen) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("metrics listen address '" + listen + "' " + why +
                                   " (expected HOST:PORT with a numeric host, e.g. 127.0.0.1:9464)");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("has no port");
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return bad("has a bad port");
  int port = std::stoi(port_text);
  if (port > 65535) return bad("has a port above 65535");
  if (host == "localhost") host = "127.0.0.1";
  Address a;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6->sin6_addr) != 1)
      return bad("has a bad IPv6 host");
    a.len = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&a.addr);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) != 1) return bad("has a bad IPv4 host");
    a.len = sizeof(sockaddr_in);
  }
  return a;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the scraper went away; nothing to report to anyone
    off += static_cast<size_t>(n);
  }
}

void Reply(int fd, int code, const char* reason, std::string_view type, const std::string& body,
           bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
  out += "Content-Type: " + std::string(type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += body;
  SendAll(fd, out);
}

}  // namespace

struct HttpEndpoint::Thread {
  std::thread t;
};

Status HttpOptions::Validate() const {
  if (!enabled) return Status::Ok();
  auto a = ParseListen(listen);
  return a.ok() ? Status::Ok() : a.status();
}

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const HttpOptions& options,
                                                          Registry& registry,
                                                          std::function<Status()> health) {
  ARCHIVIST_ASSIGN_OR_RETURN(Address a, ParseListen(options.listen));
  std::unique_ptr<HttpEndpoint> ep(new HttpEndpoint());
  ep->registry_ = &registry;
  ep->health_ = std::move(health);
  ep->listen_fd_ = ::socket(a.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ep->listen_fd_ < 0)
    return Status::Unavailable(std::string("metrics endpoint: socket: ") + std::strerror(errno));
  int one = 1;
  (void)::setsockopt(ep->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(ep->listen_fd_, reinterpret_cast<sockaddr*>(&a.addr), a.len) != 0 ||
      ::listen(ep->listen_fd_, 16) != 0)
    return Status::Unavailable("metrics endpoint: cannot listen on " + options.listen + ": " +
                               std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(ep->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  char host[INET6_ADDRSTRLEN] = {};
  if (bound.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&bound);
    ep->port_ = ntohs(in6->sin6_port);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    ep->address_ = "[" + std::string(host) + "]:" + std::to_string(ep->port_);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&bound);
    ep->port_ = ntohs(in4->sin_port);
    inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
    ep->address_ = std::string(host) + ":" + std::to_string(ep->port_);
  }
  ep->wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (ep->wake_fd_ < 0)
    return Status::Internal(std::string("metrics endpoint: eventfd: ") + std::strerror(errno));
  ep->thread_ = std::make_unique<Thread>();
  HttpEndpoint* self = ep.get();
  ep->thread_->t = std::thread([self] { self->Loop(); });
  return ep;
}

HttpEndpoint::~HttpEndpoint() {
  if (thread_ && thread_->t.joinable()) {
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_->t.join();
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void HttpEndpoint::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
    ::close(fd);
  }
}

void HttpEndpoint::HandleConnection(int fd) {
  // A slow or silent client holds the (single) thread for at most this long.
  timeval tv{2, 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string head;
  char buf[2048];
  size_t end = std::string::npos;
  while ((end = head.find("\r\n\r\n")) == std::string::npos) {
    if (head.size() > kMaxHead) {
      Reply(fd, 431, "Request Header Fields Too Large", "text/plain", "request head too large\n",
            false);
      return;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Closed or timed out before a full head: answer what can be answered, if anything.
      if (!head.empty()) Reply(fd, 400, "Bad Request", "text/plain", "incomplete request\n", false);
      return;
    }
    head.append(buf, static_cast<size_t>(n));
  }
  std::string line = head.substr(0, head.find("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos || line.find(' ', sp2 + 1) != std::string::npos ||
      line.compare(sp2 + 1, 7, "HTTP/1.") != 0 || line.size() != sp2 + 9) {
    Reply(fd, 400, "Bad Request", "text/plain", "malformed request line\n", false);
    return;
  }
  std::string method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (size_t q = target.find('?'); q != std::string::npos) target.resize(q);
  bool head_only = method == "HEAD";
  if (target != "/metrics" && target != "/healthz") {
    Reply(fd, 404, "Not Found", "text/plain", "not found; try /metrics or /healthz\n", head_only);
    return;
  }
  if (method != "GET" && !head_only) {
    Reply(fd, 405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false);
    return;
  }
  if (target == "/metrics") {
    Reply(fd, 200, "OK", kContentType, registry_->Render(), head_only);
    return;
  }
  Status health = health_ ? health_() : Status::Ok();
  if (health.ok()) {
    Reply(fd, 200, "OK", "text/plain", "ok\n", head_only);
  } else {
    Reply(fd, 503, "Service Unavailable", "text/plain", health.ToString() + "\n", head_only);
  }
}

}  // namespace archivist::metrics
