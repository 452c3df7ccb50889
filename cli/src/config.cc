#include "config.h"

#include <toml++/toml.h>

#include <ctime>
#include <functional>
#include <map>
#include <set>
#include "archivist/pipeline/redact.h"

namespace archivist::cli {
namespace {

// One table of "section.key" -> setter keeps the file format, the defaults and the docs in one place.
using Setter = std::function<Status(const toml::node&)>;

template <typename T>
Setter Set(T* field) {
  return [field](const toml::node& node) -> Status {
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node.value<std::string>()) { *field = *v; return Status::Ok(); }
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node.value<bool>()) { *field = *v; return Status::Ok(); }
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node.value<double>()) { *field = static_cast<T>(*v); return Status::Ok(); }
    } else {
      if (auto v = node.value<int64_t>()) { *field = static_cast<T>(*v); return Status::Ok(); }
    }
    return Status::InvalidArgument("has the wrong type");
  };
}

Setter SetStrings(std::vector<std::string>* field) {
  return [field](const toml::node& node) -> Status {
    const toml::array* arr = node.as_array();
    if (!arr) return Status::InvalidArgument("must be an array of strings");
    field->clear();
    for (const toml::node& el : *arr) {
      auto v = el.value<std::string>();
      if (!v) return Status::InvalidArgument("must be an array of strings");
      field->push_back(*v);
    }
    return Status::Ok();
  };
}

Setter SetPiiKinds(std::set<pipeline::PiiKind>* field) {
  return [field](const toml::node& node) -> Status {
    const toml::array* arr = node.as_array();
    if (!arr) return Status::InvalidArgument("must be an array of identifier kinds");
    field->clear();
    for (const toml::node& el : *arr) {
      auto v = el.value<std::string>();
      if (!v) return Status::InvalidArgument("must be an array of identifier kinds");
      auto kind = pipeline::PiiKindFromName(*v);
      if (!kind.ok()) return kind.status();
      field->insert(*kind);
    }
    return Status::Ok();
  };
}

Setter SetMode(index::SearchMode* field) {
  return [field](const toml::node& node) -> Status {
    auto v = node.value<std::string>();
    if (v == "bm25" || v == "lexical") *field = index::SearchMode::kLexical;
    else if (v == "dense") *field = index::SearchMode::kDense;
    else if (v == "hybrid") *field = index::SearchMode::kHybrid;
    else return Status::InvalidArgument("must be \"bm25\", \"dense\" or \"hybrid\"");
    return Status::Ok();
  };
}

// [[server.tokens]] tables: name, sha256 (of the token, never the token), role, collections,
// expires (a TOML date-time, or Unix seconds).
Setter SetTokens(std::vector<service::ApiToken>* field) {
  return [field](const toml::node& node) -> Status {
    const toml::array* arr = node.as_array();
    if (!arr) return Status::InvalidArgument("must be an array of tables ([[server.tokens]])");
    field->clear();
    for (const toml::node& el : *arr) {
      const toml::table* t = el.as_table();
      if (!t) return Status::InvalidArgument("must be an array of tables ([[server.tokens]])");
      service::ApiToken token;
      token.name = (*t)["name"].value_or(std::string());
      token.sha256_hex = (*t)["sha256"].value_or(std::string());
      auto role = service::RoleFromName((*t)["role"].value_or(std::string("reader")));
      if (!role.ok()) return role.status();
      token.role = *role;
      if (const toml::node* cols = t->get("collections")) {
        if (Status s = SetStrings(&token.collections)(*cols); !s.ok()) return s;
      }
      if (const toml::node* exp = t->get("expires")) {
        if (auto dt = exp->value<toml::date_time>()) {
          std::tm tm{};
          tm.tm_year = dt->date.year - 1900;
          tm.tm_mon = dt->date.month - 1;
          tm.tm_mday = dt->date.day;
          tm.tm_hour = dt->time.hour;
          tm.tm_min = dt->time.minute;
          tm.tm_sec = dt->time.second;
          const int64_t offset = dt->offset ? dt->offset->minutes * 60 : 0;
          token.expires_at = static_cast<int64_t>(timegm(&tm)) - offset;
        } else if (auto secs = exp->value<int64_t>()) {
          token.expires_at = *secs;
        } else {
          return Status::InvalidArgument("token '" + token.name +
                                         "': expires must be a date-time or Unix seconds");
        }
      }
      if (Status s = token.Validate(); !s.ok()) return s;
      field->push_back(std::move(token));
    }
    return Status::Ok();
  };
}

