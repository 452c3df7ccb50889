#pragma once
// Validation of what clients send, before anything reaches the archive: every rule the IDL
// documents for a request field is enforced here, and each violation is a kInvalidArgument that
// names the field.

#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/summarize.h"
#include "archivist/thrift/server.h"
#include "archivist_types.h"

namespace archivist::service {

struct RequestLimits {
  int max_k = 1000;               // Default: 1000 hits per search
  int max_query_bytes = 8 << 10;  // Default: 8 KiB per query or question
};

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// The file name an upload is spooled and titled under: the name itself when it is a plain,
// safe file name; "upload" when empty. Refuses directories ('/', '\\'), ".", "..", control
// characters, invalid UTF-8 and names over 255 bytes.
Result<std::string> CheckUploadFileName(const std::string& name);

// A collection or tag name: 1..128 bytes of UTF-8 without control characters.
Status CheckLabel(std::string_view field, const std::string& value);

// 64 lower-case hex digits.
Status CheckDocId(const std::string& doc_id);

// The query and the search options the request asks for.
Result<index::SearchOptions> SearchOptionsFromRequest(const thrift_gen::SearchRequest& request,
                                                      const RequestLimits& limits);

Result<pipeline::AskOptions> AskOptionsFromRequest(const thrift_gen::AskRequest& request,
                                                   const RequestLimits& limits);

struct ListWindow {
  std::string collection;  // empty: every collection
  int offset = 0;
  int limit = 100;
};
Result<ListWindow> ListWindowFromRequest(const thrift_gen::ListDocumentsRequest& request);

// Exactly one material selector (doc_id | query | tag) and sizes within their documented ranges.
Result<pipeline::SummarizeOptions> SummarizeOptionsFromRequest(
    const thrift_gen::SummarizeRequest& request, const RequestLimits& limits);

Result<AuditFilter> AuditFilterFromRequest(const thrift_gen::AuditQueryRequest& request);

// A job id as the server issues them (lower-case letters, digits, '-').
Result<std::string> CheckJobId(const std::string& job_id);

// The collection (when set) and tags of an ingest request.
Status CheckIngestLabels(const thrift_gen::IngestRequest& request);

}  // namespace archivist::service
