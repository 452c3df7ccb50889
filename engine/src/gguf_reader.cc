// Bounded GGUF parser. Every length and count is checked against the bytes that remain before it is
// used, so no allocation is ever sized by an unchecked number from the file.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "archivist/engine/gguf.h"

namespace archivist::engine {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" little-endian
constexpr uint32_t kMaxDims = 4;         // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 8;        // nested arrays deeper than this are refused

// Minimum encoded size of one value of `t` (used to bound array counts).
uint64_t MinEncodedSize(GgufValueType t) {
  switch (t) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kBool: return 1;
    case GgufValueType::kUint16:
    case GgufValueType::kInt16: return 2;
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kFloat32: return 4;
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
    case GgufValueType::kFloat64:
    case GgufValueType::kString: return 8;
    case GgufValueType::kArray: return 12;
  }
  return 1;
}

bool KnownValueType(uint32_t t) { return t <= 12; }

class Cursor {
 public:
  Cursor(const uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  template <typename T>
  Status Read(T* out, const char* what) {
    if (remaining() < sizeof(T)) return Truncated(what);
    std::memcpy(out, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::Ok();
  }

  Status ReadString(std::string* out, const char* what) {
    uint64_t len = 0;
    ARCHIVIST_RETURN_IF_ERROR(Read(&len, what));
    if (len > remaining()) {
      return Status::Corruption(std::string(what) + " at offset " + std::to_string(pos_ - 8) +
                                " claims " + std::to_string(len) + " bytes but only " +
                                std::to_string(remaining()) + " remain");
    }
    out->assign(reinterpret_cast<const char*>(base_ + pos_), len);
    pos_ += len;
    return Status::Ok();
  }

  Status Truncated(const char* what) const {
    return Status::Corruption("file truncated while reading " + std::string(what) + " at offset " +
                              std::to_string(pos_) + " (file is " + std::to_string(size_) +
                              " bytes)");
  }

 private:
  const uint8_t* base_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

Status ReadValue(Cursor& c, GgufValueType type, int depth, GgufValue* out);

template <typename T>
Status ReadInt(Cursor& c, GgufValue (*make)(T), GgufValue* out) {
  T v{};
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&v, "a metadata value"));
  *out = make(v);
  return Status::Ok();
}

Status ReadArray(Cursor& c, int depth, GgufValue* out) {
  if (depth >= kMaxArrayDepth) {
    return Status::Corruption("metadata arrays nested deeper than " +
                              std::to_string(kMaxArrayDepth) + " at offset " +
                              std::to_string(c.pos()));
  }
  uint32_t elem_raw = 0;
  uint64_t count = 0;
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&elem_raw, "an array element type"));
  if (!KnownValueType(elem_raw)) {
    return Status::Corruption("unknown array element type " + std::to_string(elem_raw) +
                              " at offset " + std::to_string(c.pos() - 4));
  }
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&count, "an array length"));
  auto elem = static_cast<GgufValueType>(elem_raw);
  if (count > c.remaining() / MinEncodedSize(elem)) {
    return Status::Corruption("array of " + std::to_string(count) + " " +
                              std::string(GgufValueTypeName(elem)) + " at offset " +
                              std::to_string(c.pos() - 12) + " does not fit in the " +
                              std::to_string(c.remaining()) + " bytes left");
  }
  std::vector<GgufValue> elems(count);
  for (uint64_t i = 0; i < count; ++i) {
    ARCHIVIST_RETURN_IF_ERROR(ReadValue(c, elem, depth + 1, &elems[i]));
  }
  *out = GgufValue::Array(elem, std::move(elems));
  return Status::Ok();
}

Status ReadValue(Cursor& c, GgufValueType type, int depth, GgufValue* out) {
  switch (type) {
    case GgufValueType::kUint8: return ReadInt<uint8_t>(c, &GgufValue::U8, out);
    case GgufValueType::kInt8: return ReadInt<int8_t>(c, &GgufValue::I8, out);
    case GgufValueType::kUint16: return ReadInt<uint16_t>(c, &GgufValue::U16, out);
    case GgufValueType::kInt16: return ReadInt<int16_t>(c, &GgufValue::I16, out);
    case GgufValueType::kUint32: return ReadInt<uint32_t>(c, &GgufValue::U32, out);
    case GgufValueType::kInt32: return ReadInt<int32_t>(c, &GgufValue::I32, out);
    case GgufValueType::kUint64: return ReadInt<uint64_t>(c, &GgufValue::U64, out);
    case GgufValueType::kInt64: return ReadInt<int64_t>(c, &GgufValue::I64, out);
    case GgufValueType::kFloat32: return ReadInt<float>(c, &GgufValue::F32, out);
    case GgufValueType::kFloat64: return ReadInt<double>(c, &GgufValue::F64, out);
    case GgufValueType::kBool: {
      uint8_t b = 0;
      ARCHIVIST_RETURN_IF_ERROR(c.Read(&b, "a bool value"));
      if (b > 1) {
        return Status::Corruption("bool value " + std::to_string(b) + " at offset " +
                                  std::to_string(c.pos() - 1));
      }
      *out = GgufValue::Bool(b != 0);
      return Status::Ok();
    }
    case GgufValueType::kString: {
      std::string s;
      ARCHIVIST_RETURN_IF_ERROR(c.ReadString(&s, "a string value"));
      *out = GgufValue::String(std::move(s));
      return Status::Ok();
    }
    case GgufValueType::kArray: return ReadArray(c, depth, out);
  }
  return Status::Corruption("unknown value type");
}

