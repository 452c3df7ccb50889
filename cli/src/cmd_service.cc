// `archivist serve`: the Thrift API over the local data directory until SIGINT/SIGTERM.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <thread>

#include "archivist/index/archive.h"
#include "archivist/pipeline/generation.h"
#include "archivist/thrift/server.h"
#include "commands.h"

namespace archivist::cli {
namespace {

// The stop signal's number travels through a pipe to the thread that stops the server.
int g_stop_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int sig) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = ::write(g_stop_pipe[1], &byte, 1);
  errno = saved;
}

// A handler, not only a blocked mask waited on with sigwait: threads that libraries start before
// main() (OpenBLAS's pool, for one) do not have our mask, and a signal delivered to one of them
// would take the default action and kill the process with calls in flight.
Status InstallStopHandler() {
  if (::pipe2(g_stop_pipe, O_CLOEXEC) != 0) return Status::Internal("pipe2 failed");
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (::sigaction(SIGTERM, &sa, nullptr) != 0 || ::sigaction(SIGINT, &sa, nullptr) != 0) {
    return Status::Internal("sigaction failed");
  }
  return Status::Ok();
}

}  // namespace

int RunServe(GlobalArgs& g) {
  if (Status s = InstallStopHandler(); !s.ok()) return ReportError(s);

  if (Status s = g.config.server.Validate(); !s.ok()) return ReportError(s);
  auto embedder = index::MakeBuiltinEmbedder();
  index::ArchiveOptions opts = g.config.archive;
  auto archive = index::Archive::Open(g.config.data_dir, embedder.get(), opts);
  if (!archive.ok()) {
    return ReportError(archive.status().WithContext("opening data directory " + g.config.data_dir));
  }
  service::ServerOptions server_options = g.config.server;
  server_options.ingest = g.config.ingest;
  server_options.privacy = g.config.ask.privacy;
  server_options.generation = g.config.ask.generation;
  if (server_options.generation.enabled()) {
    // Loaded once: every use_model call shares it.
    auto models = pipeline::LanguageModels::Load(server_options.generation);
    if (!models.ok()) return ReportError(models.status().WithContext("loading the [model]"));
    server_options.generation.models = *models;
  }
  if (server_options.audit_log_path.empty()) {
    server_options.audit_log_path = g.config.data_dir + "/audit.log";
  }
  auto server = service::Server::Create(server_options, **archive, *(*archive)->embedder());
  if (!server.ok()) return ReportError(server.status());
  auto ops = StartOperations(g, **archive, /*required=*/true);  // /metrics, /healthz
  if (!ops.ok()) return ReportError(ops.status());

  std::thread waiter([&] {
    unsigned char sig = 0;
    while (::read(g_stop_pipe[0], &sig, 1) < 0 && errno == EINTR) {
    }
    if (sig == 0) return;  // Serve() ended by itself
    std::cerr << "archivist: signal " << static_cast<int>(sig) << ", finishing calls in flight\n";
    (*server)->Stop();
  });
  std::cerr << "archivist: serving " << g.config.data_dir << " on " << server_options.host << ":"
            << (*server)->port() << (server_options.tls_cert_file.empty() ? "" : " (TLS)")
            << (server_options.tokens.empty() ? ", no tokens: every caller is admin" : "")
            << ", audit log " << server_options.audit_log_path << "\n";
  Status served = (*server)->Serve();
  // Wake the waiter if Serve() ended for another reason than a signal.
  const unsigned char done = 0;
  [[maybe_unused]] ssize_t n = ::write(g_stop_pipe[1], &done, 1);
  waiter.join();
  if (Status s = (*archive)->Flush(); !s.ok()) return ReportError(s);
  if (!served.ok()) return ReportError(served);
  return kExitOk;
}

}  // namespace archivist::cli
