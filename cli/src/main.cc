// archivist: the command line. Parses options (defaults < config file < flags) and dispatches.

#include <fontconfig/fontconfig.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "archivist/base/log.h"
#include "archivist/base/metrics.h"
#include "archivist/base/process.h"
#include "archivist/base/tbb_workers.h"
#include "commands.h"
#include "config.h"

namespace {

// Poppler finds fonts through fontconfig, which by default also reads caches and configuration
// from the home directory (~/.cache/fontconfig, ~/.fontconfig, ~/.config/fontconfig). The archive
// must not depend on whose home it runs with, nor read from it: system fonts and caches only.
// Must run before the first PDF is opened (fontconfig loads its configuration once).
void KeepFontconfigOutOfHome() { FcConfigEnableHome(FcFalse); }

}  // namespace

int main(int argc, char** argv) {
  archivist::PinOpenMpToOneThread(argv);
  const archivist::TbbWorkersJoinedAtExit join_tbb_workers;
  KeepFontconfigOutOfHome();
  using namespace archivist::cli;

  CLI::App app{"Archivist: on-premise document intelligence (ingest, search, ask)", "archivist"};
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too (`archivist search q --json`).
  app.fallthrough();
  app.set_version_flag("--version", std::string("archivist ") + ARCHIVIST_VERSION);

  GlobalArgs g;
  bool redact = false;
  std::string config_path, data_dir;
  app.add_option("--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_option("--data-dir", data_dir, "data directory (default ./archivist-data)");
  app.add_option("--remote", g.remote,
                 "HOST:PORT of a running `archivist serve` (ingest, search, ask, summarize)");
  app.add_option("--token", g.token, "API token for --remote (default: $ARCHIVIST_TOKEN)");
  app.add_option("--tls-ca", g.tls_ca, "CA certificate (PEM): use TLS with --remote")
      ->check(CLI::ExistingFile);
  app.add_flag("--json", g.json, "machine-readable JSON output");
  std::string log_level, log_format, metrics_listen;
  app.add_option("--log-level", log_level, "error | warning | notice | info | debug (default info)");
  app.add_option("--log-format", log_format,
                 "auto | text | json | journal (default auto: journal under systemd, else text)");
  app.add_option("--metrics-listen", metrics_listen,
                 "HOST:PORT of the /metrics endpoint of serve and ingest --watch, or \"off\"");
  app.add_flag("--redact", redact, "redact personal identifiers in answers and summaries");

  // Flags are parsed into locals and applied over the config file after parsing.
  std::vector<std::string> paths, tags, exclude;
  std::string collection, query, mode, host, doc_id, file;
  int k = 0, threads = -1, port = -1;
  bool show_text = false;

  auto* ingest = app.add_subcommand("ingest", "ingest files and directories into the archive");
  std::string watch_dir;
  auto* paths_opt = ingest->add_option("paths", paths, "files or directories");
  auto* watch_opt = ingest->add_option("--watch", watch_dir, "ingest this folder, then every file arriving in it (Ctrl-C stops)")
                        ->check(CLI::ExistingDirectory);
  bool retry_failed = false;
  auto* retry_opt = ingest->add_flag("--retry-failed", retry_failed,
                                     "ingest again the files on the failure list (`archivist failures`)");
  paths_opt->excludes(watch_opt);
  retry_opt->excludes(watch_opt);
  ingest->callback([&] {
    if (paths.empty() && watch_dir.empty() && !retry_failed) {
      throw CLI::RequiredError("paths (or --watch DIR, or --retry-failed)");
    }
  });
  ingest->add_option("-c,--collection", collection, "collection name (default \"default\")");
  ingest->add_option("-t,--tag", tags, "tag the documents (repeatable)");
  ingest->add_option("--exclude", exclude, "skip files matching this glob (repeatable)");
  ingest->add_option("--threads", threads, "worker threads (default: one per core)");
  bool force = false;
  double doc_timeout = -1;
  ingest->add_flag("--force", force,
                   "re-read every file (ignore size/mtime) and retire the old version of a changed file");
  ingest->add_option("--timeout", doc_timeout,
                     "seconds one document may take, then it fails as a timeout (0 = none; default 300)")
      ->check(CLI::NonNegativeNumber);

  auto* search = app.add_subcommand("search", "search the archive");
  search->add_option("query", query, "query text")->required();
  search->add_option("-k", k, "number of hits (default 10)");
  search->add_option("--mode", mode, "bm25 | dense | hybrid (default hybrid)")
      ->check(CLI::IsMember({"bm25", "lexical", "dense", "hybrid"}));
  search->add_option("-c,--collection", collection, "only this collection");

  auto* ask = app.add_subcommand("ask", "answer a question from the archive, with citations");
  ask->add_option("question", query, "the question")->required();
  ask->add_option("-c,--collection", collection, "only this collection");
  std::string answer_model;
  ask->add_option("--model", answer_model, "GGUF language model: generative answer (default: [model] path, else extractive)")
      ->check(CLI::ExistingFile);

  std::string summary_doc, summary_query, summary_tag;
  auto* summarize = app.add_subcommand("summarize", "summarize a document, a query's documents or a tag");
  auto* by_doc = summarize->add_option("--doc", summary_doc, "document id (or a unique prefix)");
  auto* by_query = summarize->add_option("--query", summary_query, "the documents best matching a query");
  auto* by_tag = summarize->add_option("--tag", summary_tag, "every document with this tag");
  by_doc->excludes(by_query)->excludes(by_tag);
  by_query->excludes(by_tag);
  summarize->add_option("-c,--collection", collection, "only this collection");
  summarize->add_option("--model", answer_model, "GGUF language model: generative summary (default: [model] path, else extractive)")
      ->check(CLI::ExistingFile);
  summarize->callback([&] {
    if (summary_doc.empty() && summary_query.empty() && summary_tag.empty()) {
      throw CLI::RequiredError("one of --doc, --query or --tag");
    }
  });

  auto* inspect = app.add_subcommand("inspect", "show one document: metadata, pages, chunks");
  inspect->add_option("doc_id", doc_id, "document id (or a unique prefix of it)")->required();
  inspect->add_flag("--text", show_text, "print each page's text");

  auto* list = app.add_subcommand("list", "list the documents in the archive");
  auto* failures = app.add_subcommand("failures", "files that could not be ingested, and why");
  auto* stats = app.add_subcommand("stats", "counts and index sizes");

  auto* serve = app.add_subcommand("serve", "serve the Thrift API");
  serve->add_option("--host", host, "address to bind (default 127.0.0.1)");
  serve->add_option("--port", port, "port (default 9440)");

  auto* extract = app.add_subcommand("extract", "show what ingest extracts from a file (no store)");
  extract->add_option("file", file, "the file")->required()->check(CLI::ExistingFile);
  bool extract_in_process = false;
  extract->add_flag("--in-process", extract_in_process,
                    "run Poppler in this process instead of archivist-extract-worker");

  auto* inspect_model = app.add_subcommand("inspect-model", "list a GGUF model's metadata and tensors");
  inspect_model->add_option("file", file, "the .gguf file")->required()->check(CLI::ExistingFile);

  GenerateArgs gen;
  auto* generate = app.add_subcommand("generate", "run a GGUF language model on a prompt");
  generate->add_option("--model", gen.model, "the .gguf file")->required()->check(CLI::ExistingFile);
  auto* prompt_text = generate->add_option("--prompt", gen.prompt, "prompt text");
  auto* prompt_ids = generate->add_option("--prompt-tokens", gen.prompt_tokens, "prompt as token ids: 1,2,3");
  prompt_text->excludes(prompt_ids);
  generate->add_flag("--chat", gen.chat, "wrap the prompt in the model's chat template");
  generate->add_option("--system", gen.system, "system message (with --chat)");
  generate->add_option("--max-tokens", gen.max_tokens, "tokens to generate (default 128)");
  generate->add_option("--ctx", gen.ctx, "context size (default prompt + max tokens)");
  generate->add_option("--temp", gen.temperature, "temperature; 0 = greedy (default)");
  generate->add_option("--top-k", gen.top_k, "top-k (0 = off)");
  generate->add_option("--top-p", gen.top_p, "top-p (1 = off)");
  generate->add_option("--min-p", gen.min_p, "min-p (0 = off)");
  generate->add_option("--repeat-penalty", gen.repetition_penalty, "repetition penalty (1 = off)");
  generate->add_option("--seed", gen.seed, "sampling seed (default 0)");
  generate->add_option("--stop", gen.stop, "stop string (repeatable)");
  generate->add_flag("--ignore-eos", gen.ignore_eos, "keep going past end-of-generation tokens");
  generate->add_option("--logits-out", gen.logits_out, "write the last prompt position's logits (.npy)");
  generate->add_option("--draft", gen.draft, "draft model for speculative decoding")->check(CLI::ExistingFile);
  generate->add_option("--n-draft", gen.n_draft, "tokens drafted per step (default 4)");
  generate->add_option("--threads", gen.threads, "threads (default: one per core)");
  generate->add_option("--kv-type", gen.kv_type, "KV cache: f16 (default), f32 (exact), q8_0");
  generate->callback([&] {
    if (gen.prompt.empty() && gen.prompt_tokens.empty()) {
      throw CLI::RequiredError("--prompt or --prompt-tokens");
    }
  });

  std::string model_file, text;
  bool no_special = false, normalize = false;
  std::string npy;
  auto* tokenize = app.add_subcommand("tokenize", "print the token ids a model gives a text");
  tokenize->add_option("--model", model_file, "the .gguf file")->required()->check(CLI::ExistingFile);
  tokenize->add_option("text", text, "the text")->required();
  tokenize->add_flag("--no-special", no_special, "no BOS/EOS or [CLS]/[SEP]");

  auto* embed = app.add_subcommand("embed", "pooled embedding of a text from an encoder model");
  embed->add_option("--model", model_file, "the .gguf file")->required()->check(CLI::ExistingFile);
  embed->add_option("text", text, "the text")->required();
  embed->add_option("--npy", npy, "write the vector to a .npy file");
  embed->add_flag("--normalize", normalize, "L2-normalise the vector");

  int bench_prompt = 512, bench_gen = 128;
  std::vector<int> bench_threads;
  std::string bench_kv_type = "f16";
  auto* bench_engine = app.add_subcommand("bench-engine", "prompt and generation speed of a model (JSON)");
  bench_engine->add_option("--model", model_file, "the .gguf file")->required()->check(CLI::ExistingFile);
  bench_engine->add_option("--prompt-tokens", bench_prompt, "prompt length (default 512)");
  bench_engine->add_option("--gen-tokens", bench_gen, "tokens generated (default 128)");
  bench_engine->add_option("--threads", bench_threads, "thread counts to measure (default 1 2)");
  bench_engine->add_option("--kv-type", bench_kv_type, "KV cache: f16 (default), f32, q8_0");

  EvalArgs eval_args;
  auto* eval = app.add_subcommand("eval", "retrieval quality on a test collection (nDCG@10, MAP, recall@100)");
  eval->add_option("--docs", eval_args.docs, "docs.jsonl ({id,title,text})")->required()->check(CLI::ExistingFile);
  eval->add_option("--queries", eval_args.queries, "queries.jsonl ({id,text})")->required()->check(CLI::ExistingFile);
  eval->add_option("--qrels", eval_args.qrels, "qrels.tsv (qid docid rel)")->required()->check(CLI::ExistingFile);
  eval->add_option("--mode", eval_args.mode, "bm25 | dense | hybrid | all (default bm25)")
      ->check(CLI::IsMember({"bm25", "dense", "hybrid", "all"}));
  eval->add_option("--embedder", eval_args.embedder, "hash | lsa (default hash)")
      ->check(CLI::IsMember({"hash", "lsa"}));

  std::string reindex_embedder = "lsa";
  int reindex_dimension = 256;
  auto* reindex = app.add_subcommand(
      "reindex", "re-embed every chunk: fit an LSA model on the archive (kept in it) or go back to hash");
  reindex->add_option("--embedder", reindex_embedder, "lsa | hash (default lsa)")
      ->check(CLI::IsMember({"lsa", "hash"}));
  reindex->add_option("--dimension", reindex_dimension, "LSA dimensions (default 256)")
      ->check(CLI::Range(8, 1024));

  std::string backup_dir;
  auto* backup = app.add_subcommand("backup", "consistent copy of the archive (store + vector index)");
  backup->add_option("dir", backup_dir, "new directory for the backup")->required();
  auto* restore = app.add_subcommand("restore", "restore a backup into an empty --data-dir");
  restore->add_option("dir", backup_dir, "the backup directory")->required()->check(CLI::ExistingDirectory);

  UpgradeArgs upgrade_args;
  auto* upgrade = app.add_subcommand("upgrade", "upgrade the data directory to this build's schema (backs up first)");
  auto* upgrade_backup = upgrade->add_option("--backup", upgrade_args.backup,
                                             "new directory for the backup (default: beside the data dir)");
  auto* upgrade_rollback = upgrade->add_option("--rollback", upgrade_args.rollback,
                                               "put this backup back instead (undo an upgrade)")
                               ->check(CLI::ExistingDirectory);
  auto* upgrade_check = upgrade->add_flag("--check", upgrade_args.check,
                                          "only report the schema versions (exit 2 if not current)");
  upgrade_rollback->excludes(upgrade_backup)->excludes(upgrade_check);
  upgrade_backup->excludes(upgrade_check);

  auto* version = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (!config_path.empty()) {
    auto loaded = LoadConfig(config_path);
    if (!loaded.ok()) return ReportError(loaded.status());
    g.config = std::move(loaded).value();
  }
  AppConfig& c = g.config;
  if (!log_level.empty()) {
    auto level = archivist::log::ParseLevel(log_level);
    if (!level.ok()) return ReportError(level.status());
    c.log.level = *level;
  }
  if (!log_format.empty()) {
    auto format = archivist::log::ParseFormat(log_format);
    if (!format.ok()) return ReportError(format.status());
    c.log.format = *format;
  }
  archivist::log::Configure(c.log);
  archivist::metrics::SetBuildInfo(ARCHIVIST_VERSION);
  if (metrics_listen == "off") c.metrics.enabled = false;
  else if (!metrics_listen.empty()) c.metrics = {true, metrics_listen};
  if (!data_dir.empty()) c.data_dir = data_dir;
  if (!collection.empty()) {
    c.ingest.collection = collection;
    c.search.collection = collection;
    c.ask.collection = collection;
  }
  if (!tags.empty()) c.ingest.tags = tags;
  if (!exclude.empty()) c.ingest.exclude = exclude;
  if (threads >= 0) c.ingest.threads = threads;
  if (force) c.ingest.force = true;
  if (doc_timeout >= 0) c.ingest.document_timeout_seconds = doc_timeout;
  if (k > 0) c.search.k = k;
  if (mode == "bm25" || mode == "lexical") c.search.mode = archivist::index::SearchMode::kLexical;
  if (mode == "dense") c.search.mode = archivist::index::SearchMode::kDense;
  if (mode == "hybrid") c.search.mode = archivist::index::SearchMode::kHybrid;
  if (redact) c.ask.privacy.redact = true;
  if (!answer_model.empty()) c.ask.generation.model_path = answer_model;
  if (!host.empty()) c.server.host = host;
  if (port >= 0) c.server.port = port;

  if (*ingest) {
    if (retry_failed) {
      auto failed = FailedPaths(g);
      if (!failed.ok()) return ReportError(failed.status());
      if (failed->empty() && paths.empty()) {
        std::cout << "no failed files to retry\n";
        return kExitOk;
      }
      paths.insert(paths.end(), failed->begin(), failed->end());
    }
    return RunIngest(g, paths, watch_dir);
  }
  if (*failures) return RunFailures(g);
  if (*search) return RunSearch(g, query);
  if (*ask) return RunAsk(g, query);
  if (*summarize) return RunSummarize(g, summary_doc, summary_query, summary_tag);
  if (*inspect) return RunInspect(g, doc_id, show_text);
  if (*list) return RunList(g);
  if (*stats) return RunStats(g);
  if (*serve) return RunServe(g);
  if (*extract) return RunExtract(g, file, extract_in_process);
  if (*inspect_model) return RunInspectModel(g, file);
  if (*generate) return RunGenerate(g, gen);
  if (*eval) return RunEval(g, eval_args);
  if (*reindex) return RunReindex(g, reindex_embedder, reindex_dimension);
  if (*backup) return RunBackup(g, backup_dir);
  if (*restore) return RunRestore(g, backup_dir);
  if (*upgrade) return RunUpgrade(g, upgrade_args);
  if (*tokenize) return RunTokenize(g, model_file, text, no_special);
  if (*embed) return RunEmbed(g, model_file, text, npy, normalize);
  if (*bench_engine) return RunBenchEngine(g, model_file, bench_prompt, bench_gen, bench_threads,
                                           bench_kv_type);
  if (*version) {
    std::cout << "archivist " << ARCHIVIST_VERSION << "\n";
    return kExitOk;
  }
  return kExitUsage;
}
