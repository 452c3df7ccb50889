// GGUF v3 writer: header, metadata, tensor table, aligned data section.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "archivist/engine/gguf.h"

namespace archivist::engine {
namespace {

constexpr uint32_t kMagic = 0x46554747;
constexpr uint32_t kVersion = 3;

class Encoder {
 public:
  template <typename T>
  void Put(T v) {
    buf_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void PutString(std::string_view s) {
    Put<uint64_t>(s.size());
    buf_.append(s);
  }
  void PutValue(const GgufValue& v) {
    switch (v.type()) {
      case GgufValueType::kUint8: Put(static_cast<uint8_t>(v.AsU64())); break;
      case GgufValueType::kInt8: Put(static_cast<int8_t>(v.AsI64())); break;
      case GgufValueType::kUint16: Put(static_cast<uint16_t>(v.AsU64())); break;
      case GgufValueType::kInt16: Put(static_cast<int16_t>(v.AsI64())); break;
      case GgufValueType::kUint32: Put(static_cast<uint32_t>(v.AsU64())); break;
      case GgufValueType::kInt32: Put(static_cast<int32_t>(v.AsI64())); break;
      case GgufValueType::kUint64: Put(v.AsU64()); break;
      case GgufValueType::kInt64: Put(v.AsI64()); break;
      case GgufValueType::kFloat32: Put(static_cast<float>(v.AsF64())); break;
      case GgufValueType::kFloat64: Put(v.AsF64()); break;
      case GgufValueType::kBool: Put(static_cast<uint8_t>(v.AsBool() ? 1 : 0)); break;
      case GgufValueType::kString: PutString(v.AsString()); break;
      case GgufValueType::kArray:
        Put(static_cast<uint32_t>(v.elem_type()));
        Put<uint64_t>(v.size());
        for (const auto& e : v.elems()) PutValue(e);
        break;
    }
  }
  std::string& buf() { return buf_; }

 private:
  std::string buf_;
};

Status CheckValue(const std::string& key, const GgufValue& v) {
  if (!v.is_array()) return Status::Ok();
  for (const auto& e : v.elems()) {
    if (e.type() != v.elem_type()) {
      return Status::InvalidArgument("array '" + key + "' mixes " +
                                     std::string(GgufValueTypeName(e.type())) + " into an array of " +
                                     std::string(GgufValueTypeName(v.elem_type())));
    }
    ARCHIVIST_RETURN_IF_ERROR(CheckValue(key, e));
  }
  return Status::Ok();
}

}  // namespace

Status GgufWriter::Add(std::string key, GgufValue value) {
  for (const auto& kv : kv_) {
    if (kv.key == key) return Status::AlreadyExists("metadata key '" + key + "' added twice");
  }
  ARCHIVIST_RETURN_IF_ERROR(CheckValue(key, value));
  if (key == "general.alignment") {
    uint64_t a = value.AsU64();
    if (value.type() != GgufValueType::kUint32 || a == 0 || (a & (a - 1)) != 0) {
      return Status::InvalidArgument("general.alignment must be a uint32 power of two");
    }
  }
  kv_.push_back({std::move(key), std::move(value)});
  return Status::Ok();
}

Status GgufWriter::AddTensor(std::string name, TensorType type, std::vector<int64_t> ne,
                             std::string data) {
  auto shared = std::make_shared<std::string>(std::move(data));
  size_t given = shared->size();
  Status s = AddTensor(std::move(name), type, std::move(ne), [shared](std::span<uint8_t> dst) {
    std::memcpy(dst.data(), shared->data(), dst.size());
  });
  if (!s.ok()) return s;
  if (given != tensors_.back().n_bytes) {
    std::string n = tensors_.back().name;
    uint64_t want = tensors_.back().n_bytes;
    tensors_.pop_back();
    return Status::InvalidArgument("tensor '" + n + "' needs " + std::to_string(want) +
                                   " bytes, got " + std::to_string(given));
  }
  return Status::Ok();
}

Status GgufWriter::AddTensor(std::string name, TensorType type, std::vector<int64_t> ne,
                             TensorFill fill) {
  for (const auto& t : tensors_) {
    if (t.name == name) return Status::AlreadyExists("tensor '" + name + "' added twice");
  }
  if (ne.empty() || ne.size() > 4) {
    return Status::InvalidArgument("tensor '" + name + "' must have 1 to 4 dimensions");
  }
  auto info = FindTensorTypeInfo(static_cast<uint32_t>(type));
  if (!info) return Status::InvalidArgument("tensor '" + name + "' has an unknown type");
  uint64_t n = 1;
  for (int64_t d : ne) {
    if (d < 0) return Status::InvalidArgument("tensor '" + name + "' has a negative dimension");
    n *= static_cast<uint64_t>(d);
  }
  if (ne[0] % info->block_size != 0) {
    return Status::InvalidArgument("tensor '" + name + "' row length " + std::to_string(ne[0]) +
                                   " is not a multiple of " + std::to_string(info->block_size));
  }
  tensors_.push_back(
      {std::move(name), type, std::move(ne), n / info->block_size * info->type_size, std::move(fill)});
  return Status::Ok();
}

uint64_t GgufWriter::Alignment() const {
  for (const auto& kv : kv_) {
    if (kv.key == "general.alignment") return kv.value.AsU64();
  }
  return 32;
}

Status GgufWriter::Write(const std::function<Status(const void*, size_t)>& sink) const {
  const uint64_t align = Alignment();
  Encoder e;
  e.Put(kMagic);
  e.Put(kVersion);
  e.Put<uint64_t>(tensors_.size());
  e.Put<uint64_t>(kv_.size());
  for (const auto& kv : kv_) {
    e.PutString(kv.key);
    e.Put(static_cast<uint32_t>(kv.value.type()));
    e.PutValue(kv.value);
  }
  uint64_t offset = 0;
  std::vector<uint64_t> offsets;
  for (const auto& t : tensors_) {
    e.PutString(t.name);
    e.Put<uint32_t>(t.ne.size());
    for (int64_t d : t.ne) e.Put(d);
    e.Put(static_cast<uint32_t>(t.type));
    e.Put(offset);
    offsets.push_back(offset);
    offset = (offset + t.n_bytes + align - 1) / align * align;
  }
  std::string& head = e.buf();
  head.resize((head.size() + align - 1) / align * align, '\0');
  ARCHIVIST_RETURN_IF_ERROR(sink(head.data(), head.size()));
  std::vector<uint8_t> buf;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const auto& t = tensors_[i];
    uint64_t padded = (t.n_bytes + align - 1) / align * align;
    buf.assign(padded, 0);
    t.fill(std::span<uint8_t>(buf.data(), t.n_bytes));
    // The last tensor needs no trailing padding, as in files written by the public converters.
    size_t n = i + 1 == tensors_.size() ? t.n_bytes : padded;
    ARCHIVIST_RETURN_IF_ERROR(sink(buf.data(), n));
  }
  return Status::Ok();
}

Result<std::string> GgufWriter::Serialize() const {
  std::string out;
  ARCHIVIST_RETURN_IF_ERROR(Write([&out](const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
    return Status::Ok();
  }));
  return out;
}

Status GgufWriter::WriteFile(const std::string& path) const {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return Status::Internal("cannot create '" + tmp + "': " + std::strerror(errno));
  }
  Status s = Write([f, &tmp](const void* p, size_t n) {
    if (std::fwrite(p, 1, n, f) != n) {
      return Status::ResourceExhausted("cannot write '" + tmp + "': " + std::strerror(errno));
    }
    return Status::Ok();
  });
  if (std::fclose(f) != 0 && s.ok()) s = Status::Internal("cannot close '" + tmp + "'");
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::Internal("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
  }
  if (!s.ok()) std::remove(tmp.c_str());
  return s;
}

}  // namespace archivist::engine
