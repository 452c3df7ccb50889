// `archivist serve`: the Thrift API over the local data directory until SIGINT/SIGTERM.

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "archivist/index/archive.h"
#include "archivist/pipeline/generation.h"
#include "archivist/thrift/server.h"
#include "commands.h"

namespace archivist::cli {

int RunServe(GlobalArgs& g) {
  // Block the stop signals in every thread; one thread waits for them and stops the server, so
  // calls in flight finish instead of dying mid-write.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

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
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cerr << "archivist: signal " << sig << ", finishing calls in flight\n";
    (*server)->Stop();
  });
  std::cerr << "archivist: serving " << g.config.data_dir << " on " << server_options.host << ":"
            << (*server)->port() << (server_options.tls_cert_file.empty() ? "" : " (TLS)")
            << (server_options.tokens.empty() ? ", no tokens: every caller is admin" : "")
            << ", audit log " << server_options.audit_log_path << "\n";
  Status served = (*server)->Serve();
  // Wake the waiter if Serve() ended for another reason than a signal.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (Status s = (*archive)->Flush(); !s.ok()) return ReportError(s);
  if (!served.ok()) return ReportError(served);
  return kExitOk;
}

}  // namespace archivist::cli
