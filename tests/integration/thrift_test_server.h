#pragma once
// A real Archivist server for the Thrift integration tests: a fresh archive (RocksDB + FAISS with
// the built-in embedder) in a temp directory, served on 127.0.0.1 at an ephemeral port from a
// background thread.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/thrift/server.h"

namespace archivist::service::testing {

inline constexpr char kDischargeSummary[] =
    "Discharge Summary\n\n"
    "Patient Jane Roe was admitted on 2024-03-02 with new atrial fibrillation.\n\n"
    "Medications on discharge: warfarin 5 mg daily and metoprolol 25 mg twice daily.\n\n"
    "Follow-up: INR check at the anticoagulation clinic in one week.\n";

inline constexpr char kRetentionPolicy[] =
    "Records Retention Policy\n\n"
    "Wire transfers above 10,000 USD require the approval of two officers.\n\n"
    "Signed contracts are kept for ten years after they expire, then shredded.\n";

// Runs a shell command; its stdout goes to *out, its stderr (through `err_file`) to *err.
inline int RunCommand(const std::string& command, std::string* out, std::string* err,
               const std::string& err_file) {
  out->clear();
  FILE* pipe = ::popen((command + " 2>" + err_file).c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out->append(buffer, n);
  const int status = ::pclose(pipe);
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  *err = ss.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// samples/python_client.py against the test server, with `extra` arguments.
inline std::string PythonCommand(int port, const std::string& extra) {
  return std::string(ARCHIVIST_PYTHON3) + " " + ARCHIVIST_PYTHON_CLIENT + " --gen-py " +
         ARCHIVIST_THRIFT_GEN_PY + " --host 127.0.0.1 --port " + std::to_string(port) + " " + extra;
}

// The whole file, or "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A self-signed certificate for 127.0.0.1, made with the openssl CLI for this test only.
inline bool MakeCertificate(const std::string& dir, std::string* cert, std::string* key) {
  *cert = dir + "/server.crt";
  *key = dir + "/server.key";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " + *key + " -out " + *cert +
      " >" + dir + "/openssl.log 2>&1";
  return std::system(command.c_str()) == 0;
}

class ThriftServerTest : public ::testing::Test {
 protected:
  // Tests that need other limits change options_ before calling StartServer().
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "archivist-thrift-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    embedder_ = index::MakeBuiltinEmbedder();
    auto archive = index::Archive::Open(dir_ + "/data", embedder_.get());
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    archive_ = std::move(*archive);
    options_.port = 0;
    options_.worker_threads = 4;
    options_.ingest.threads = 2;
  }

  void StartServer() {
    auto server = Server::Create(options_, *archive_, *embedder_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_GT(server_->port(), 0);
    serve_thread_ = std::thread([this] { serve_status_ = server_->Serve(); });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (serve_thread_.joinable()) serve_thread_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_.ToString();
    server_.reset();
  }

  void TearDown() override {
    StopServer();
    archive_.reset();
    embedder_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  std::unique_ptr<Client> Connect() {
    auto client = Client::Connect("127.0.0.1", server_->port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  std::string dir_;
  std::unique_ptr<index::Embedder> embedder_;
  std::unique_ptr<index::Archive> archive_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread serve_thread_;
  Status serve_status_;
};

}  // namespace archivist::service::testing
