#include "archivist/engine/gguf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "archivist/engine/model_summary.h"

namespace archivist::engine {
namespace {

GgufValue AllTypesNested() {
  return GgufValue::Array(
      GgufValueType::kArray,
      {GgufValue::StringArray({"a", "bc", ""}), GgufValue::StringArray({"\xe2\x96\x81x"})});
}

// A small file exercising every metadata value type and a few tensors.
GgufWriter MakeWriter() {
  GgufWriter w;
  EXPECT_TRUE(w.Add("general.architecture", GgufValue::String("llama")).ok());
  EXPECT_TRUE(w.Add("general.name", GgufValue::String("tiny")).ok());
  EXPECT_TRUE(w.Add("u8", GgufValue::U8(250)).ok());
  EXPECT_TRUE(w.Add("i8", GgufValue::I8(-120)).ok());
  EXPECT_TRUE(w.Add("u16", GgufValue::U16(65000)).ok());
  EXPECT_TRUE(w.Add("i16", GgufValue::I16(-32000)).ok());
  EXPECT_TRUE(w.Add("u32", GgufValue::U32(4000000000u)).ok());
  EXPECT_TRUE(w.Add("i32", GgufValue::I32(-2000000000)).ok());
  EXPECT_TRUE(w.Add("u64", GgufValue::U64(std::numeric_limits<uint64_t>::max())).ok());
  EXPECT_TRUE(w.Add("i64", GgufValue::I64(std::numeric_limits<int64_t>::min())).ok());
  EXPECT_TRUE(w.Add("f32", GgufValue::F32(1.5e-6f)).ok());
  EXPECT_TRUE(w.Add("f64", GgufValue::F64(-2.25e300)).ok());
  EXPECT_TRUE(w.Add("bool", GgufValue::Bool(true)).ok());
  EXPECT_TRUE(w.Add("str", GgufValue::String(std::string("a\0b\xff", 4))).ok());
  EXPECT_TRUE(w.Add("arr.str", GgufValue::StringArray({"x", "", "yz"})).ok());
  std::vector<float> fs = {1.0f, -2.5f, 3.25f};
  EXPECT_TRUE(w.Add("arr.f32", GgufValue::F32Array(fs)).ok());
  std::vector<int32_t> is = {-1, 0, 7};
  EXPECT_TRUE(w.Add("arr.i32", GgufValue::I32Array(is)).ok());
  EXPECT_TRUE(w.Add("arr.u8", GgufValue::Array(GgufValueType::kUint8,
                                               {GgufValue::U8(1), GgufValue::U8(2)}))
                  .ok());
  EXPECT_TRUE(w.Add("arr.bool", GgufValue::Array(GgufValueType::kBool,
                                                 {GgufValue::Bool(false), GgufValue::Bool(true)}))
                  .ok());
  EXPECT_TRUE(w.Add("arr.f64", GgufValue::Array(GgufValueType::kFloat64, {GgufValue::F64(0.5)})).ok());
  EXPECT_TRUE(w.Add("arr.u64", GgufValue::Array(GgufValueType::kUint64, {GgufValue::U64(9)})).ok());
  EXPECT_TRUE(w.Add("arr.i64", GgufValue::Array(GgufValueType::kInt64, {GgufValue::I64(-9)})).ok());
  EXPECT_TRUE(w.Add("arr.i16", GgufValue::Array(GgufValueType::kInt16, {GgufValue::I16(-3)})).ok());
  EXPECT_TRUE(w.Add("arr.u16", GgufValue::Array(GgufValueType::kUint16, {GgufValue::U16(3)})).ok());
  EXPECT_TRUE(w.Add("arr.i8", GgufValue::Array(GgufValueType::kInt8, {GgufValue::I8(-4)})).ok());
  EXPECT_TRUE(w.Add("arr.u32", GgufValue::Array(GgufValueType::kUint32, {GgufValue::U32(4)})).ok());
  EXPECT_TRUE(w.Add("arr.empty", GgufValue::Array(GgufValueType::kFloat32, {})).ok());
  EXPECT_TRUE(w.Add("arr.nested", AllTypesNested()).ok());

  std::string f32(4 * 8 * 3, '\0');
  for (int i = 0; i < 24; ++i) {
    float v = static_cast<float>(i) * 0.5f;
    std::memcpy(f32.data() + 4 * i, &v, 4);
  }
  EXPECT_TRUE(w.AddTensor("w.f32", TensorType::kF32, {8, 3}, f32).ok());
  EXPECT_TRUE(w.AddTensor("w.q8", TensorType::kQ8_0, {64, 2}, std::string(4 * 34, '\x01')).ok());
  EXPECT_TRUE(w.AddTensor("w.q4k", TensorType::kQ4_K, {256, 1, 2}, std::string(2 * 144, '\x02')).ok());
  return w;
}

std::string MakeBytes() {
  auto bytes = MakeWriter().Serialize();
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

TEST(GgufTest, RoundTripsEveryValueType) {
  GgufWriter w = MakeWriter();
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto f = GgufFile::FromBytes(*bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  const GgufFile& g = **f;
  EXPECT_EQ(g.version(), 3u);
  EXPECT_EQ(g.alignment(), 32u);
  EXPECT_EQ(g.data_offset() % 32, 0u);
  EXPECT_EQ(g.metadata().size(), 28u);
  EXPECT_EQ(g.Architecture(), "llama");

  EXPECT_EQ(*g.GetU32("u8"), 250u);
  EXPECT_EQ(*g.GetI32("i8"), -120);
  EXPECT_EQ(*g.GetU32("u16"), 65000u);
  EXPECT_EQ(*g.GetI32("i16"), -32000);
  EXPECT_EQ(*g.GetU32("u32"), 4000000000u);
  EXPECT_EQ(*g.GetI32("i32"), -2000000000);
  EXPECT_EQ(*g.GetU64("u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(*g.GetI64("i64"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*g.GetF32("f32"), 1.5e-6f);
  EXPECT_EQ(*g.GetF64("f64"), -2.25e300);
  EXPECT_TRUE(*g.GetBool("bool"));
  EXPECT_EQ(*g.GetString("str"), std::string("a\0b\xff", 4));
  EXPECT_EQ(*g.GetStringArray("arr.str"), (std::vector<std::string>{"x", "", "yz"}));
  EXPECT_EQ(*g.GetF32Array("arr.f32"), (std::vector<float>{1.0f, -2.5f, 3.25f}));
  EXPECT_EQ(*g.GetI32Array("arr.i32"), (std::vector<int32_t>{-1, 0, 7}));
  EXPECT_EQ(*g.Find("arr.nested"), AllTypesNested());
  EXPECT_EQ((*g.GetArray("arr.empty"))->size(), 0u);

  // Every value survives exactly (type and payload): re-serialising gives the same bytes.
  GgufWriter copy;
  for (const auto& kv : g.metadata()) ASSERT_TRUE(copy.Add(kv.key, kv.value).ok());
  for (const auto& t : g.tensors()) {
    ASSERT_TRUE(copy.AddTensor(t.name, t.type, t.ne,
                               std::string(reinterpret_cast<const char*>(t.data), t.n_bytes))
                    .ok());
  }
  EXPECT_EQ(*copy.Serialize(), *bytes);
  auto again = GgufFile::FromBytes(*bytes);
  ASSERT_TRUE(again.ok());
  for (const auto& kv : g.metadata()) {
    EXPECT_EQ(*(*again)->Find(kv.key), kv.value) << kv.key;
  }

  ASSERT_EQ(g.tensors().size(), 3u);
  auto t = g.GetTensor("w.f32");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->ne, (std::vector<int64_t>{8, 3}));
  EXPECT_EQ((*t)->n_elements, 24u);
  EXPECT_EQ((*t)->n_bytes, 96u);
  float v;
  std::memcpy(&v, (*t)->data + 4 * 5, 4);
  EXPECT_EQ(v, 2.5f);
  EXPECT_EQ(g.FindTensor("w.q8")->n_bytes, 4u * 34);
  EXPECT_EQ(g.FindTensor("w.q8")->type, TensorType::kQ8_0);
  EXPECT_EQ(g.FindTensor("w.q4k")->n_bytes, 2u * 144);
  EXPECT_EQ(g.FindTensor("w.q4k")->data[0], 2);
  for (const auto& ti : g.tensors()) EXPECT_EQ(ti.offset % 32, 0u);
}

TEST(GgufTest, AccessorErrorsAreTyped) {
  auto f = GgufFile::FromBytes(MakeBytes());
  ASSERT_TRUE(f.ok());
  const GgufFile& g = **f;
  EXPECT_EQ(g.GetU32("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(g.GetString("u32").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.GetU32("str").status().code(), StatusCode::kInvalidArgument);
  // -120 does not fit an unsigned type; 4e9 does not fit int32.
  EXPECT_EQ(g.GetU32("i8").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.GetI32("u32").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.GetStringArray("arr.f32").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.GetBool("u8").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.GetTensor("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*g.GetU32Or("missing", 7), 7u);
  EXPECT_FALSE(g.GetU32Or("str", 7).ok());
  EXPECT_EQ(*g.GetF32("f64"), static_cast<float>(-2.25e300));
}

TEST(GgufTest, CustomAlignmentIsHonoured) {
  GgufWriter w;
  ASSERT_TRUE(w.Add("general.alignment", GgufValue::U32(64)).ok());
  ASSERT_TRUE(w.AddTensor("a", TensorType::kF32, {3}, std::string(12, 'a')).ok());
  ASSERT_TRUE(w.AddTensor("b", TensorType::kF32, {5}, std::string(20, 'b')).ok());
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  auto f = GgufFile::FromBytes(*bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->alignment(), 64u);
  EXPECT_EQ((*f)->data_offset() % 64, 0u);
  EXPECT_EQ((*f)->FindTensor("b")->offset, 64u);
  EXPECT_EQ((*f)->FindTensor("b")->data[19], 'b');
  EXPECT_FALSE(w.Add("general.alignment", GgufValue::U32(64)).ok());
  GgufWriter bad;
  EXPECT_FALSE(bad.Add("general.alignment", GgufValue::U32(48)).ok());
}

TEST(GgufTest, WriterRejectsBadTensors) {
  GgufWriter w;
  EXPECT_EQ(w.AddTensor("q", TensorType::kQ4_K, {100}, std::string()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddTensor("f", TensorType::kF32, {4}, std::string(15, 'x')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(w.AddTensor("f", TensorType::kF32, {4}, std::string(16, 'x')).ok());
  EXPECT_EQ(w.AddTensor("f", TensorType::kF32, {4}, std::string(16, 'x')).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(w.Add("k", GgufValue::Array(GgufValueType::kUint8, {GgufValue::I32(1)})).code(),
            StatusCode::kInvalidArgument);
}

TEST(GgufTest, WritesAndOpensFileViaMmapAndRead) {
  std::string path = ::testing::TempDir() + "/gguf_test_roundtrip.gguf";
  ASSERT_TRUE(MakeWriter().WriteFile(path).ok());
  for (bool mmap : {true, false}) {
    GgufOpenOptions o;
    o.use_mmap = mmap;
    auto f = GgufFile::Open(path, o);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ((*f)->file_size(), std::filesystem::file_size(path));
    EXPECT_EQ(*(*f)->GetString("general.name"), "tiny");
    EXPECT_EQ((*f)->FindTensor("w.q4k")->data[143], 2);
  }
  std::filesystem::remove(path);
  EXPECT_EQ(GgufFile::Open(path).status().code(), StatusCode::kNotFound);
}

TEST(GgufTest, EveryTruncationIsAnErrorNeverACrash) {
  std::string bytes = MakeBytes();
  // Every prefix shorter than the full file must fail cleanly (the last tensor ends the file).
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto f = GgufFile::FromBytes(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(f.ok()) << "prefix of " << n << " bytes parsed";
    StatusCode c = f.status().code();
    EXPECT_TRUE(c == StatusCode::kCorruption || c == StatusCode::kInvalidArgument)
        << n << ": " << f.status().ToString();
  }
}

TEST(GgufTest, BadMagicAndVersions) {
  std::string bytes = MakeBytes();
  std::string b = bytes;
  b[0] = 'X';
  EXPECT_EQ(GgufFile::FromBytes(b).status().code(), StatusCode::kInvalidArgument);
  for (uint32_t v : {0u, 1u, 4u, 99u, 0x03000000u}) {
    b = bytes;
    std::memcpy(b.data() + 4, &v, 4);
    auto f = GgufFile::FromBytes(b);
    EXPECT_EQ(f.status().code(), StatusCode::kUnsupported) << v;
  }
  // Version 2 has the same layout as 3.
  b = bytes;
  uint32_t v2 = 2;
  std::memcpy(b.data() + 4, &v2, 4);
  auto f = GgufFile::FromBytes(b);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->version(), 2u);
}

TEST(GgufTest, CorruptCountsAreBounded) {
  std::string bytes = MakeBytes();
  for (uint64_t huge : {uint64_t{1} << 40, std::numeric_limits<uint64_t>::max(), uint64_t{1000}}) {
    std::string b = bytes;
    std::memcpy(b.data() + 8, &huge, 8);  // tensor count
    EXPECT_FALSE(GgufFile::FromBytes(b).ok());
    b = bytes;
    std::memcpy(b.data() + 16, &huge, 8);  // metadata count
    EXPECT_FALSE(GgufFile::FromBytes(b).ok());
  }
  // Overwrite every 8-byte window with a huge number: always an error or a (different) valid parse.
  for (size_t off = 0; off + 8 <= bytes.size() && off < 2048; ++off) {
    std::string b = bytes;
    uint64_t huge = 0x7fffffffffffff00ULL;
    std::memcpy(b.data() + off, &huge, 8);
    auto f = GgufFile::FromBytes(b);
    (void)f;  // must not crash or allocate wildly
  }
  // Flip every byte of the header region.
  for (size_t off = 0; off < std::min<size_t>(bytes.size(), 2048); ++off) {
    std::string b = bytes;
    b[off] = static_cast<char>(b[off] ^ 0xA5);
    auto f = GgufFile::FromBytes(b);
    (void)f;
  }
}

// Builds a file by hand so specific fields can be broken.
struct RawFile {
  std::string b;
  template <typename T>
  void Put(T v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(std::string_view s) { Put<uint64_t>(s.size()); b.append(s); }
};

std::string OneTensorFile(uint32_t type, uint64_t offset, int64_t ne0, uint32_t align = 0,
                          size_t data_bytes = 64) {
  RawFile r;
  r.Put<uint32_t>(0x46554747);
  r.Put<uint32_t>(3);
  r.Put<uint64_t>(1);
  r.Put<uint64_t>(align ? 1 : 0);
  if (align) {
    r.Str("general.alignment");
    r.Put<uint32_t>(4);
    r.Put<uint32_t>(align);
  }
  r.Str("t");
  r.Put<uint32_t>(1);
  r.Put<int64_t>(ne0);
  r.Put<uint32_t>(type);
  r.Put<uint64_t>(offset);
  size_t a = align ? align : 32;
  r.b.resize((r.b.size() + a - 1) / a * a, '\0');
  r.b.append(data_bytes, '\0');
  return r.b;
}

TEST(GgufTest, TensorTableErrors) {
  EXPECT_TRUE(GgufFile::FromBytes(OneTensorFile(0, 0, 16)).ok());
  // 16 floats = 64 bytes fit; 17 do not.
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, 0, 17)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, 32, 16)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, ~uint64_t{0} - 31, 1)).status().code(),
            StatusCode::kCorruption);
  // Misaligned offset.
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, 4, 1)).status().code(), StatusCode::kCorruption);
  // Unknown tensor type.
  auto u = GgufFile::FromBytes(OneTensorFile(77, 0, 16));
  EXPECT_EQ(u.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(u.status().message().find("77"), std::string::npos);
  // Row not a multiple of the block size.
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(8, 0, 33)).status().code(), StatusCode::kCorruption);
  // Negative dimension.
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, 0, -1)).status().code(), StatusCode::kCorruption);
  // Alignment not a power of two; a valid custom one.
  EXPECT_EQ(GgufFile::FromBytes(OneTensorFile(0, 0, 4, 24)).status().code(),
            StatusCode::kCorruption);
  EXPECT_TRUE(GgufFile::FromBytes(OneTensorFile(0, 0, 4, 16)).ok());
}

TEST(GgufTest, DeepAndDuplicateMetadataAreRefused) {
  RawFile r;
  r.Put<uint32_t>(0x46554747);
  r.Put<uint32_t>(3);
  r.Put<uint64_t>(0);
  r.Put<uint64_t>(1);
  r.Str("deep");
  r.Put<uint32_t>(9);
  for (int i = 0; i < 100; ++i) {
    r.Put<uint32_t>(9);
    r.Put<uint64_t>(1);
  }
  EXPECT_EQ(GgufFile::FromBytes(r.b).status().code(), StatusCode::kCorruption);

  RawFile d;
  d.Put<uint32_t>(0x46554747);
  d.Put<uint32_t>(3);
  d.Put<uint64_t>(0);
  d.Put<uint64_t>(2);
  for (int i = 0; i < 2; ++i) {
    d.Str("k");
    d.Put<uint32_t>(4);
    d.Put<uint32_t>(1);
  }
  EXPECT_EQ(GgufFile::FromBytes(d.b).status().code(), StatusCode::kCorruption);
}

TEST(GgufTest, SummaryDescribesTheModel) {
  auto f = GgufFile::FromBytes(MakeBytes());
  ASSERT_TRUE(f.ok());
  ModelSummary s = SummarizeGguf(**f);
  EXPECT_EQ(s.architecture, "llama");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(s.parameter_count, 24u + 128u + 512u);
  EXPECT_EQ(s.tensor_type_counts.at("Q8_0"), 1u);
  ASSERT_EQ(s.tensors.size(), 3u);
  EXPECT_EQ(s.tensors[2].type, "Q4_K");
  EXPECT_EQ(s.tensors[2].shape, (std::vector<int64_t>{256, 1, 2}));
  std::string text = FormatSummary(s);
  EXPECT_NE(text.find("architecture: llama"), std::string::npos);
  EXPECT_NE(text.find("w.q4k"), std::string::npos);
  std::string json = SummaryToJson(s);
  EXPECT_NE(json.find("\"parameter_count\": 664"), std::string::npos);
}

TEST(GgufTest, LongArraysAreAbbreviatedInSummaries) {
  std::vector<std::string> many;
  for (int i = 0; i < 1000; ++i) many.push_back("tok" + std::to_string(i));
  GgufValue v = GgufValue::StringArray(many);
  std::string s = v.ToString(4);
  EXPECT_NE(s.find("1000 total"), std::string::npos);
  EXPECT_LT(s.size(), 100u);
}

}  // namespace
}  // namespace archivist::engine