uint64_t AlignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

GgufFile::~GgufFile() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

Result<std::unique_ptr<GgufFile>> GgufFile::Open(const std::string& path,
                                                 const GgufOpenOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string m = "cannot open model '" + path + "': " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(m);
    if (err == EACCES || err == EPERM) return Status::PermissionDenied(m);
    return Status::Internal(m);
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("'" + path + "' is not a regular file");
  }
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ > 0 && options.use_mmap) {
    int flags = MAP_PRIVATE | (options.prefetch ? MAP_POPULATE : 0);
    void* m = ::mmap(nullptr, f->size_, PROT_READ, flags, fd, 0);
    if (m == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::Internal("cannot mmap '" + path + "': " + std::strerror(err));
    }
    f->map_ = m;
    f->base_ = static_cast<const uint8_t*>(m);
  } else if (f->size_ > 0) {
    f->owned_.resize(f->size_);
    uint64_t off = 0;
    while (off < f->size_) {
      ssize_t n = ::pread(fd, f->owned_.data() + off, f->size_ - off, static_cast<off_t>(off));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return Status::Internal("cannot read '" + path + "'");
      }
      off += static_cast<uint64_t>(n);
    }
    f->base_ = reinterpret_cast<const uint8_t*>(f->owned_.data());
  }
  ::close(fd);
  Status s = f->Parse();
  if (!s.ok()) return s.WithContext(path);
  return f;
}

Result<std::unique_ptr<GgufFile>> GgufFile::FromBytes(std::string_view bytes) {
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->path_ = "<memory>";
  f->owned_.assign(bytes.data(), bytes.size());
  f->base_ = reinterpret_cast<const uint8_t*>(f->owned_.data());
  f->size_ = f->owned_.size();
  ARCHIVIST_RETURN_IF_ERROR(f->Parse());
  return f;
}

