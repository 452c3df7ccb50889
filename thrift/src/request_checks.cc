#include "request_checks.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace archivist::service {
namespace {

constexpr size_t kMaxFileNameBytes = 255;
constexpr size_t kMaxLabelBytes = 128;
constexpr size_t kMaxTags = 64;
constexpr int kMaxCandidates = 10'000;
constexpr int kMaxAskSentences = 20;
constexpr int kMaxAskRetrieve = 100;
constexpr int kMaxListLimit = 1000;

bool HasControlCharacter(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

// A query or question: present, not blank, bounded, UTF-8.
Status CheckQueryText(std::string_view field, const std::string& text, int max_bytes) {
  if (IsBlank(text)) return Status::InvalidArgument(std::string(field) + " is empty");
  if (text.size() > static_cast<size_t>(max_bytes)) {
    return Status::InvalidArgument(std::string(field) + " is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(max_bytes));
  }
  if (!IsValidUtf8(text)) return Status::InvalidArgument(std::string(field) + " is not UTF-8");
  return Status::Ok();
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte in lead position, 0xc0/0xc1 overlong, or > 0xf4
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (int j = 1; j <= extra; ++j) {
      const auto cc = static_cast<unsigned char>(text[i + j]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xd800 && cp <= 0xdfff) return false;                                // surrogate
    if (cp > 0x10ffff) return false;
    i += extra + 1;
  }
  return true;
}

Result<std::string> CheckUploadFileName(const std::string& name) {
  if (name.empty()) return std::string("upload");
  if (name.size() > kMaxFileNameBytes) {
    return Status::InvalidArgument("file_name is " + std::to_string(name.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxFileNameBytes));
  }
  if (!IsValidUtf8(name)) return Status::InvalidArgument("file_name is not UTF-8");
  if (name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos || HasControlCharacter(name)) {
    return Status::InvalidArgument("file_name '" + name +
                                   "' must be a plain file name without directories");
  }
  return name;
}

Status CheckLabel(std::string_view field, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(std::string(field) + " is empty");
  if (value.size() > kMaxLabelBytes) {
    return Status::InvalidArgument(std::string(field) + " is longer than " +
                                   std::to_string(kMaxLabelBytes) + " bytes");
  }
  if (!IsValidUtf8(value) || HasControlCharacter(value)) {
    return Status::InvalidArgument(std::string(field) +
                                   " must be UTF-8 without control characters");
  }
  return Status::Ok();
}

Status CheckDocId(const std::string& doc_id) {
  bool ok = doc_id.size() == 64;
  for (char c : doc_id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) ok = false;
  }
  if (!ok) {
    return Status::InvalidArgument("doc_id must be 64 lower-case hex digits (a SHA-256), got '" +
                                   doc_id.substr(0, 80) + "'");
  }
  return Status::Ok();
}

Result<index::SearchOptions> SearchOptionsFromRequest(const thrift_gen::SearchRequest& request,
                                                      const RequestLimits& limits) {
  ARCHIVIST_RETURN_IF_ERROR(CheckQueryText("query", request.query, limits.max_query_bytes));
  index::SearchOptions options;
  if (request.__isset.k) options.k = request.k;
  if (options.k < 1 || options.k > limits.max_k) {
    return Status::InvalidArgument("k is " + std::to_string(options.k) + "; it must be in 1.." +
                                   std::to_string(limits.max_k));
  }
  if (request.__isset.mode) {
    // Read the wire value as an integer: an unknown mode from a newer client is not a valid enum
    // value, and loading it as one is undefined behaviour.
    int32_t raw_mode = 0;
    static_assert(sizeof(request.mode) == sizeof(raw_mode));
    std::memcpy(&raw_mode, &request.mode, sizeof raw_mode);
    switch (raw_mode) {
      case thrift_gen::SearchMode::LEXICAL:
        options.mode = index::SearchMode::kLexical;
        break;
      case thrift_gen::SearchMode::DENSE:
        options.mode = index::SearchMode::kDense;
        break;
      case thrift_gen::SearchMode::HYBRID:
        options.mode = index::SearchMode::kHybrid;
        break;
      default:
        return Status::InvalidArgument("mode " + std::to_string(raw_mode) +
                                       " is not a SearchMode");
    }
  }
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
    options.collection = request.collection;
  }
  if (request.__isset.candidates) {
    if (request.candidates < options.k || request.candidates > kMaxCandidates) {
      return Status::InvalidArgument("candidates is " + std::to_string(request.candidates) +
                                     "; it must be in k.." + std::to_string(kMaxCandidates));
    }
    options.candidates = request.candidates;
  } else if (options.candidates < options.k) {
    options.candidates = options.k;
  }
  options.group_by_document = request.__isset.group_by_document && request.group_by_document;
  return options;
}

Result<pipeline::AskOptions> AskOptionsFromRequest(const thrift_gen::AskRequest& request,
                                                   const RequestLimits& limits) {
  ARCHIVIST_RETURN_IF_ERROR(CheckQueryText("question", request.question, limits.max_query_bytes));
  pipeline::AskOptions options;
  if (request.__isset.max_sentences) options.max_sentences = request.max_sentences;
  if (options.max_sentences < 1 || options.max_sentences > kMaxAskSentences) {
    return Status::InvalidArgument("max_sentences must be in 1.." +
                                   std::to_string(kMaxAskSentences));
  }
  if (request.__isset.retrieve_k) options.retrieve_k = request.retrieve_k;
  if (options.retrieve_k < 1 || options.retrieve_k > kMaxAskRetrieve) {
    return Status::InvalidArgument("retrieve_k must be in 1.." + std::to_string(kMaxAskRetrieve));
  }
  if (request.__isset.min_support) options.min_support = request.min_support;
  if (!std::isfinite(options.min_support) || options.min_support < 0.0 ||
      options.min_support > 1.0) {
    return Status::InvalidArgument("min_support must be in 0..1");
  }
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
    options.collection = request.collection;
  }
  if (request.__isset.max_tokens && (request.max_tokens < 1 || request.max_tokens > 4096)) {
    return Status::InvalidArgument("max_tokens must be in 1..4096");
  }
  if (request.__isset.temperature &&
      (!std::isfinite(request.temperature) || request.temperature < 0 ||
       request.temperature > 2)) {
    return Status::InvalidArgument("temperature must be in 0..2");
  }
  if (request.__isset.seed && request.seed < 0) return Status::InvalidArgument("seed must be >= 0");
  return options;
}