// An enum field read from a string through its Parse function (log level and format).
template <typename T, typename Parse>
Setter SetParsed(T* field, Parse parse) {
  return [field, parse](const toml::node& node) -> Status {
    auto v = node.value<std::string>();
    if (!v) return Status::InvalidArgument("must be a string");
    auto parsed = parse(*v);
    if (!parsed.ok()) return parsed.status();
    *field = *parsed;
    return Status::Ok();
  };
}

std::map<std::string, Setter> Setters(AppConfig& c) {
  return {
      {"data.dir", Set(&c.data_dir)},
      {"ingest.collection", Set(&c.ingest.collection)},
      {"ingest.tags", SetStrings(&c.ingest.tags)},
      {"ingest.exclude", SetStrings(&c.ingest.exclude)},
      {"ingest.threads", Set(&c.ingest.threads)},
      {"ingest.max_in_flight", Set(&c.ingest.max_in_flight)},
      {"ingest.max_file_bytes", Set(&c.ingest.max_file_bytes)},
      {"ingest.document_timeout_seconds", Set(&c.ingest.document_timeout_seconds)},
      {"ingest.commit_max_documents", Set(&c.ingest.commit_max_documents)},
      {"ingest.commit_max_bytes", Set(&c.ingest.commit_max_bytes)},
      {"ingest.ocr_max_inflight_megapixels", Set(&c.ingest.ocr_max_inflight_megapixels)},
      {"ingest.ocr_dpi", Set(&c.ingest.extract.ocr_dpi)},
      {"ingest.max_page_pixels", Set(&c.ingest.extract.max_page_pixels)},
      {"ingest.ocr_languages", Set(&c.ingest.extract.ocr_languages)},
      {"ingest.tessdata_dir", Set(&c.ingest.extract.tessdata_dir)},
      {"ingest.enable_ocr", Set(&c.ingest.extract.enable_ocr)},
      {"ingest.pdf_password", Set(&c.ingest.extract.pdf_password)},
      {"ingest.max_pages", Set(&c.ingest.extract.max_pages)},
      {"ingest.auto_rotate", Set(&c.ingest.extract.auto_rotate)},
      {"ingest.auto_rotate_always", Set(&c.ingest.extract.auto_rotate_always)},
      {"ingest.ocr_deskew", Set(&c.ingest.extract.preprocess.deskew)},
      {"ingest.ocr_normalize_background", Set(&c.ingest.extract.preprocess.normalize_background)},
      {"ingest.ocr_adaptive_binarize", Set(&c.ingest.extract.preprocess.adaptive_binarize)},
      {"ingest.ocr_upscale_small", Set(&c.ingest.extract.preprocess.upscale_small)},
      {"ingest.isolate_pdf", Set(&c.ingest.extract.isolate_pdf)},
      {"ingest.pdf_worker_path", Set(&c.ingest.extract.pdf_worker_path)},
      {"ingest.pdf_worker_memory_mb", Set(&c.ingest.extract.pdf_worker_memory_mb)},
      {"ingest.pdf_worker_recycle_mb", Set(&c.ingest.extract.pdf_worker_recycle_mb)},
      {"chunk.target_tokens", Set(&c.ingest.chunk.target_tokens)},
      {"chunk.max_tokens", Set(&c.ingest.chunk.max_tokens)},
      {"chunk.overlap_tokens", Set(&c.ingest.chunk.overlap_tokens)},
      {"index.bm25_k1", Set(&c.archive.bm25_k1)},
      {"index.bm25_b", Set(&c.archive.bm25_b)},
      {"index.stemming", Set(&c.archive.stemming)},
      {"index.ann_threshold", Set(&c.archive.ann_threshold)},
      {"index.hnsw_m", Set(&c.archive.hnsw_m)},
      {"index.hnsw_ef_construction", Set(&c.archive.hnsw_ef_construction)},
      {"index.hnsw_ef_search", Set(&c.archive.hnsw_ef_search)},
      {"index.fold_chunks", Set(&c.archive.fold_chunks)},
      {"index.ann_index", Set(&c.archive.ann_index)},
      {"index.ivf_nlist", Set(&c.archive.ivf_nlist)},
      {"index.ivf_nprobe", Set(&c.archive.ivf_nprobe)},
      {"search.k", Set(&c.search.k)},
      {"search.mode", SetMode(&c.search.mode)},
      {"search.rrf_k", Set(&c.search.rrf_k)},
      {"search.lexical_weight", Set(&c.search.lexical_weight)},
      {"search.dense_weight", Set(&c.search.dense_weight)},
      {"search.candidates", Set(&c.search.candidates)},
      {"ask.max_sentences", Set(&c.ask.max_sentences)},
      {"ask.retrieve_k", Set(&c.ask.retrieve_k)},
      {"ask.min_support", Set(&c.ask.min_support)},
      {"privacy.redact", Set(&c.ask.privacy.redact)},
      {"privacy.kinds", SetPiiKinds(&c.ask.privacy.kinds)},
      {"model.path", Set(&c.ask.generation.model_path)},
      {"model.context_tokens", Set(&c.ask.generation.context_tokens)},
      {"model.max_answer_tokens", Set(&c.ask.generation.max_answer_tokens)},
      {"model.temperature", Set(&c.ask.generation.temperature)},
      {"model.seed", Set(&c.ask.generation.seed)},
      {"model.threads", Set(&c.ask.generation.threads)},
      {"model.faithfulness_threshold", Set(&c.ask.generation.faithfulness_threshold)},
      {"guard.model", Set(&c.ask.generation.guard.model_path)},
      {"guard.policy", Set(&c.ask.generation.guard.policy)},
      {"guard.block_unclear", Set(&c.ask.generation.guard.block_unclear)},
      {"server.host", Set(&c.server.host)},
      {"server.port", Set(&c.server.port)},
      {"server.worker_threads", Set(&c.server.worker_threads)},
      {"server.max_frame_bytes", Set(&c.server.max_frame_bytes)},
      {"metrics.enabled", Set(&c.metrics.enabled)},
      {"metrics.listen", Set(&c.metrics.listen)},
      {"log.level", SetParsed(&c.log.level, log::ParseLevel)},
      {"log.format", SetParsed(&c.log.format, log::ParseFormat)},
      {"server.tokens", SetTokens(&c.server.tokens)},
      {"server.allow_anonymous", Set(&c.server.allow_anonymous)},
      {"server.tls_cert", Set(&c.server.tls_cert_file)},
      {"server.tls_key", Set(&c.server.tls_key_file)},
      {"server.audit_log", Set(&c.server.audit_log_path)},
      {"server.max_concurrent_calls", Set(&c.server.max_concurrent_calls)},
      {"server.call_deadline_ms", Set(&c.server.call_deadline_ms)},
      {"server.idle_timeout_ms", Set(&c.server.idle_timeout_ms)},
      {"server.batch_root", Set(&c.server.batch_root)},
  };
}

}  // namespace

Result<AppConfig> LoadConfig(const std::string& path) {
  AppConfig config;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument("config " + path + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " +
                                   std::string(e.description()));
  }
  std::map<std::string, Setter> setters = Setters(config);
  for (const auto& [section, node] : root) {
    const toml::table* table = node.as_table();
    if (!table) {
      return Status::InvalidArgument("config " + path + ": '" + std::string(section.str()) +
                                     "' must be a [section]");
    }
    for (const auto& [key, value] : *table) {
      std::string name = std::string(section.str()) + "." + std::string(key.str());
      auto it = setters.find(name);
      if (it == setters.end()) {
        return Status::InvalidArgument("config " + path + ": unknown key '" + name + "'");
      }
      if (Status s = it->second(value); !s.ok()) {
        return Status::InvalidArgument("config " + path + ": '" + name + "' " + s.message());
      }
    }
  }
  return config;
}

}  // namespace archivist::cli
