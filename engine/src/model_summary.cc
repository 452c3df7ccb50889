#include "archivist/engine/model_summary.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "archivist/engine/gguf.h"

namespace archivist::engine {
namespace {

std::string TypeLabel(const GgufValue& v) {
  if (!v.is_array()) return std::string(GgufValueTypeName(v.type()));
  std::string inner = v.elem_type() == GgufValueType::kArray && v.size() > 0
                          ? TypeLabel(v.elems()[0])
                          : std::string(GgufValueTypeName(v.elem_type()));
  return "array[" + inner + "]";
}

std::string HumanCount(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ULL) {
    std::snprintf(buf, sizeof buf, "%.2f B", n / 1e9);
  } else if (n >= 1000000ULL) {
    std::snprintf(buf, sizeof buf, "%.2f M", n / 1e6);
  } else if (n >= 1000ULL) {
    std::snprintf(buf, sizeof buf, "%.1f K", n / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  }
  return buf;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace

ModelSummary SummarizeGguf(const GgufFile& file) {
  ModelSummary s;
  s.path = file.path();
  s.file_bytes = file.file_size();
  s.gguf_version = file.version();
  s.alignment = file.alignment();
  s.data_offset = file.data_offset();
  s.architecture = file.Architecture();
  if (const GgufValue* n = file.Find("general.name"); n && n->type() == GgufValueType::kString) {
    s.name = n->AsString();
  }
  for (const auto& kv : file.metadata()) {
    s.metadata.push_back({kv.key, TypeLabel(kv.value), kv.value.ToString(8)});
  }
  for (const auto& t : file.tensors()) {
    std::string type(TensorTypeName(t.type));
    s.tensors.push_back({t.name, type, t.ne, t.n_bytes, t.offset});
    s.parameter_count += t.n_elements;
    s.tensor_bytes += t.n_bytes;
    s.tensor_type_counts[type]++;
  }
  return s;
}

Result<ModelSummary> SummarizeGguf(const std::string& path) {
  ARCHIVIST_ASSIGN_OR_RETURN(auto file, GgufFile::Open(path));
  return SummarizeGguf(*file);
}

std::string FormatSummary(const ModelSummary& s) {
  std::string out;
  out += "file:         " + s.path + " (" + std::to_string(s.file_bytes) + " bytes, GGUF v" +
         std::to_string(s.gguf_version) + ", alignment " + std::to_string(s.alignment) + ")\n";
  out += "architecture: " + (s.architecture.empty() ? "(none)" : s.architecture) + "\n";
  out += "name:         " + (s.name.empty() ? "(none)" : s.name) + "\n";
  out += "parameters:   " + HumanCount(s.parameter_count) + " (" +
         std::to_string(s.parameter_count) + ")\n";
  out += "tensor data:  " + std::to_string(s.tensor_bytes) + " bytes in " +
         std::to_string(s.tensors.size()) + " tensors (";
  bool first = true;
  for (const auto& [type, n] : s.tensor_type_counts) {
    if (!first) out += ", ";
    first = false;
    out += type + ": " + std::to_string(n);
  }
  out += ")\n\nmetadata (" + std::to_string(s.metadata.size()) + " keys):\n";
  for (const auto& e : s.metadata) {
    out += "  " + e.key + " (" + e.type + ") = " + e.value + "\n";
  }
  out += "\ntensors:\n";
  for (const auto& t : s.tensors) {
    char line[64];
    std::snprintf(line, sizeof line, "%-6s", t.type.c_str());
    out += "  " + t.name + "  " + line + " " + ShapeString(t.shape) + "  " +
           std::to_string(t.bytes) + " bytes\n";
  }
  return out;
}

std::string SummaryToJson(const ModelSummary& s, int indent) {
  nlohmann::ordered_json j;
  j["path"] = s.path;
  j["file_bytes"] = s.file_bytes;
  j["gguf_version"] = s.gguf_version;
  j["alignment"] = s.alignment;
  j["data_offset"] = s.data_offset;
  j["architecture"] = s.architecture;
  j["name"] = s.name;
  j["parameter_count"] = s.parameter_count;
  j["tensor_bytes"] = s.tensor_bytes;
  j["tensor_type_counts"] = s.tensor_type_counts;
  auto& md = j["metadata"] = nlohmann::ordered_json::array();
  for (const auto& e : s.metadata) md.push_back({{"key", e.key}, {"type", e.type}, {"value", e.value}});
  auto& ts = j["tensors"] = nlohmann::ordered_json::array();
  for (const auto& t : s.tensors) {
    ts.push_back({{"name", t.name}, {"type", t.type}, {"shape", t.shape}, {"bytes", t.bytes},
                  {"offset", t.offset}});
  }
  // Metadata strings may hold arbitrary bytes (byte-level tokens); never throw on them.
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace archivist::engine
