#pragma once
// The stored data model. index/ does not depend on ingest/: callers convert into these records.

#include <cstdint>
#include <string>
#include <vector>

namespace archivist::index {

struct DocumentRecord {
  std::string doc_id;          // hex SHA-256 of the source bytes
  std::string source_path;
  std::string media_type;      // "application/pdf", "image/png", ...
  std::string title;
  std::string author;
  std::string subject;
  std::string created;         // ISO 8601, may be empty
  std::string modified;        // ISO 8601, may be empty
  std::string collection;      // Default: "default"
  std::vector<std::string> tags;
  int page_count = 0;
  int chunk_count = 0;
  int64_t ingested_at = 0;     // Unix seconds
  uint64_t size_bytes = 0;
};

struct PageRecord {
  int number = 0;              // 1-based
  std::string text;
  std::string source;          // "text_layer" | "ocr" | "mixed"
  float ocr_confidence = -1.0f;
  int rotation_degrees = 0;
  double width_pt = 0.0;
  double height_pt = 0.0;
};

struct ChunkSpanRecord {
  int page = 0;
  uint32_t begin = 0;          // byte offsets into that page's text
  uint32_t end = 0;
};

struct ChunkRecord {
  uint64_t chunk_id = 0;       // assigned by the archive; also the vector id in the dense index
  std::string doc_id;
  int ordinal = 0;             // position of the chunk within its document
  int first_page = 0;
  int last_page = 0;
  std::vector<ChunkSpanRecord> spans;
  std::string text;
  int token_count = 0;
  std::string heading_path;
};

// Everything one document contributes, committed in one atomic write.
struct DocumentBundle {
  DocumentRecord document;
  std::vector<PageRecord> pages;
  std::vector<ChunkRecord> chunks;          // chunk_id is ignored on input and assigned on commit
  std::vector<std::vector<float>> vectors;  // one per chunk, Embedder::dimension() floats each
};

}  // namespace archivist::index
