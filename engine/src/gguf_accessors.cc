// Typed metadata accessors of GgufFile.
#include <limits>

#include "archivist/engine/gguf.h"

namespace archivist::engine {
namespace {

Status WrongType(std::string_view key, const GgufValue& v, std::string_view wanted) {
  return Status::InvalidArgument("metadata key '" + std::string(key) + "' is " +
                                 std::string(GgufValueTypeName(v.type())) + ", expected " +
                                 std::string(wanted));
}

// Integer value as a signed 128-bit quantity for range checks.
__int128 WideInt(const GgufValue& v) {
  if (v.type() == GgufValueType::kUint64) return static_cast<__int128>(v.AsU64());
  return v.AsI64();
}

template <typename T>
Result<T> IntAs(std::string_view key, const GgufValue& v, std::string_view wanted) {
  if (!v.is_integer()) return WrongType(key, v, wanted);
  __int128 w = WideInt(v);
  if (w < static_cast<__int128>(std::numeric_limits<T>::min()) ||
      w > static_cast<__int128>(std::numeric_limits<T>::max())) {
    return Status::InvalidArgument("metadata key '" + std::string(key) + "' value " +
                                   v.ToString() + " does not fit in " + std::string(wanted));
  }
  return static_cast<T>(w);
}

}  // namespace

#define ARCHIVIST_FIND_OR_NOT_FOUND(v, key)                                                   \
  const GgufValue* v = Find(key);                                                             \
  if (v == nullptr) {                                                                         \
    return Status::NotFound("metadata key '" + std::string(key) + "' not in " + path_);       \
  }

Result<std::string> GgufFile::GetString(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  if (v->type() != GgufValueType::kString) return WrongType(key, *v, "string");
  return v->AsString();
}

Result<uint32_t> GgufFile::GetU32(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  return IntAs<uint32_t>(key, *v, "uint32");
}

Result<uint64_t> GgufFile::GetU64(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  return IntAs<uint64_t>(key, *v, "uint64");
}

Result<int32_t> GgufFile::GetI32(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  return IntAs<int32_t>(key, *v, "int32");
}

Result<int64_t> GgufFile::GetI64(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  return IntAs<int64_t>(key, *v, "int64");
}

Result<double> GgufFile::GetF64(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  if (!v->is_float()) return WrongType(key, *v, "float");
  return v->AsF64();
}

Result<float> GgufFile::GetF32(std::string_view key) const {
  ARCHIVIST_ASSIGN_OR_RETURN(double d, GetF64(key));
  return static_cast<float>(d);
}

Result<bool> GgufFile::GetBool(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  if (v->type() != GgufValueType::kBool) return WrongType(key, *v, "bool");
  return v->AsBool();
}

Result<const GgufValue*> GgufFile::GetArray(std::string_view key) const {
  ARCHIVIST_FIND_OR_NOT_FOUND(v, key);
  if (!v->is_array()) return WrongType(key, *v, "array");
  return v;
}

Result<std::vector<std::string>> GgufFile::GetStringArray(std::string_view key) const {
  ARCHIVIST_ASSIGN_OR_RETURN(const GgufValue* a, GetArray(key));
  if (a->elem_type() != GgufValueType::kString) {
    return Status::InvalidArgument("metadata key '" + std::string(key) + "' is an array of " +
                                   std::string(GgufValueTypeName(a->elem_type())) +
                                   ", expected strings");
  }
  std::vector<std::string> out;
  out.reserve(a->size());
  for (const auto& e : a->elems()) out.push_back(e.AsString());
  return out;
}

Result<std::vector<float>> GgufFile::GetF32Array(std::string_view key) const {
  ARCHIVIST_ASSIGN_OR_RETURN(const GgufValue* a, GetArray(key));
  std::vector<float> out;
  out.reserve(a->size());
  for (const auto& e : a->elems()) {
    if (e.is_float()) {
      out.push_back(static_cast<float>(e.AsF64()));
    } else if (e.is_integer()) {
      out.push_back(static_cast<float>(e.AsI64()));
    } else {
      return Status::InvalidArgument("metadata key '" + std::string(key) +
                                     "' is not an array of numbers");
    }
  }
  return out;
}

Result<std::vector<int32_t>> GgufFile::GetI32Array(std::string_view key) const {
  ARCHIVIST_ASSIGN_OR_RETURN(const GgufValue* a, GetArray(key));
  std::vector<int32_t> out;
  out.reserve(a->size());
  for (const auto& e : a->elems()) {
    ARCHIVIST_ASSIGN_OR_RETURN(int32_t x, IntAs<int32_t>(key, e, "int32 array element"));
    out.push_back(x);
  }
  return out;
}

Result<uint32_t> GgufFile::GetU32Or(std::string_view key, uint32_t fallback) const {
  return Has(key) ? GetU32(key) : Result<uint32_t>(fallback);
}

Result<float> GgufFile::GetF32Or(std::string_view key, float fallback) const {
  return Has(key) ? GetF32(key) : Result<float>(fallback);
}

Result<bool> GgufFile::GetBoolOr(std::string_view key, bool fallback) const {
  return Has(key) ? GetBool(key) : Result<bool>(fallback);
}

Result<std::string> GgufFile::GetStringOr(std::string_view key, std::string fallback) const {
  return Has(key) ? GetString(key) : Result<std::string>(std::move(fallback));
}

#undef ARCHIVIST_FIND_OR_NOT_FOUND

}  // namespace archivist::engine