Result<pipeline::SummarizeOptions> SummarizeOptionsFromRequest(
    const thrift_gen::SummarizeRequest& request, const RequestLimits& limits) {
  pipeline::SummarizeOptions options;
  int selectors = 0;
  if (request.__isset.doc_id && !request.doc_id.empty()) {
    ++selectors;
    const bool hex = request.doc_id.size() >= 8 && request.doc_id.size() <= 64 &&
                     request.doc_id.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) {
      return Status::InvalidArgument("doc_id must be 8..64 lower-case hex digits (an id or a "
                                     "prefix of one)");
    }
    options.doc_id = request.doc_id;
  }
  if (request.__isset.query && !request.query.empty()) {
    ++selectors;
    ARCHIVIST_RETURN_IF_ERROR(CheckQueryText("query", request.query, limits.max_query_bytes));
    options.query = request.query;
  }
  if (request.__isset.tag && !request.tag.empty()) {
    ++selectors;
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("tag", request.tag));
    options.tag = request.tag;
  }
  if (selectors != 1) {
    return Status::InvalidArgument("set exactly one of doc_id, query and tag");
  }
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
    options.collection = request.collection;
  }
  auto in_range = [](const char* name, bool set, int value, int low, int high, int& out) {
    if (!set) return Status::Ok();
    if (value < low || value > high) {
      return Status::InvalidArgument(std::string(name) + " must be in " + std::to_string(low) +
                                     ".." + std::to_string(high));
    }
    out = value;
    return Status::Ok();
  };
  ARCHIVIST_RETURN_IF_ERROR(in_range("query_documents", request.__isset.query_documents,
                                     request.query_documents, 1, 20, options.query_documents));
  ARCHIVIST_RETURN_IF_ERROR(in_range("sentences_per_section",
                                     request.__isset.sentences_per_section,
                                     request.sentences_per_section, 1, 10,
                                     options.sentences_per_section));
  ARCHIVIST_RETURN_IF_ERROR(in_range("max_sections", request.__isset.max_sections,
                                     request.max_sections, 1, 50, options.max_sections));
  ARCHIVIST_RETURN_IF_ERROR(in_range("max_documents", request.__isset.max_documents,
                                     request.max_documents, 1, 100, options.max_documents));
  return options;
}

Result<AuditFilter> AuditFilterFromRequest(const thrift_gen::AuditQueryRequest& request) {
  AuditFilter filter;
  if (request.__isset.since_ms) filter.since_ms = request.since_ms;
  if (request.__isset.until_ms) filter.until_ms = request.until_ms;
  if (filter.since_ms < 0 || filter.until_ms < 0) {
    return Status::InvalidArgument("since_ms and until_ms must be >= 0");
  }
  if (request.__isset.caller) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("caller", request.caller));
    filter.caller = request.caller;
  }
  if (request.__isset.method) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("method", request.method));
    filter.method = request.method;
  }
  if (request.__isset.doc_id) {
    ARCHIVIST_RETURN_IF_ERROR(CheckDocId(request.doc_id));
    filter.doc_id = request.doc_id;
  }
  if (request.__isset.limit) filter.limit = request.limit;
  if (filter.limit < 1 || filter.limit > 10'000) {
    return Status::InvalidArgument("limit must be in 1..10000");
  }
  return filter;
}

Result<std::string> CheckJobId(const std::string& job_id) {
  if (job_id.empty() || job_id.size() > 64 ||
      job_id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
    return Status::InvalidArgument("job_id is not a job id this server issues");
  }
  return job_id;
}

Result<ListWindow> ListWindowFromRequest(const thrift_gen::ListDocumentsRequest& request) {
  ListWindow window;
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
    window.collection = request.collection;
  }
  if (request.__isset.offset) window.offset = request.offset;
  if (window.offset < 0) return Status::InvalidArgument("offset must be >= 0");
  if (request.__isset.limit) window.limit = request.limit;
  if (window.limit < 1 || window.limit > kMaxListLimit) {
    return Status::InvalidArgument("limit must be in 1.." + std::to_string(kMaxListLimit));
  }
  return window;
}

Status CheckIngestLabels(const thrift_gen::IngestRequest& request) {
  if (request.__isset.collection && !request.collection.empty()) {
    ARCHIVIST_RETURN_IF_ERROR(CheckLabel("collection", request.collection));
  }
  if (request.__isset.tags) {
    if (request.tags.size() > kMaxTags) {
      return Status::InvalidArgument("at most " + std::to_string(kMaxTags) + " tags are allowed");
    }
    for (const std::string& tag : request.tags) ARCHIVIST_RETURN_IF_ERROR(CheckLabel("tag", tag));
  }
  return Status::Ok();
}

}  // namespace archivist::service
