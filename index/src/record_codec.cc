#include "record_codec.h"

#include <nlohmann/json.hpp>

namespace archivist::index {
namespace {

using nlohmann::json;

template <typename T>
void Get(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) *out = it->get<T>();
}

// Stored text may hold invalid UTF-8 from damaged PDFs; replace rather than refuse to store it.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

template <typename F>
auto Parse(std::string_view value, const char* what, F&& fill) -> decltype(fill(json())) {
  try {
    return fill(json::parse(value));
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("stored ") + what + " record is unreadable: " + e.what());
  }
}

}  // namespace

std::string EncodeDocument(const StoredDocument& d) {
  const DocumentRecord& r = d.record;
  json j = {{"id", r.doc_id},        {"src", r.source_path}, {"mt", r.media_type},
            {"ti", r.title},         {"au", r.author},       {"su", r.subject},
            {"cr", r.created},       {"mo", r.modified},     {"co", r.collection},
            {"tg", r.tags},          {"pc", r.page_count},   {"cc", r.chunk_count},
            {"at", r.ingested_at},   {"sz", r.size_bytes},   {"fc", d.first_chunk_id}};
  return Dump(j);
}

Result<StoredDocument> DecodeDocument(std::string_view value) {
  return Parse(value, "document", [](const json& j) -> Result<StoredDocument> {
    StoredDocument d;
    DocumentRecord& r = d.record;
    Get(j, "id", &r.doc_id);
    Get(j, "src", &r.source_path);
    Get(j, "mt", &r.media_type);
    Get(j, "ti", &r.title);
    Get(j, "au", &r.author);
    Get(j, "su", &r.subject);
    Get(j, "cr", &r.created);
    Get(j, "mo", &r.modified);
    Get(j, "co", &r.collection);
    Get(j, "tg", &r.tags);
    Get(j, "pc", &r.page_count);
    Get(j, "cc", &r.chunk_count);
    Get(j, "at", &r.ingested_at);
    Get(j, "sz", &r.size_bytes);
    Get(j, "fc", &d.first_chunk_id);
    return d;
  });
}

std::string EncodePage(const PageRecord& p) {
  json j = {{"n", p.number},          {"t", p.text},        {"s", p.source},
            {"c", p.ocr_confidence},  {"r", p.rotation_degrees}, {"w", p.width_pt},
            {"h", p.height_pt}};
  return Dump(j);
}

Result<PageRecord> DecodePage(std::string_view value) {
  return Parse(value, "page", [](const json& j) -> Result<PageRecord> {
    PageRecord p;
    Get(j, "n", &p.number);
    Get(j, "t", &p.text);
    Get(j, "s", &p.source);
    Get(j, "c", &p.ocr_confidence);
    Get(j, "r", &p.rotation_degrees);
    Get(j, "w", &p.width_pt);
    Get(j, "h", &p.height_pt);
    return p;
  });
}

std::string EncodeChunk(const ChunkRecord& c) {
  json spans = json::array();
  for (const auto& s : c.spans) spans.push_back({s.page, s.begin, s.end});
  json j = {{"id", c.chunk_id},     {"d", c.doc_id},         {"o", c.ordinal},
            {"fp", c.first_page},   {"lp", c.last_page},     {"sp", spans},
            {"t", c.text},          {"tc", c.token_count},   {"h", c.heading_path}};
  return Dump(j);
}

Result<ChunkRecord> DecodeChunk(std::string_view value) {
  return Parse(value, "chunk", [](const json& j) -> Result<ChunkRecord> {
    ChunkRecord c;
    Get(j, "id", &c.chunk_id);
    Get(j, "d", &c.doc_id);
    Get(j, "o", &c.ordinal);
    Get(j, "fp", &c.first_page);
    Get(j, "lp", &c.last_page);
    Get(j, "t", &c.text);
    Get(j, "tc", &c.token_count);
    Get(j, "h", &c.heading_path);
    if (auto it = j.find("sp"); it != j.end() && it->is_array()) {
      for (const auto& s : *it) {
        if (!s.is_array() || s.size() != 3) return Status::Corruption("stored chunk span is malformed");
        c.spans.push_back({s[0].get<int>(), s[1].get<uint32_t>(), s[2].get<uint32_t>()});
      }
    }
    return c;
  });
}

}  // namespace archivist::index
