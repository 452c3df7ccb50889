// Subcommands that work on a local data directory: ingest, search, ask, inspect, list, stats.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include <iostream>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/base/file_util.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/failures.h"
#include "archivist/pipeline/ingest_batch.h"
#include "archivist/pipeline/summarize.h"
#include "archivist/pipeline/watch.h"
#include "archivist/base/log.h"
#include "archivist/thrift/server.h"
#include "commands.h"
#include "open_archive.h"
#include "remote.h"
#include "output.h"

namespace archivist::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInternal:
    case StatusCode::kUnavailable: return kExitInternal;
    default: return kExitInput;
  }
}

int ReportError(const Status& status) {
  std::cerr << "archivist: error: " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

Result<OpenArchive> Open(const AppConfig& c, bool create) {
  OpenArchive o;
  o.embedder = index::MakeBuiltinEmbedder();
  index::ArchiveOptions opts = c.archive;
  opts.create_if_missing = create;
  // Read commands open read-only: they take no lock, so they work beside a running server.
  opts.read_only = !create;
  auto archive = index::Archive::Open(c.data_dir, o.embedder.get(), opts);
  if (!archive.ok()) return archive.status().WithContext("opening data directory " + c.data_dir);
  o.archive = std::move(archive).value();
  return o;
}


namespace {

std::atomic<bool> g_stop_ingest{false};

extern "C" void OnIngestSignal(int) { g_stop_ingest.store(true); }

std::string FormatDuration(double seconds) {
  int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, (s / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  }
  return buf;
}

// "[12/300] 45 pages, 3.2 pages/s, OCR queue 4, ETA 1m20s"
std::string ProgressLine(const pipeline::Progress& p) {
  double rate = p.elapsed > 0 ? p.pages_done / p.elapsed : 0.0;
  double files_rate = p.elapsed > 0 ? p.files_done / p.elapsed : 0.0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "[%d/%d] %d pages, %.1f pages/s, OCR queue %d", p.files_done,
                p.files_total, p.pages_done, rate, p.ocr_queued);
  std::string line = buf;
  if (files_rate > 0 && p.files_done < p.files_total) {
    line += ", ETA " + FormatDuration((p.files_total - p.files_done) / files_rate);
  }
  return line;
}

void PrintIngestReport(const pipeline::IngestReport& r, bool json) {
  if (json) {
    std::cout << ReportJson(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  for (const auto& f : r.files) {
    if (f.outcome == pipeline::Outcome::kIngested) {
      std::cout << "ingested  " << ShortId(f.doc_id) << "  " << f.path << "  (" << f.media_type
                << ", " << f.pages << " pages"
                << (f.ocr_pages ? ", " + std::to_string(f.ocr_pages) + " OCR" : "") << ", "
                << f.chunks << " chunks"
                << (f.replaced_doc_id.empty() ? "" : "; new version of " + ShortId(f.replaced_doc_id))
                << ")\n";
    } else if (f.outcome == pipeline::Outcome::kDuplicate && f.unchanged) {
      std::cout << "unchanged " << ShortId(f.doc_id) << "  " << f.path
                << "  (same size and mtime as when ingested; not read)\n";
    } else if (f.outcome == pipeline::Outcome::kDuplicate) {
      std::cout << "duplicate " << ShortId(f.doc_id) << "  " << f.path
                << "  (these bytes are already in the archive)\n";
    } else {
      std::cout << "FAILED    " << f.path << "  (" << f.stage << ": " << f.error.ToString()
                << ")\n";
    }
  }
  std::cout << r.ingested << " ingested, " << r.unchanged << " unchanged, "
            << r.duplicates - r.unchanged << " duplicates, " << r.failed << " failed";
  if (r.timeouts > 0) std::cout << " (" << r.timeouts << " timed out)";
  if (r.replaced > 0) std::cout << ", " << r.replaced << " changed";
  if (r.retired > 0) std::cout << ", " << r.retired << " old versions retired";
  std::cout << "; " << r.pages << " pages (" << r.ocr_pages << " OCR), " << r.chunks
            << " chunks in " << r.seconds << " s";
  if (r.seconds > 0) std::cout << " (" << r.pages / r.seconds << " pages/s)";
  std::cout << "\n";
  if (r.cancelled) std::cout << "stopped early: run the same command again to ingest the rest\n";
}

}  // namespace

int RunIngest(GlobalArgs& g, const std::vector<std::string>& paths,
              const std::string& watch_dir) {
  if (!g.remote.empty()) {
    if (!watch_dir.empty()) {
      return ReportError(Status::InvalidArgument("--watch works on a local data directory only"));
    }
    return RunRemoteIngest(g, paths);
  }
  auto o = Open(g.config, /*create=*/true);
  if (!o.ok()) return ReportError(o.status());
  // First Ctrl-C: finish and commit what is in flight, start nothing new. A second one kills.
  struct sigaction sa {};
  sa.sa_handler = OnIngestSignal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  pipeline::IngestOptions options = g.config.ingest;
  options.cancel = &g_stop_ingest;

  const bool tty = ::isatty(STDERR_FILENO);
  double last_line = 0.0;
  auto progress = [&](const pipeline::FileResult& r, const pipeline::Progress& p) {
    if (r.outcome == pipeline::Outcome::kFailed) {
      if (tty) std::cerr << "\r\033[K";
      std::cerr << "archivist: failed: " << r.path << " (" << r.stage << "): " << r.error.ToString()
                << "\n";
    }
    if (tty) {
      std::cerr << "\r\033[K" << ProgressLine(p) << std::flush;
      if (p.files_done == p.files_total) std::cerr << "\r\033[K";
    } else if (p.elapsed - last_line >= 10.0) {
      // Logs get a line every ten seconds, not one per file.
      last_line = p.elapsed;
      std::cerr << "archivist: " << ProgressLine(p) << "\n";
    }
  };
  if (!watch_dir.empty()) {
    auto ops = StartOperations(g, *o->archive, /*required=*/false);  // /metrics, /healthz
    log::Notice("watching", {{"dir", watch_dir}, {"data_dir", g.config.data_dir}});
    int failed = 0;
    Status s = pipeline::WatchAndIngest(
        *o->archive, *o->archive->embedder(), watch_dir, options, {}, g_stop_ingest,
        [&](const pipeline::IngestReport& r) {
          failed += r.failed;
          PrintIngestReport(r, g.json);
          std::cout << std::flush;
        });
    if (!s.ok()) return ReportError(s);
    return failed > 0 ? kExitInput : kExitOk;
  }
  auto report = pipeline::IngestPaths(*o->archive, *o->archive->embedder(), paths, options, progress);
  if (tty) std::cerr << "\r\033[K";
  if (!report.ok()) return ReportError(report.status());
  PrintIngestReport(*report, g.json);
  if (report->cancelled) return kExitInternal;
  return report->failed > 0 ? kExitInput : kExitOk;
}

int RunSearch(GlobalArgs& g, const std::string& query) {
  if (!g.remote.empty()) {
    auto client = ConnectRemote(g);
    if (!client.ok()) return ReportError(client.status());
    auto hits = (*client)->Search(query, g.config.search);
    if (!hits.ok()) return ReportError(hits.status());
    PrintHits(*hits, g.json);
    return kExitOk;
  }
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  auto hits = o->archive->Search(query, g.config.search);
  if (!hits.ok()) return ReportError(hits.status());
  PrintHits(*hits, g.json);
  return kExitOk;
}

int RunInspect(GlobalArgs& g, const std::string& doc_id, bool show_text) {
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  auto docs = o->archive->ListDocuments();
  if (!docs.ok()) return ReportError(docs.status());
  std::vector<index::DocumentRecord> matches;
  for (auto& d : *docs) {
    if (d.doc_id.starts_with(doc_id)) matches.push_back(d);
  }
  if (matches.empty() || doc_id.empty()) {
    return ReportError(Status::NotFound("no document with id '" + doc_id + "'"));
  }
  if (matches.size() > 1) {
    return ReportError(Status::InvalidArgument("'" + doc_id + "' matches " +
                                               std::to_string(matches.size()) +
                                               " documents; give more of the id"));
  }
  const index::DocumentRecord& d = matches[0];
  nlohmann::json pages = nlohmann::json::array();
  for (int p = 1; p <= d.page_count; ++p) {
    auto page = o->archive->GetPage(d.doc_id, p);
    if (!page.ok()) return ReportError(page.status());
    nlohmann::json jp = {{"page", p}, {"source", page->source}, {"chars", page->text.size()},
                         {"ocr_confidence", page->ocr_confidence},
                         {"rotation", page->rotation_degrees}};
    if (show_text || g.json) jp["text"] = page->text;
    pages.push_back(jp);
  }
  auto chunks = o->archive->GetChunks(d.doc_id);
  if (!chunks.ok()) return ReportError(chunks.status());
  if (g.json) {
    nlohmann::json j = ToJson(d);
    j["page_details"] = pages;
    nlohmann::json cj = nlohmann::json::array();
    for (const auto& c : *chunks) {
      cj.push_back({{"chunk_id", c.chunk_id}, {"first_page", c.first_page},
                    {"last_page", c.last_page}, {"tokens", c.token_count},
                    {"heading_path", c.heading_path}});
    }
    j["chunk_details"] = cj;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::cout << "doc_id:     " << d.doc_id << "\n"
            << "title:      " << d.title << "\n"
            << "source:     " << d.source_path << "\n"
            << "type:       " << d.media_type << "\n"
            << "author:     " << d.author << "\n"
            << "created:    " << d.created << "\n"
            << "collection: " << d.collection << "\n"
            << "pages:      " << d.page_count << "\n"
            << "chunks:     " << d.chunk_count << "\n";
  for (const auto& jp : pages) {
    std::cout << "  page " << jp["page"] << ": " << jp["source"].get<std::string>() << ", "
              << jp["chars"] << " chars";
    if (jp["ocr_confidence"].get<double>() >= 0) {
      std::cout << ", OCR confidence " << jp["ocr_confidence"].get<double>();
    }
    std::cout << "\n";
    if (show_text) std::cout << jp["text"].get<std::string>() << "\n\n";
  }
  return kExitOk;
}

int RunFailures(GlobalArgs& g) {
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  auto failures = pipeline::ListFailures(*o->archive);
  if (!failures.ok()) return ReportError(failures.status());
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& f : *failures) {
      arr.push_back({{"path", f.path}, {"doc_id", f.doc_id}, {"stage", f.stage}, {"code", f.code},
                     {"message", f.message}, {"failed_at", FormatIso8601(f.failed_at)},
                     {"attempts", f.attempts},
                     {"upload", pipeline::IsUploadName(f.path)}});
    }
    std::cout << nlohmann::json{{"failures", arr}}.dump(2, ' ', false,
                                                       nlohmann::json::error_handler_t::replace)
              << "\n";
    return kExitOk;
  }
  for (const auto& f : *failures) {
    std::cout << f.path << "\n    " << f.stage << ": " << f.code << ": " << f.message << "  ("
              << FormatIso8601(f.failed_at) << ", " << f.attempts
              << (f.attempts == 1 ? " attempt" : " attempts") << ")\n";
    if (pipeline::IsUploadName(f.path)) {
      std::cout << "    upload, sha256 " << (f.doc_id.empty() ? "unknown" : f.doc_id)
                << "; not retried by --retry-failed (send it again)\n";
    }
  }
  std::cout << failures->size() << " failed files";
  if (!failures->empty()) std::cout << "; `archivist ingest --retry-failed` tries them again";
  std::cout << "\n";
  return kExitOk;
}

Result<std::vector<std::string>> FailedPaths(GlobalArgs& g) {
  ARCHIVIST_ASSIGN_OR_RETURN(OpenArchive o, Open(g.config, /*create=*/false));
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<pipeline::FailureRecord> failures,
                             pipeline::ListFailures(*o.archive));
  std::vector<std::string> paths;
  for (const auto& f : failures) {
    // An upload's bytes were never kept: only its sender can retry it.
    if (!pipeline::IsUploadName(f.path)) paths.push_back(f.path);
  }
  return paths;
}

