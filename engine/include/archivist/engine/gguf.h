#pragma once
// GGUF model files: a bounded, zero-copy reader and a writer.
//
// GgufFile maps the file read-only (mmap) and parses the header, every metadata key/value and the
// tensor table; tensor data are pointers into the mapping, valid for the lifetime of the GgufFile.
// Every count and length read from the file is checked against the bytes left before anything is
// allocated from it, so a truncated or hostile file yields a Status, never a crash or a huge
// allocation. A GgufFile is immutable after Open and safe to read from many threads.
//
// Errors: kNotFound (no such file / key / tensor), kInvalidArgument (not a GGUF file, or a key of
// another type than asked), kUnsupported (GGUF version or tensor type this build does not know),
// kCorruption (truncated, inconsistent counts, bad alignment, tensor data out of bounds).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/engine/tensor_type.h"

namespace archivist::engine {

// On-disk ids of metadata value types.
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "uint32", "string", "array", ...
std::string_view GgufValueTypeName(GgufValueType type);

// One metadata value. Scalars, strings, arrays of scalars or strings, and arrays of arrays.
// Owns its data (the reader copies metadata out of the mapping; tensors stay zero copy).
class GgufValue {
 public:
  GgufValue() = default;

  static GgufValue U8(uint8_t v) { return Int(GgufValueType::kUint8, v); }
  static GgufValue I8(int8_t v) { return Int(GgufValueType::kInt8, v); }
  static GgufValue U16(uint16_t v) { return Int(GgufValueType::kUint16, v); }
  static GgufValue I16(int16_t v) { return Int(GgufValueType::kInt16, v); }
  static GgufValue U32(uint32_t v) { return Int(GgufValueType::kUint32, v); }
  static GgufValue I32(int32_t v) { return Int(GgufValueType::kInt32, v); }
  static GgufValue U64(uint64_t v) { return Int(GgufValueType::kUint64, static_cast<int64_t>(v)); }
  static GgufValue I64(int64_t v) { return Int(GgufValueType::kInt64, v); }
  static GgufValue F32(float v);
  static GgufValue F64(double v);
  static GgufValue Bool(bool v) { return Int(GgufValueType::kBool, v ? 1 : 0); }
  static GgufValue String(std::string v);
  // An array of `elem_type` scalars; `elems` must all be scalars of that type.
  static GgufValue Array(GgufValueType elem_type, std::vector<GgufValue> elems);
  static GgufValue StringArray(std::vector<std::string> elems);
  static GgufValue F32Array(std::span<const float> elems);
  static GgufValue I32Array(std::span<const int32_t> elems);

  GgufValueType type() const { return type_; }
  bool is_array() const { return type_ == GgufValueType::kArray; }
  bool is_integer() const;  // any signed or unsigned integer type (not bool)
  bool is_float() const { return type_ == GgufValueType::kFloat32 || type_ == GgufValueType::kFloat64; }

  // Scalar payloads. An integer is kept as the bit pattern of its 64-bit widening; a uint64 above
  // INT64_MAX reads back correctly through AsU64.
  int64_t AsI64() const { return int_; }
  uint64_t AsU64() const { return static_cast<uint64_t>(int_); }
  double AsF64() const { return float_; }
  bool AsBool() const { return int_ != 0; }
  const std::string& AsString() const { return str_; }

  // Arrays.
  GgufValueType elem_type() const { return elem_type_; }
  const std::vector<GgufValue>& elems() const { return elems_; }
  size_t size() const { return elems_.size(); }

  bool operator==(const GgufValue& other) const;

  // A short human-readable rendering; arrays longer than `max_elems` show the first elements and
  // the count.
  std::string ToString(size_t max_elems = 8) const;

 private:
  static GgufValue Int(GgufValueType t, int64_t v) {
    GgufValue g;
    g.type_ = t;
    g.int_ = v;
    return g;
  }

  GgufValueType type_ = GgufValueType::kUint8;
  int64_t int_ = 0;
  double float_ = 0;
  std::string str_;
  GgufValueType elem_type_ = GgufValueType::kUint8;
  std::vector<GgufValue> elems_;
};

struct GgufKeyValue {
  std::string key;
  GgufValue value;
};

struct GgufTensorInfo {
  std::string name;
  TensorType type = TensorType::kF32;
  std::vector<int64_t> ne;   // dimensions, fastest-varying first (ggml order)
  uint64_t offset = 0;       // from the start of the data section
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;
  const uint8_t* data = nullptr;  // into the mapping; valid while the GgufFile lives

