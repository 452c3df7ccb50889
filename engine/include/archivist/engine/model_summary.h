#pragma once
// A human- and machine-readable description of a GGUF model file (`archivist inspect-model`).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::engine {

class GgufFile;

struct ModelSummaryEntry {
  std::string key;
  std::string type;   // "uint32", "string", "array[string]", ...
  std::string value;  // rendered; arrays longer than 8 elements are abbreviated with their count
};

struct ModelSummaryTensor {
  std::string name;
  std::string type;            // "Q4_K", "F32", ...
  std::vector<int64_t> shape;  // ggml order, fastest-varying first
  uint64_t bytes = 0;
  uint64_t offset = 0;         // from the start of the data section
};

struct ModelSummary {
  std::string path;
  uint64_t file_bytes = 0;
  uint32_t gguf_version = 0;
  uint64_t alignment = 0;
  uint64_t data_offset = 0;
  std::string architecture;        // general.architecture, "" when absent
  std::string name;                // general.name, "" when absent
  uint64_t parameter_count = 0;    // sum of all tensors' element counts
  uint64_t tensor_bytes = 0;       // sum of all tensors' data bytes
  std::map<std::string, uint64_t> tensor_type_counts;  // "Q4_K" -> number of tensors
  std::vector<ModelSummaryEntry> metadata;             // file order
  std::vector<ModelSummaryTensor> tensors;             // file order
};

// Opens `path` and summarises it (errors as GgufFile::Open).
Result<ModelSummary> SummarizeGguf(const std::string& path);
ModelSummary SummarizeGguf(const GgufFile& file);

// Multi-line text: a header (architecture, name, parameters, sizes), the metadata, then one line
// per tensor.
std::string FormatSummary(const ModelSummary& summary);

// The same content as a JSON object (keys: path, file_bytes, gguf_version, alignment, data_offset,
// architecture, name, parameter_count, tensor_bytes, tensor_type_counts, metadata[{key,type,value}],
// tensors[{name,type,shape,bytes,offset}]).
std::string SummaryToJson(const ModelSummary& summary, int indent = 2);

}  // namespace archivist::engine
