// Operations on whole archives: eval (retrieval quality on a test collection), reindex, backup,
// restore.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "archivist/index/archive.h"
#include "archivist/index/embedder.h"
#include "archivist/index/eval.h"
#include "archivist/index/upgrade.h"
#include "commands.h"
#include "remote.h"

namespace archivist::cli {
namespace {
namespace fs = std::filesystem;

std::string ModeName(index::SearchMode mode) {
  switch (mode) {
    case index::SearchMode::kLexical: return "bm25";
    case index::SearchMode::kDense: return "dense";
    case index::SearchMode::kHybrid: return "hybrid";
  }
  return "?";
}

}  // namespace

int RunEval(GlobalArgs& g, const EvalArgs& a) {
  auto collection = index::LoadIrCollection(a.docs, a.queries, a.qrels);
  if (!collection.ok()) return ReportError(collection.status());
  std::unique_ptr<index::Embedder> embedder;
  if (a.embedder == "lsa") {
    // Fitted on the collection itself: no downloaded weights.
    auto lsa = index::FitLsaEmbedder(index::IrCorpusTexts(*collection));
    if (!lsa.ok()) return ReportError(lsa.status());
    embedder = std::move(lsa).value();
  } else {
    embedder = index::MakeBuiltinEmbedder();
  }
  // A scratch archive: evaluation never touches the user's data directory.
  fs::path dir = fs::temp_directory_path() / ("archivist-eval-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  nlohmann::json results = nlohmann::json::array();
  {
    auto archive = index::Archive::Open(dir.string(), embedder.get(), g.config.archive);
    if (!archive.ok()) return ReportError(archive.status());
    auto t0 = std::chrono::steady_clock::now();
    index::EvalOptions eo;
    if (Status s = index::IngestIrCollection(**archive, *collection, eo); !s.ok()) {
      fs::remove_all(dir);
      return ReportError(s);
    }
    double ingest_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<index::SearchMode> modes;
    if (a.mode == "all") {
      modes = {index::SearchMode::kLexical, index::SearchMode::kDense, index::SearchMode::kHybrid};
    } else if (a.mode == "dense") {
      modes = {index::SearchMode::kDense};
    } else if (a.mode == "hybrid") {
      modes = {index::SearchMode::kHybrid};
    } else {
      modes = {index::SearchMode::kLexical};
    }
    if (!g.json) {
      std::cout << collection->docs.size() << " documents, " << collection->queries.size()
                << " queries, embedder " << embedder->Name() << ", ingested in " << ingest_s
                << " s\n";
    }
    for (index::SearchMode mode : modes) {
      eo.mode = mode;
      auto t1 = std::chrono::steady_clock::now();
      auto run = index::RunIrQueries(**archive, *collection, eo);
      if (!run.ok()) {
        fs::remove_all(dir);
        return ReportError(run.status());
      }
      double query_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      index::RetrievalMetrics m = index::Evaluate(*run, collection->qrels);
      results.push_back({{"mode", ModeName(mode)}, {"ndcg@10", m.ndcg_at_10}, {"map", m.map},
                         {"recall@100", m.recall_at_100}, {"queries", m.queries},
                         {"queries_per_s", run->size() / std::max(query_s, 1e-9)}});
      if (!g.json) {
        std::printf("%-7s nDCG@10 %.3f  MAP %.3f  recall@100 %.3f  (%d judged queries, %.0f q/s)\n",
                    ModeName(mode).c_str(), m.ndcg_at_10, m.map, m.recall_at_100, m.queries,
                    run->size() / std::max(query_s, 1e-9));
      }
    }
  }
  fs::remove_all(dir);
  if (g.json) {
    std::cout << nlohmann::json{{"embedder", embedder->Name()}, {"results", results}}.dump(2)
              << "\n";
  }
  return kExitOk;
}

int RunReindex(GlobalArgs& g, const std::string& embedder_name, int dimension) {
  auto embedder = index::MakeBuiltinEmbedder();
  index::ArchiveOptions opts = g.config.archive;
  opts.create_if_missing = false;
  auto archive = index::Archive::Open(g.config.data_dir, embedder.get(), opts);
  if (!archive.ok()) {
    return ReportError(archive.status().WithContext("opening data directory " + g.config.data_dir));
  }
  index::ReindexOptions ro;
  ro.embedder = embedder_name;
  ro.dimension = dimension;
  auto report = (*archive)->Reindex(ro);
  if (!report.ok()) return ReportError(report.status());
  if (g.json) {
    std::cout << nlohmann::json{{"embedder", report->embedder}, {"chunks", report->chunks},
                                {"fitted_on", report->fitted_on}, {"fit_s", report->fit_seconds},
                                {"embed_s", report->embed_seconds}}.dump(2)
              << "\n";
  } else {
    std::printf("re-embedded %llu chunks with %s (fitted on %llu chunks in %.1f s, embedded in %.1f s)\n",
                static_cast<unsigned long long>(report->chunks), report->embedder.c_str(),
                static_cast<unsigned long long>(report->fitted_on), report->fit_seconds,
                report->embed_seconds);
  }
  return kExitOk;
}

int RunBackup(GlobalArgs& g, const std::string& target) {
  if (!g.remote.empty()) {
    // The running server holds the store; it writes the backup, on its own machine.
    auto client = ConnectRemote(g);
    if (!client.ok()) return ReportError(client.status());
    if (Status s = (*client)->Backup(target); !s.ok()) return ReportError(s);
    std::cout << "the server at " << g.remote << " backed up its archive to " << target << "\n";
    return kExitOk;
  }
  if (fs::exists(target)) {
    return ReportError(Status::AlreadyExists("backup target '" + target + "' already exists"));
  }
  auto embedder = index::MakeBuiltinEmbedder();
  index::ArchiveOptions opts = g.config.archive;
  opts.create_if_missing = false;
  auto archive = index::Archive::Open(g.config.data_dir, embedder.get(), opts);
  if (!archive.ok()) {
    if (archive.status().code() == StatusCode::kUnavailable) {
      // Most likely `archivist serve` holds the store: back up through it instead.
      return ReportError(archive.status().WithContext(
          "opening data directory " + g.config.data_dir +
          " (if a server is running on it, use: archivist --remote HOST:PORT backup /absolute/dir)"));
    }
    return ReportError(archive.status().WithContext("opening data directory " + g.config.data_dir));
  }
  if (Status s = (*archive)->Backup(target); !s.ok()) return ReportError(s);
  std::cout << "backed up " << g.config.data_dir << " to " << target << "\n";
  return kExitOk;
}

int RunRestore(GlobalArgs& g, const std::string& source) {
  const std::string& dir = g.config.data_dir;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return ReportError(Status::AlreadyExists(
        "data directory '" + dir + "' is not empty; restore into a new --data-dir, or move it away"));
  }
  bool older = false;
  {
    // Only a backup that opens as an archive is restored.
    auto embedder = index::MakeBuiltinEmbedder();
    index::ArchiveOptions opts = g.config.archive;
    opts.read_only = true;
    opts.create_if_missing = false;
    auto check = index::Archive::Open(source, embedder.get(), opts);
    // A backup taken before an upgrade has the older schema; it is restored as it is.
    auto version = index::StoredSchemaVersion(source);
    older = version.ok() && *version < index::SchemaVersion();
    if (!check.ok() && !older)
      return ReportError(check.status().WithContext("checking backup " + source));
  }
  fs::copy(source, dir, fs::copy_options::recursive, ec);
  if (ec) {
    return ReportError(Status::Internal("copying " + source + " to " + dir + ": " + ec.message()));
  }
  std::cout << "restored " << source << " into " << dir << "\n";
  if (older) {
    std::cout << "the backup has an older schema: run `archivist upgrade` before using it with "
                 "this build\n";
  }
  return kExitOk;
}

}  // namespace archivist::cli