  int64_t dim(size_t i) const { return i < ne.size() ? ne[i] : 1; }
};

struct GgufOpenOptions {
  // Read the file with mmap; otherwise it is read into memory (for filesystems without mmap).
  // Default: true.
  bool use_mmap = true;
  // Ask the kernel to read the whole mapping ahead (MAP_POPULATE); faster first inference, slower open.
  // Default: false.
  bool prefetch = false;

  Status Validate() const { return Status::Ok(); }
};

class GgufFile {
 public:
  static Result<std::unique_ptr<GgufFile>> Open(const std::string& path,
                                                const GgufOpenOptions& options = {});
  // Parses an in-memory image (copied); used by tests and the fuzz target.
  static Result<std::unique_ptr<GgufFile>> FromBytes(std::string_view bytes);

  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return size_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }

  // Metadata in file order.
  const std::vector<GgufKeyValue>& metadata() const { return kv_; }
  // nullptr when absent.
  const GgufValue* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // Typed accessors: kNotFound when the key is absent, kInvalidArgument when its type does not
  // convert (integers convert between widths when the value fits; float32/float64 both read as
  // float).
  Result<std::string> GetString(std::string_view key) const;
  Result<uint32_t> GetU32(std::string_view key) const;
  Result<uint64_t> GetU64(std::string_view key) const;
  Result<int32_t> GetI32(std::string_view key) const;
  Result<int64_t> GetI64(std::string_view key) const;
  Result<float> GetF32(std::string_view key) const;
  Result<double> GetF64(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  // The array value itself (kInvalidArgument if the key is not an array).
  Result<const GgufValue*> GetArray(std::string_view key) const;
  Result<std::vector<std::string>> GetStringArray(std::string_view key) const;
  Result<std::vector<float>> GetF32Array(std::string_view key) const;
  Result<std::vector<int32_t>> GetI32Array(std::string_view key) const;

  // Same, with a fallback when the key is absent (a key of the wrong type is still an error).
  Result<uint32_t> GetU32Or(std::string_view key, uint32_t fallback) const;
  Result<float> GetF32Or(std::string_view key, float fallback) const;
  Result<bool> GetBoolOr(std::string_view key, bool fallback) const;
  Result<std::string> GetStringOr(std::string_view key, std::string fallback) const;

  // Tensors in file order.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* FindTensor(std::string_view name) const;
  Result<const GgufTensorInfo*> GetTensor(std::string_view name) const;

  // general.architecture, or "" when absent.
  std::string Architecture() const;

 private:
  GgufFile() = default;
  Status Parse();

  std::string path_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  void* map_ = nullptr;     // mmap'ed region, or nullptr
  std::string owned_;       // in-memory image when not mapped
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<GgufKeyValue> kv_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

// Builds GGUF files (version 3). Tensor data are produced when written, so a large model can be
// streamed to disk without holding it in memory. Not thread-safe.
class GgufWriter {
 public:
  // Fills `dst` (exactly the tensor's byte size) with the tensor's data.
  using TensorFill = std::function<void(std::span<uint8_t> dst)>;

  GgufWriter() = default;

  // kAlreadyExists for a duplicate key. "general.alignment" (uint32, a power of two) sets the
  // alignment of the data section.
  Status Add(std::string key, GgufValue value);
  // `data` must hold exactly the bytes of a tensor of `type` and shape `ne` (kInvalidArgument
  // otherwise, and for duplicate names or row lengths that are not a multiple of the block size).
  Status AddTensor(std::string name, TensorType type, std::vector<int64_t> ne, std::string data);
  Status AddTensor(std::string name, TensorType type, std::vector<int64_t> ne, TensorFill fill);

  // The whole file in memory (small models).
  Result<std::string> Serialize() const;
  // Streams the file to `path` (temp file + rename, so readers never see half a file).
  Status WriteFile(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> ne;
    uint64_t n_bytes;
    TensorFill fill;
  };
  uint64_t Alignment() const;
  Status Write(const std::function<Status(const void*, size_t)>& sink) const;

  std::vector<GgufKeyValue> kv_;
  std::vector<Tensor> tensors_;
};

}  // namespace archivist::engine
