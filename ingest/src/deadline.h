#pragma once
// The per-document time limit (ExtractOptions::deadline), checked cooperatively between units of
// work that Poppler and Tesseract cannot interrupt themselves.

#include <chrono>
#include <string>
#include <string_view>

#include "archivist/base/status.h"
#include "archivist/ingest/extractor.h"

namespace archivist::ingest {

inline bool DeadlinePassed(std::chrono::steady_clock::time_point deadline) {
  return deadline != std::chrono::steady_clock::time_point::max() &&
         std::chrono::steady_clock::now() >= deadline;
}

// The error every stage returns once the deadline has passed: "timeout: <stage> of page N of M".
// `pages` is 0 when the count is not known at the point of the check.
inline Status TimeoutError(std::string_view stage, int page, int pages) {
  std::string message = "timeout: document_timeout reached during ";
  message.append(stage);
  message += " of page " + std::to_string(page);
  if (pages > 0) message += " of " + std::to_string(pages);
  return Status::ResourceExhausted(message);
}

inline Status CheckDeadline(const ExtractOptions& options, std::string_view stage, int page,
                            int pages) {
  return DeadlinePassed(options.deadline) ? TimeoutError(stage, page, pages) : Status::Ok();
}

}  // namespace archivist::ingest
