// Content-based type detection and the names of the enums in document.h.

#include "media_type.h"

#include <magic.h>

#include <array>
#include <string>
#include <string_view>

#include "archivist/ingest/document.h"
#include "archivist/ingest/extractor.h"
#include "text_util.h"

namespace archivist::ingest {

namespace {

constexpr std::array<std::pair<MediaType, std::string_view>, 7> kNames = {{
    {MediaType::kUnknown, "application/octet-stream"},
    {MediaType::kPdf, "application/pdf"},
    {MediaType::kTiff, "image/tiff"},
    {MediaType::kPng, "image/png"},
    {MediaType::kJpeg, "image/jpeg"},
    {MediaType::kText, "text/plain"},
    {MediaType::kMarkdown, "text/markdown"},
}};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Markdown is plain text with a few tell-tale constructs; one '#' heading or a fenced block is
// enough, bullets alone are not (plain-text notes use them too).
bool LooksLikeMarkdown(std::string_view text) {
  int headings = 0, fences = 0, list_items = 0, links = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t hashes = 0;
    while (hashes < line.size() && line[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < line.size() && line[hashes] == ' ') ++headings;
    std::string_view trimmed = TrimAscii(line);
    if (StartsWith(trimmed, "```") || StartsWith(trimmed, "~~~")) ++fences;
    if (StartsWith(trimmed, "- ") || StartsWith(trimmed, "* ") || StartsWith(trimmed, "+ ")) {
      ++list_items;
    }
    if (line.find("](") != std::string_view::npos) ++links;
  }
  const int score = headings * 2 + fences + (list_items >= 2 ? 1 : 0) + (links > 0 ? 1 : 0);
  return score >= 2;
}

// Text files carry tabs, line and page breaks; other C0 controls mark binary data. A stray one in
// a long file (an ESC from a printer dump) is tolerated.
bool FewControlChars(std::string_view bytes) {
  size_t controls = 0;
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ++controls;
  }
  return controls <= bytes.size() / 200;
}

}  // namespace

std::string_view MediaTypeName(MediaType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return kNames[0].second;
}

MediaType MediaTypeFromName(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return MediaType::kUnknown;
}

std::string_view PageSourceName(PageSource source) {
  switch (source) {
    case PageSource::kTextLayer:
      return "text_layer";
    case PageSource::kOcr:
      return "ocr";
    case PageSource::kMixed:
      return "mixed";
  }
  return "text_layer";
}

size_t FindPdfHeader(std::string_view bytes) {
  // Acrobat accepts the header anywhere in the first 1 KiB (mail gateways and scanners prepend
  // junk).
  return bytes.substr(0, 1024 + 5).find("%PDF-");
}

MediaType DetectMediaType(std::string_view bytes) {
  if (bytes.empty()) return MediaType::kUnknown;
  if (FindPdfHeader(bytes) != std::string_view::npos || LooksLikeHeaderlessPdf(bytes)) {
    return MediaType::kPdf;
  }
  using namespace std::string_view_literals;
  if (StartsWith(bytes, "II*\0"sv) || StartsWith(bytes, "MM\0*"sv)) return MediaType::kTiff;
  if (StartsWith(bytes, "\x89PNG\r\n\x1a\n"sv)) return MediaType::kPng;
  if (StartsWith(bytes, "\xFF\xD8\xFF"sv)) return MediaType::kJpeg;
  if (bytes.find('\0') == std::string_view::npos && FewControlChars(bytes) && IsValidUtf8(bytes)) {
    return LooksLikeMarkdown(bytes) ? MediaType::kMarkdown : MediaType::kText;
  }
  return MediaType::kUnknown;
}

bool LooksLikeHeaderlessPdf(std::string_view bytes) {
  // Some producers drop the "%PDF-" line; an object at the start and a trailer at the end are
  // just as telling, and Poppler reads such files.
  const std::string_view head = bytes.substr(0, 1024);
  if (head.find(" 0 obj") == std::string_view::npos) return false;
  const std::string_view tail = bytes.substr(bytes.size() > 4096 ? bytes.size() - 4096 : 0);
  return tail.find("startxref") != std::string_view::npos ||
         tail.find("trailer") != std::string_view::npos;
}

std::string DescribeUnknownContent(std::string_view bytes) {
  // libmagic handles are not thread-safe, so each (rare) call gets its own.
  magic_t cookie = magic_open(MAGIC_NONE);
  std::string description;
  if (cookie != nullptr) {
    if (magic_load(cookie, nullptr) == 0) {
      const char* text = magic_buffer(cookie, bytes.data(), bytes.size());
      if (text != nullptr) description = text;
    }
    magic_close(cookie);
  }
  if (description.empty()) description = "unrecognized binary data";
  return description;
}

Status ExtractOptions::Validate() const {
  if (ocr_dpi < 36 || ocr_dpi > 1200) {
    return Status::InvalidArgument("ocr_dpi must be in [36, 1200], got " + std::to_string(ocr_dpi));
  }
  if (max_page_pixels < 100'000) {
    return Status::InvalidArgument("max_page_pixels must be at least 100000, got " +
                                   std::to_string(max_page_pixels));
  }
  if (ocr_languages.empty()) return Status::InvalidArgument("ocr_languages must not be empty");
  if (min_text_chars < 0) return Status::InvalidArgument("min_text_chars must be >= 0");
  if (max_pages < 1) return Status::InvalidArgument("max_pages must be >= 1");
  if (pdf_worker_recycle_mb < 0) {
    return Status::InvalidArgument("pdf_worker_recycle_mb must be >= 0 (0 = never), got " +
                                   std::to_string(pdf_worker_recycle_mb));
  }
  if (pdf_worker_memory_mb != 0 && pdf_worker_memory_mb < 256) {
    return Status::InvalidArgument("pdf_worker_memory_mb must be 0 (no limit) or at least 256, got " +
                                   std::to_string(pdf_worker_memory_mb));
  }
  return Status::Ok();
}

}  // namespace archivist::ingest
