// The metrics registry's exposition text, and the HTTP endpoint scraped over a real loopback socket.

#include "archivist/base/metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <thread>

#include "archivist/base/metrics_http.h"

namespace archivist::metrics {
namespace {

// Parses exposition text into "name{labels}" -> value, checking every line is a comment or a
// sample and that every sample's family had a TYPE line before it.
std::map<std::string, double> ParseExposition(const std::string& text) {
  std::map<std::string, double> out;
  std::map<std::string, std::string> types;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
      EXPECT_EQ(types.count(name), 0u) << "duplicate TYPE: " << line;
      types[name] = type;
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    EXPECT_FALSE(line.empty());
    size_t sp = line.rfind(' ');
    EXPECT_NE(sp, std::string::npos) << line;
    if (sp == std::string::npos) continue;
    std::string key = line.substr(0, sp);
    std::string name = key.substr(0, key.find('{'));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (!types.count(family) && name.size() > s.size() &&
          name.compare(name.size() - s.size(), s.size(), s) == 0)
        family = name.substr(0, name.size() - s.size());
    }
    EXPECT_TRUE(types.count(family)) << "sample without TYPE: " << line;
    out[key] = std::stod(line.substr(sp + 1));
  }
  return out;
}

TEST(MetricsTest, CountersGaugesAndLabelEscaping) {
  Registry r;
  ASSERT_TRUE(r.DeclareCounter("t_events_total", "Events\nseen", {"kind"}).ok());
  ASSERT_TRUE(r.DeclareGauge("t_level", "A level").ok());
  r.Counter("t_events_total", {"a\"b\\c\nd"}).Inc(3);
  r.Counter("t_events_total", {"plain"}).Inc();
  r.Counter("t_events_total", {"plain"}).Inc();
  r.Gauge("t_level").Set(2.5);
  r.Gauge("t_level").Add(-1);
  std::string text = r.Render();
  EXPECT_NE(text.find("# HELP t_events_total Events\\nseen\n"), std::string::npos) << text;
  auto m = ParseExposition(text);
  EXPECT_EQ(m["t_events_total{kind=\"a\\\"b\\\\c\\nd\"}"], 3);
  EXPECT_EQ(m["t_events_total{kind=\"plain\"}"], 2);
  EXPECT_EQ(m["t_level"], 1.5);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndInclusive) {
  Registry r;
  ASSERT_TRUE(r.DeclareHistogram("t_seconds", "Latency", {0.1, 1, 10}, {"method"}).ok());
  Histogram& h = r.Histogram("t_seconds", {"search"});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) h.Observe(v);
  auto m = ParseExposition(r.Render());
  EXPECT_EQ(m["t_seconds_bucket{method=\"search\",le=\"0.10000000000000001\"}"], 2);
  EXPECT_EQ(m["t_seconds_bucket{method=\"search\",le=\"1\"}"], 4);
  EXPECT_EQ(m["t_seconds_bucket{method=\"search\",le=\"10\"}"], 5);
  EXPECT_EQ(m["t_seconds_bucket{method=\"search\",le=\"+Inf\"}"], 6);
  EXPECT_EQ(m["t_seconds_count{method=\"search\"}"], 6);
  EXPECT_DOUBLE_EQ(m["t_seconds_sum{method=\"search\"}"], 56.65);
}

TEST(MetricsTest, BadDeclarationsAndMisuseDoNotCrash) {
  Registry r;
  EXPECT_FALSE(r.DeclareCounter("9bad", "x").ok());
  EXPECT_FALSE(r.DeclareCounter("ok_total", "x", {"bad-label"}).ok());
  EXPECT_FALSE(r.DeclareHistogram("h", "x", {2, 1}).ok());
  EXPECT_FALSE(r.DeclareHistogram("h", "x", {1}, {"le"}).ok());
  ASSERT_TRUE(r.DeclareCounter("c_total", "x", {"a"}).ok());
  EXPECT_TRUE(r.DeclareCounter("c_total", "x", {"a"}).ok());
  EXPECT_FALSE(r.DeclareGauge("c_total", "x", {"a"}).ok());
  r.Counter("c_total").Inc();            // wrong label count: a detached dummy
  r.Counter("undeclared_total").Inc();   // undeclared: a detached dummy
  r.Gauge("c_total", {"x"}).Set(5);      // wrong kind
  auto m = ParseExposition(r.Render());
  EXPECT_EQ(m.count("c_total"), 0u);
  EXPECT_EQ(m.count("undeclared_total"), 0u);
}