Status GgufFile::Parse() {
  Cursor c(base_, size_);
  uint32_t magic = 0;
  if (size_ < 4) {
    return Status::InvalidArgument("not a GGUF file: only " + std::to_string(size_) + " bytes");
  }
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&magic, "the magic"));
  if (magic != kMagic) {
    return Status::InvalidArgument("not a GGUF file: bad magic (first bytes are not \"GGUF\")");
  }
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&version_, "the version"));
  if (version_ == 1) {
    return Status::Unsupported("GGUF version 1 (obsolete) is not supported; re-convert the model");
  }
  if (version_ != 2 && version_ != 3) {
    // A byte-swapped small version means a big-endian file.
    if ((version_ & 0xFFFF) == 0 && version_ != 0) {
      return Status::Unsupported("big-endian GGUF files are not supported");
    }
    return Status::Unsupported("unknown GGUF version " + std::to_string(version_) +
                               " (supported: 2, 3)");
  }
  uint64_t n_tensors = 0, n_kv = 0;
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&n_tensors, "the tensor count"));
  ARCHIVIST_RETURN_IF_ERROR(c.Read(&n_kv, "the metadata count"));
  // Smallest encodings: key (8-byte length) + type + 1 value byte; tensor info 8 + 4 + 4 + 8.
  if (n_kv > c.remaining() / 13) {
    return Status::Corruption("metadata count " + std::to_string(n_kv) +
                              " cannot fit in a file of " + std::to_string(size_) + " bytes");
  }
  if (n_tensors > c.remaining() / 24) {
    return Status::Corruption("tensor count " + std::to_string(n_tensors) +
                              " cannot fit in a file of " + std::to_string(size_) + " bytes");
  }

  kv_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    GgufKeyValue kv;
    ARCHIVIST_RETURN_IF_ERROR(c.ReadString(&kv.key, "a metadata key"));
    uint32_t type_raw = 0;
    ARCHIVIST_RETURN_IF_ERROR(c.Read(&type_raw, "a metadata value type"));
    if (!KnownValueType(type_raw)) {
      return Status::Corruption("metadata key '" + kv.key + "' has unknown value type " +
                                std::to_string(type_raw));
    }
    Status s = ReadValue(c, static_cast<GgufValueType>(type_raw), 0, &kv.value);
    if (!s.ok()) return s.WithContext("metadata key '" + kv.key + "'");
    kv_.push_back(std::move(kv));
  }
  for (size_t i = 0; i < kv_.size(); ++i) {
    if (!kv_index_.emplace(kv_[i].key, i).second) {
      return Status::Corruption("duplicate metadata key '" + kv_[i].key + "'");
    }
  }

  if (const GgufValue* a = Find("general.alignment")) {
    if (a->type() != GgufValueType::kUint32) {
      return Status::Corruption("general.alignment must be uint32, found " +
                                std::string(GgufValueTypeName(a->type())));
    }
    uint64_t v = a->AsU64();
    if (v == 0 || (v & (v - 1)) != 0) {
      return Status::Corruption("general.alignment " + std::to_string(v) +
                                " is not a power of two");
    }
    alignment_ = v;
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo t;
    ARCHIVIST_RETURN_IF_ERROR(c.ReadString(&t.name, "a tensor name"));
    uint32_t n_dims = 0;
    ARCHIVIST_RETURN_IF_ERROR(c.Read(&n_dims, "a tensor rank"));
    if (n_dims > kMaxDims) {
      return Status::Corruption("tensor '" + t.name + "' has " + std::to_string(n_dims) +
                                " dimensions (at most 4)");
    }
    t.ne.resize(n_dims);
    uint64_t n_el = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      ARCHIVIST_RETURN_IF_ERROR(c.Read(&t.ne[d], "a tensor dimension"));
      if (t.ne[d] < 0) {
        return Status::Corruption("tensor '" + t.name + "' has a negative dimension");
      }
      uint64_t dim = static_cast<uint64_t>(t.ne[d]);
      if (dim != 0 && n_el > std::numeric_limits<uint64_t>::max() / 2 / dim) {
        return Status::Corruption("tensor '" + t.name + "' has an overflowing element count");
      }
      n_el *= dim;
    }
    t.n_elements = n_el;
    uint32_t type_raw = 0;
    ARCHIVIST_RETURN_IF_ERROR(c.Read(&type_raw, "a tensor type"));
    auto info = FindTensorTypeInfo(type_raw);
    if (!info) {
      return Status::Unsupported("tensor '" + t.name + "' has unknown tensor type " +
                                 std::to_string(type_raw));
    }
    t.type = info->type;
    ARCHIVIST_RETURN_IF_ERROR(c.Read(&t.offset, "a tensor offset"));
    if (t.dim(0) % info->block_size != 0) {
      return Status::Corruption("tensor '" + t.name + "' of type " + std::string(info->name) +
                                " has row length " + std::to_string(t.dim(0)) +
                                ", not a multiple of its block size " +
                                std::to_string(info->block_size));
    }
    t.n_bytes = n_el / info->block_size * info->type_size;
    if (t.offset % alignment_ != 0) {
      return Status::Corruption("tensor '" + t.name + "' data offset " + std::to_string(t.offset) +
                                " is not a multiple of the alignment " +
                                std::to_string(alignment_));
    }
    tensors_.push_back(std::move(t));
  }
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (!tensor_index_.emplace(tensors_[i].name, i).second) {
      return Status::Corruption("duplicate tensor name '" + tensors_[i].name + "'");
    }
  }

  data_offset_ = AlignUp(c.pos(), alignment_);
  for (auto& t : tensors_) {
    uint64_t avail = size_ >= data_offset_ ? size_ - data_offset_ : 0;
    if (t.offset > avail || t.n_bytes > avail - t.offset) {
      return Status::Corruption("tensor '" + t.name + "' data [" + std::to_string(t.offset) +
                                ", +" + std::to_string(t.n_bytes) +
                                ") lies past the end of the file (" + std::to_string(avail) +
                                " data bytes)");
    }
    t.data = base_ + data_offset_ + t.offset;
  }
  return Status::Ok();
}

const GgufValue* GgufFile::Find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
}

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

Result<const GgufTensorInfo*> GgufFile::GetTensor(std::string_view name) const {
  const GgufTensorInfo* t = FindTensor(name);
  if (t == nullptr) {
    return Status::NotFound("tensor '" + std::string(name) + "' not in " + path_);
  }
  return t;
}

std::string GgufFile::Architecture() const {
  const GgufValue* v = Find("general.architecture");
  return v != nullptr && v->type() == GgufValueType::kString ? v->AsString() : "";
}

}  // namespace archivist::engine
