#include <cmath>
#include <cstdio>

#include "archivist/engine/gguf.h"

namespace archivist::engine {

std::string_view GgufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8: return "uint8";
    case GgufValueType::kInt8: return "int8";
    case GgufValueType::kUint16: return "uint16";
    case GgufValueType::kInt16: return "int16";
    case GgufValueType::kUint32: return "uint32";
    case GgufValueType::kInt32: return "int32";
    case GgufValueType::kFloat32: return "float32";
    case GgufValueType::kBool: return "bool";
    case GgufValueType::kString: return "string";
    case GgufValueType::kArray: return "array";
    case GgufValueType::kUint64: return "uint64";
    case GgufValueType::kInt64: return "int64";
    case GgufValueType::kFloat64: return "float64";
  }
  return "unknown";
}

GgufValue GgufValue::F32(float v) {
  GgufValue g;
  g.type_ = GgufValueType::kFloat32;
  g.float_ = v;
  return g;
}

GgufValue GgufValue::F64(double v) {
  GgufValue g;
  g.type_ = GgufValueType::kFloat64;
  g.float_ = v;
  return g;
}

GgufValue GgufValue::String(std::string v) {
  GgufValue g;
  g.type_ = GgufValueType::kString;
  g.str_ = std::move(v);
  return g;
}

GgufValue GgufValue::Array(GgufValueType elem_type, std::vector<GgufValue> elems) {
  GgufValue g;
  g.type_ = GgufValueType::kArray;
  g.elem_type_ = elem_type;
  g.elems_ = std::move(elems);
  return g;
}

GgufValue GgufValue::StringArray(std::vector<std::string> elems) {
  std::vector<GgufValue> v;
  v.reserve(elems.size());
  for (auto& s : elems) v.push_back(String(std::move(s)));
  return Array(GgufValueType::kString, std::move(v));
}

GgufValue GgufValue::F32Array(std::span<const float> elems) {
  std::vector<GgufValue> v;
  v.reserve(elems.size());
  for (float f : elems) v.push_back(F32(f));
  return Array(GgufValueType::kFloat32, std::move(v));
}

GgufValue GgufValue::I32Array(std::span<const int32_t> elems) {
  std::vector<GgufValue> v;
  v.reserve(elems.size());
  for (int32_t i : elems) v.push_back(I32(i));
  return Array(GgufValueType::kInt32, std::move(v));
}

bool GgufValue::is_integer() const {
  switch (type_) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kUint64:
    case GgufValueType::kInt64: return true;
    default: return false;
  }
}

bool GgufValue::operator==(const GgufValue& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case GgufValueType::kString: return str_ == o.str_;
    case GgufValueType::kFloat32:
    case GgufValueType::kFloat64:
      // Bitwise-equal semantics for NaN round trips.
      return float_ == o.float_ || (std::isnan(float_) && std::isnan(o.float_));
    case GgufValueType::kArray: return elem_type_ == o.elem_type_ && elems_ == o.elems_;
    default: return int_ == o.int_;
  }
}

std::string GgufValue::ToString(size_t max_elems) const {
  switch (type_) {
    case GgufValueType::kString: {
      std::string out = "\"";
      size_t limit = 200;
      for (size_t i = 0; i < str_.size() && i < limit; ++i) {
        unsigned char c = static_cast<unsigned char>(str_[i]);
        if (c == '"' || c == '\\') {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c == '\n') {
          out += "\\n";
        } else if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
      }
      if (str_.size() > limit) out += "...";
      return out + "\"";
    }
    case GgufValueType::kFloat32:
    case GgufValueType::kFloat64: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", float_);
      return buf;
    }
    case GgufValueType::kBool: return int_ ? "true" : "false";
    case GgufValueType::kUint64: return std::to_string(AsU64());
    case GgufValueType::kArray: {
      std::string out = "[";
      size_t n = std::min(elems_.size(), max_elems);
      for (size_t i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += elems_[i].ToString(max_elems);
      }
      if (elems_.size() > n) out += ", ... (" + std::to_string(elems_.size()) + " total)";
      return out + "]";
    }
    default: return std::to_string(int_);
  }
}

}  // namespace archivist::engine