TEST(MetricsTest, CollectorsReportAtScrapeTimeUntilTheHandleDies) {
  Registry r;
  int documents = 7;
  {
    CollectorHandle h = r.AddCollector([&](std::vector<Sample>* out) {
      out->push_back({"t_documents", "Documents", {}, double(documents)});
      out->push_back({"t_by_type", "By type", {{"type", "pdf"}}, 2});
      out->push_back({"t_by_type", "By type", {{"type", "png"}}, 3});
    });
    documents = 9;
    auto m = ParseExposition(r.Render());
    EXPECT_EQ(m["t_documents"], 9);
    EXPECT_EQ(m["t_by_type{type=\"pdf\"}"], 2);
    EXPECT_EQ(m["t_by_type{type=\"png\"}"], 3);
  }
  EXPECT_EQ(r.Render().find("t_documents"), std::string::npos);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  ASSERT_TRUE(r.DeclareCounter("c_total", "x").ok());
  ASSERT_TRUE(r.DeclareHistogram("h_seconds", "x", LatencyBuckets()).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        r.Counter("c_total").Inc();
        r.Histogram("h_seconds").Observe(0.002);
      }
    });
  }
  std::string during = r.Render();  // rendering while writers run must be safe
  for (auto& t : threads) t.join();
  auto m = ParseExposition(r.Render());
  EXPECT_EQ(m["c_total"], 40000);
  EXPECT_EQ(m["h_seconds_count"], 40000);
  EXPECT_EQ(m["h_seconds_bucket{le=\"0.0025000000000000001\"}"], 40000);
  EXPECT_FALSE(during.empty());
}

TEST(MetricsTest, DefaultRegistryHasTheStandardFamilies) {
  SetBuildInfo("1.2.3");
  IngestStarted();
  IngestFinished("failed", 0.2, StatusCode::kUnsupported);
  RequestFinished("search", 0.003);
  auto m = ParseExposition(Default().Render());
  EXPECT_EQ(m["archivist_build_info{version=\"1.2.3\"}"], 1);
  EXPECT_GE(m["archivist_ingest_documents_total{outcome=\"failed\"}"], 1);
  EXPECT_GE(m["archivist_errors_total{source=\"ingest\",code=\"unsupported\"}"], 1);
  EXPECT_GE(m["archivist_request_duration_seconds_count{method=\"search\"}"], 1);
  EXPECT_EQ(m.count("archivist_ingest_documents_in_flight"), 1u);
}

// ---- the HTTP endpoint, scraped with a plain socket ------------------------------------------

std::string Exchange(int port, const std::string& request, bool half_close = true) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "connect failed";
  }
  size_t off = 0;
  while (off < request.size()) {
    ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return reply;
}

int StatusOf(const std::string& reply) {
  if (reply.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::stoi(reply.substr(9, 3));
}

std::string BodyOf(const std::string& reply) {
  size_t p = reply.find("\r\n\r\n");
  return p == std::string::npos ? "" : reply.substr(p + 4);
}

TEST(MetricsHttpTest, ServesMetricsAndHealthOverLoopback) {
  Registry r;
  ASSERT_TRUE(r.DeclareCounter("t_scrapes_total", "x").ok());
  r.Counter("t_scrapes_total").Inc(42);
  bool healthy = true;
  HttpOptions o;
  o.listen = "127.0.0.1:0";
  auto ep = HttpEndpoint::Start(o, r, [&] {
    return healthy ? Status::Ok() : Status::Unavailable("store closed");
  });
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  int port = (*ep)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ((*ep)->address(), "127.0.0.1:" + std::to_string(port));

  std::string reply = Exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(StatusOf(reply), 200) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_EQ(ParseExposition(BodyOf(reply))["t_scrapes_total"], 42);

  reply = Exchange(port, "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(StatusOf(reply), 200);
  EXPECT_EQ(BodyOf(reply), "ok\n");
  healthy = false;
  reply = Exchange(port, "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(StatusOf(reply), 503);
  EXPECT_NE(BodyOf(reply).find("store closed"), std::string::npos);

  reply = Exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(StatusOf(reply), 200);
  EXPECT_EQ(BodyOf(reply), "");
}

TEST(MetricsHttpTest, BadRequestsGetErrorsAndTheEndpointKeepsServing) {
  Registry r;
  HttpOptions o;
  o.listen = "127.0.0.1:0";
  auto ep = HttpEndpoint::Start(o, r);
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  int port = (*ep)->port();
  EXPECT_EQ(StatusOf(Exchange(port, "GET /nope HTTP/1.1\r\n\r\n")), 404);
  EXPECT_EQ(StatusOf(Exchange(port, "POST /metrics HTTP/1.1\r\n\r\n")), 405);
  EXPECT_EQ(StatusOf(Exchange(port, "garbage\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port, "GET /metrics\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port, "GET /metrics SPDY/3\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port, "GET /metr")), 400);  // truncated, then EOF
  EXPECT_EQ(StatusOf(Exchange(port, std::string("GET /metrics HTTP/1.1\r\n\0\x01\xff\r\n\r\n", 31))), 200);
  EXPECT_EQ(StatusOf(Exchange(port, "GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a'))), 431);
  EXPECT_EQ(Exchange(port, ""), "");  // connect and close: no reply, no crash
  // Still alive after all of that.
  EXPECT_EQ(StatusOf(Exchange(port, "GET /metrics HTTP/1.1\r\n\r\n")), 200);
}

TEST(MetricsHttpTest, BadListenAddressesAreTypedErrors) {
  Registry r;
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "myhost:9464",
                          "127.0.0.1:12ab", "[::1:9464"}) {
    HttpOptions o;
    o.listen = bad;
    EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument) << bad;
    auto ep = HttpEndpoint::Start(o, r);
    EXPECT_EQ(ep.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  HttpOptions o;
  o.listen = "127.0.0.1:0";
  auto first = HttpEndpoint::Start(o, r);
  ASSERT_TRUE(first.ok());
  o.listen = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpEndpoint::Start(o, r);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace archivist::metrics