int RunList(GlobalArgs& g) {
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  auto docs = o->archive->ListDocuments();
  if (!docs.ok()) return ReportError(docs.status());
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& d : *docs) arr.push_back(ToJson(d));
    std::cout << nlohmann::json{{"documents", arr}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  for (const auto& d : *docs) {
    std::cout << ShortId(d.doc_id) << "  " << d.page_count << "p  " << d.collection << "  "
              << d.title << "  (" << d.source_path << ")\n";
  }
  std::cout << docs->size() << " documents\n";
  return kExitOk;
}

int RunStats(GlobalArgs& g) {
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  auto s = o->archive->Stats();
  if (!s.ok()) return ReportError(s.status());
  nlohmann::json collections = nlohmann::json::object();
  for (const auto& [name, n] : s->collections) collections[name] = n;
  nlohmann::json j = {{"documents", s->documents},   {"pages", s->pages},
                      {"chunks", s->chunks},         {"terms", s->terms},
                      {"postings_bytes", s->postings_bytes}, {"vectors", s->vectors},
                      {"vector_dimension", s->vector_dimension}, {"embedder", s->embedder},
                      {"collections", collections},  {"disk_bytes", s->disk_bytes}};
  if (g.json) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::cout << "documents:   " << s->documents << "\n"
            << "pages:       " << s->pages << "\n"
            << "chunks:      " << s->chunks << "\n"
            << "terms:       " << s->terms << " (postings ~" << s->postings_bytes << " bytes)\n"
            << "vectors:     " << s->vectors << " x " << s->vector_dimension << " ("
            << s->embedder << ")\n"
            << "disk:        " << s->disk_bytes << " bytes\n"
            << "collections:";
  for (const auto& [name, n] : s->collections) std::cout << " " << name << " (" << n << ")";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace archivist::cli
