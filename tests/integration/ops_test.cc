// Operations as an operator meets them, through the real binary: the /metrics and /healthz
// endpoint of `archivist serve` scraped over 127.0.0.1, structured log lines, and a schema upgrade
// with its rollback through `archivist upgrade`.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "samples_truth.h"
#include "schema_v1.h"

extern char** environ;

namespace archivist {
namespace {
namespace fs = std::filesystem;

struct Outcome {
  int code = -1;
  std::string out, err;
};

// Starts the binary with stdout/stderr in files; returns the pid.
pid_t Spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> argv_s = {ARCHIVIST_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, ARCHIVIST_CLI, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int Wait(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One HTTP exchange over loopback with a plain socket; returns the whole reply.
std::string HttpGet(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

// Sample lines of a Prometheus text body: "name{labels}" -> value.
std::map<std::string, double> Samples(const std::string& reply) {
  std::map<std::string, double> out;
  std::istringstream in(reply.substr(reply.find("\r\n\r\n") + 4));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() /
           ("archivist-ops-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
    // As deploy/systemd/archivist.service runs it: OpenBLAS's pre-main() worker thread would
    // otherwise sit outside serve's signal mask and let SIGTERM kill the process.
    ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
  }
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGKILL);
      Wait(server_);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Outcome Run(const std::vector<std::string>& args) {
    fs::path out = dir_ / "out.txt", err = dir_ / "err.txt";
    Outcome o;
    o.code = Wait(Spawn(args, out, err));
    o.out = testing::ReadText(out.string());
    o.err = testing::ReadText(err.string());
    return o;
  }
  std::string Data() const { return (dir_ / "data").string(); }
  void IngestTextSamples() {
    Outcome o = Run({"--data-dir", Data(), "ingest", testing::SamplesDir() + "/docs/meeting_notes.txt",
                     testing::SamplesDir() + "/docs/scanning_procedure.md",
                     testing::SamplesDir() + "/docs/services_contract.pdf"});
    ASSERT_EQ(o.code, 0) << o.err;
  }

  fs::path dir_;
  pid_t server_ = -1;
};

TEST_F(OpsTest, ServeExposesMetricsAndHealthOnLoopback) {
  if (!fs::exists(testing::SamplesDir() + "/docs")) GTEST_SKIP() << "samples/docs not found";
  IngestTextSamples();
  const int api_port = FreePort();
  const fs::path err = dir_ / "serve.err";
  server_ = Spawn({"--data-dir", Data(), "--metrics-listen", "127.0.0.1:0", "--log-format", "json",
                   "serve", "--port", std::to_string(api_port)},
                  dir_ / "serve.out", err);
  ASSERT_GT(server_, 0);
  // The endpoint logs the address it bound (port 0 = a free one) as a JSON line.
  int metrics_port = 0;
  // (Parsed as JSON, not with <regex>: GCC 12's <regex> trips -Wmaybe-uninitialized under ASan.)
  auto bound_port = [](const std::string& text) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      auto entry = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (entry.is_discarded() || !entry.contains("ts") || entry.value("level", "") != "info" ||
          entry.value("msg", "") != "metrics endpoint listening") {
        continue;
      }
      const std::string address = entry.value("address", "");
      const std::string prefix = "127.0.0.1:";
      if (address.rfind(prefix, 0) == 0) return std::atoi(address.c_str() + prefix.size());
    }
    return 0;
  };
  for (int i = 0; i < 600 && metrics_port == 0; ++i) {
    std::string text = testing::ReadText(err.string());
    metrics_port = bound_port(text);
    if (metrics_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int status = 0;
    ASSERT_EQ(::waitpid(server_, &status, WNOHANG), 0) << "serve exited: " << text;
  }
  ASSERT_GT(metrics_port, 0) << testing::ReadText(err.string());

  std::string reply = HttpGet(metrics_port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  auto m = Samples(reply);
  EXPECT_EQ(m["archivist_documents"], 3);
  EXPECT_GT(m["archivist_pages"], 0);
  EXPECT_GE(m["archivist_chunks"], 3);
  EXPECT_EQ(m["archivist_media_type_documents{media_type=\"application/pdf\"}"], 1);
  EXPECT_EQ(m["archivist_collection_documents{collection=\"default\"}"], 3);
  bool build_info = false;
  for (const auto& [k, v] : m) build_info |= k.rfind("archivist_build_info{version=", 0) == 0 && v == 1;
  EXPECT_TRUE(build_info) << reply;

  // A search through the API shows up in the per-method latency histogram.
  Outcome s = Run({"--remote", "127.0.0.1:" + std::to_string(api_port), "search", "retention"});
  EXPECT_EQ(s.code, 0) << s.err;
  m = Samples(HttpGet(metrics_port, "GET /metrics HTTP/1.0\r\n\r\n"));
  EXPECT_GE(m["archivist_request_duration_seconds_count{method=\"search\"}"], 1);
  EXPECT_GE(m["archivist_request_duration_seconds_bucket{method=\"search\",le=\"+Inf\"}"], 1);

  EXPECT_EQ(HttpGet(metrics_port, "GET /healthz HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(HttpGet(metrics_port, "GET /admin HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(HttpGet(metrics_port, "\x16\x03\x01 tls hello\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(HttpGet(metrics_port, "DELETE /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
  EXPECT_EQ(HttpGet(metrics_port, "GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);

  // With the units' environment (OPENBLAS_NUM_THREADS=1, set in SetUp) SIGTERM stops the server
  // gracefully: exit 0, not death by the signal.
  ::kill(server_, SIGTERM);
  EXPECT_EQ(Wait(server_), 0) << testing::ReadText(err.string());
  server_ = -1;
  // Every stderr line of the server is one JSON object (the --log-format json contract).
  std::istringstream lines(testing::ReadText(err.string()));
  std::string line;
  int json_lines = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("{\"ts\":", 0) == 0 && line.back() == '}') ++json_lines;
  }
  EXPECT_GE(json_lines, 1);
}

TEST_F(OpsTest, MetricsEndpointBindFailureIsAClearServeError) {
  if (!fs::exists(testing::SamplesDir() + "/docs")) GTEST_SKIP() << "samples/docs not found";
  IngestTextSamples();
  Outcome o = Run({"--data-dir", Data(), "--metrics-listen", "metrics.example:9464", "serve",
                   "--port", std::to_string(FreePort())});
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_NE(o.err.find("metrics listen address"), std::string::npos) << o.err;
}

TEST_F(OpsTest, UpgradeCommandBacksUpUpgradesAndRollsBack) {
  if (!fs::exists(testing::SamplesDir() + "/docs")) GTEST_SKIP() << "samples/docs not found";
  IngestTextSamples();
  testing::MakeSchemaV1(Data());

  Outcome refused = Run({"--data-dir", Data(), "search", "retention"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("archivist upgrade"), std::string::npos) << refused.err;
  EXPECT_EQ(Run({"--data-dir", Data(), "upgrade", "--check"}).code, 2);

  const std::string backup = (dir_ / "pre-upgrade").string();
  Outcome up = Run({"--data-dir", Data(), "--log-format", "journal", "upgrade", "--backup", backup});
  ASSERT_EQ(up.code, 0) << up.err;
  EXPECT_NE(up.out.find("from schema version 1 to 3"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("archivist upgrade --rollback " + backup), std::string::npos) << up.out;
  // journald's priority prefix: notice (5) for the upgrade itself.
  EXPECT_NE(up.err.find("<5>upgrading data_dir="), std::string::npos) << up.err;
  EXPECT_EQ(Run({"--data-dir", Data(), "upgrade", "--check"}).code, 0);
  Outcome found = Run({"--data-dir", Data(), "--json", "stats"});
  EXPECT_EQ(found.code, 0) << found.err;
  EXPECT_EQ(Run({"--data-dir", Data(), "search", "retention"}).code, 0);
  EXPECT_EQ(Run({"--data-dir", Data(), "upgrade", "--backup", backup}).code, 0);  // nothing to do

  Outcome back = Run({"--data-dir", Data(), "upgrade", "--rollback", backup});
  ASSERT_EQ(back.code, 0) << back.err;
  EXPECT_NE(back.out.find("schema version 1"), std::string::npos) << back.out;
  EXPECT_EQ(Run({"--data-dir", Data(), "upgrade", "--check"}).code, 2);
  EXPECT_EQ(Run({"--data-dir", Data(), "search", "retention"}).code, 2);

  // The old version restored with `restore` into a fresh directory works the same way.
  const std::string fresh = (dir_ / "fresh").string();
  Outcome restored = Run({"--data-dir", fresh, "restore", backup});
  EXPECT_EQ(restored.code, 0) << restored.err;
  EXPECT_NE(restored.out.find("archivist upgrade"), std::string::npos) << restored.out;

  EXPECT_EQ(Run({"--data-dir", Data(), "--log-level", "loud", "upgrade"}).code, 2);
  EXPECT_EQ(Run({"--data-dir", Data(), "upgrade", "--rollback", backup, "--check"}).code, 1);
}

}  // namespace
}  // namespace archivist
