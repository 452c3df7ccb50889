// Load generator for the Thrift API: a real server on 127.0.0.1 over an archive built from
// samples/docs, N concurrent clients (each with its own connection) calling search for a fixed
// time; calls/s, p50/p99 latency and errors, over plain TCP and over TLS in the same run.
// Authentication and the audit log are on, as in production.
//
//   archivist_thrift_load [--seconds 10] [--clients 1,8,64] [--docs DIR] [--k 10]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/thrift/server.h"

namespace fs = std::filesystem;
using namespace archivist;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kToken[] = "bench-reader-token";

const std::vector<std::string> kQueries = {
    "warfarin discharge medications", "records retention policy", "wire transfer approval",
    "patient consent form",           "referral letter cardiology", "lab report hemoglobin",
    "services contract termination",  "scanning procedure quality",  "meeting notes action items",
    "release of medical records"};

struct RunResult {
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  std::string first_error;
};

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

RunResult Load(int port, const std::string& ca, int clients, double seconds, int k) {
  std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
  std::vector<int64_t> errors(static_cast<size_t>(clients), 0);
  std::vector<std::string> first_error(static_cast<size_t>(clients));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point end;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      service::ClientOptions options;
      options.port = port;
      options.auth_token = kToken;
      options.tls_ca_file = ca;
      auto client = service::Client::Connect(options);
      ++ready;
      while (!go) std::this_thread::yield();
      if (!client.ok()) {
        ++errors[c];
        first_error[c] = client.status().ToString();
        return;
      }
      index::SearchOptions search;
      search.k = k;
      size_t q = static_cast<size_t>(c);
      while (Clock::now() < end) {
        const auto start = Clock::now();
        auto hits = (*client)->Search(kQueries[q++ % kQueries.size()], search);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (hits.ok()) {
          latencies[c].push_back(ms);
        } else {
          ++errors[c];
          if (first_error[c].empty()) first_error[c] = hits.status().ToString();
        }
      }
    });
  }
  while (ready < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = Clock::now();
  end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : threads) t.join();
  RunResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    r.errors += errors[c];
    if (r.first_error.empty()) r.first_error = first_error[c];
  }
  r.calls = static_cast<int64_t>(all.size());
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  return r;
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::atoi(item.c_str()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::vector<int> clients = {1, 8, 64};
  std::string docs = std::string(ARCHIVIST_SOURCE_DIR) + "/samples/docs";
  int k = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seconds") seconds = std::atof(value.c_str());
    else if (flag == "--clients") clients = ParseList(value);
    else if (flag == "--docs") docs = value;
    else if (flag == "--k") k = std::atoi(value.c_str());
    else {
      std::cerr << "usage: archivist_thrift_load [--seconds S] [--clients 1,8,64] [--docs DIR] "
                   "[--k K]\n";
      return 1;
    }
  }
  int max_clients = 1;
  for (int c : clients) {
    if (c < 1) {
      std::cerr << "--clients must be positive\n";
      return 1;
    }
    max_clients = std::max(max_clients, c);
  }

  std::string dir = (fs::temp_directory_path() / "archivist-thrift-load-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 3;
  auto embedder = index::MakeBuiltinEmbedder();
  auto archive = index::Archive::Open(dir + "/data", embedder.get());
  if (!archive.ok()) {
    std::cerr << archive.status().ToString() << "\n";
    return 3;
  }
  pipeline::IngestOptions ingest;
  auto report = pipeline::IngestPaths(**archive, *embedder, {docs}, ingest);
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 3;
  }
  auto stats = (*archive)->Stats();
  std::printf("archive: %d documents, %llu chunks from %s\n", report->ingested,
              static_cast<unsigned long long>(stats.ok() ? stats->chunks : 0), docs.c_str());

  const std::string cert = dir + "/server.crt", key = dir + "/server.key";
  const std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " >/dev/null 2>&1";
  const bool have_tls = std::system(openssl.c_str()) == 0;
  if (!have_tls) std::cerr << "openssl failed: TLS rows skipped\n";

  std::printf("%-6s %8s %10s %10s %9s %9s %7s\n", "mode", "clients", "calls", "calls/s",
              "p50 ms", "p99 ms", "errors");
  int exit_code = 0;
  for (const bool tls : {false, true}) {
    if (tls && !have_tls) continue;
    service::ServerOptions options;
    options.port = 0;
    options.worker_threads = max_clients + 4;  // a connection holds a worker
    options.max_concurrent_calls = max_clients + 4;
    options.tokens = {service::ApiToken{"bench", service::Sha256Hex(kToken),
                                        service::Role::kReader, {}, 0}};
    options.audit_log_path = dir + (tls ? "/audit-tls.log" : "/audit-plain.log");
    if (tls) {
      options.tls_cert_file = cert;
      options.tls_key_file = key;
    }
    auto server = service::Server::Create(options, **archive, *embedder);
    if (!server.ok()) {
      std::cerr << server.status().ToString() << "\n";
      return 3;
    }
    Status served;
    std::thread serve([&] { served = (*server)->Serve(); });
    for (int n : clients) {
      RunResult r = Load((*server)->port(), tls ? cert : "", n, seconds, k);
      std::printf("%-6s %8d %10lld %10.0f %9.2f %9.2f %7lld\n", tls ? "tls" : "plain", n,
                  static_cast<long long>(r.calls), static_cast<double>(r.calls) / r.seconds,
                  r.p50_ms, r.p99_ms, static_cast<long long>(r.errors));
      if (r.errors > 0) {
        std::fprintf(stderr, "first error: %s\n", r.first_error.c_str());
        exit_code = 2;
      }
      std::fflush(stdout);
    }
    (*server)->Stop();
    serve.join();
  }
  archive->reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return exit_code;
}
