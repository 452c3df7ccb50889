#pragma once
// Serialization of documents, pages and chunks for RocksDB values (compact JSON: readable with
// `ldb`, tolerant of fields added later).

#include <cstdint>
#include <string>
#include <string_view>

#include "archivist/base/status.h"
#include "archivist/index/records.h"

namespace archivist::index {

// A stored document: the public record plus where its chunk ids start (they are contiguous).
struct StoredDocument {
  DocumentRecord record;
  uint64_t first_chunk_id = 0;
};

std::string EncodeDocument(const StoredDocument& doc);
Result<StoredDocument> DecodeDocument(std::string_view value);
std::string EncodePage(const PageRecord& page);
Result<PageRecord> DecodePage(std::string_view value);
std::string EncodeChunk(const ChunkRecord& chunk);
Result<ChunkRecord> DecodeChunk(std::string_view value);

}  // namespace archivist::index
