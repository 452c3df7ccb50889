#pragma once
// Byte-level encodings shared by the archive's column families: big-endian integers (so keys sort
// numerically) and LEB128 varints (so postings stay small).

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace archivist::index {

inline void PutBe64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
inline void PutBe32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
inline uint64_t GetBe64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}
inline uint32_t GetBe32(std::string_view s) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}
inline std::string Be64Key(uint64_t v) {
  std::string s;
  PutBe64(&s, v);
  return s;
}

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
// Reads a varint at *pos; false on truncated or over-long input (corrupt data, never a crash).
inline bool GetVarint(std::string_view s, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *pos < s.size(); shift += 7) {
    uint64_t byte = static_cast<unsigned char>(s[(*pos)++]);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// Postings key: the term, a NUL separator (terms never contain NUL), then the chunk id, so one
// term's list is a contiguous, chunk-ordered key range.
inline std::string PostingKey(std::string_view term, uint64_t chunk_id) {
  std::string k;
  k.reserve(term.size() + 9);
  k.append(term);
  k.push_back('\0');
  PutBe64(&k, chunk_id);
  return k;
}
inline std::string PostingPrefix(std::string_view term) {
  std::string k(term);
  k.push_back('\0');
  return k;
}

// Postings value: varint(chunk length in terms), varint(tf), then tf delta-coded positions.
struct Posting {
  uint32_t chunk_length = 0;
  std::vector<uint32_t> positions;  // ascending; tf = positions.size()
};

inline std::string EncodePosting(uint32_t chunk_length, const std::vector<uint32_t>& positions) {
  std::string v;
  PutVarint(&v, chunk_length);
  PutVarint(&v, positions.size());
  uint32_t prev = 0;
  for (uint32_t p : positions) {
    PutVarint(&v, p - prev);
    prev = p;
  }
  return v;
}

// Decodes a posting; `with_positions` false skips position decoding (BM25 needs only tf).
inline bool DecodePosting(std::string_view v, bool with_positions, uint32_t* chunk_length,
                          uint32_t* tf, std::vector<uint32_t>* positions) {
  size_t pos = 0;
  uint64_t len = 0, n = 0;
  if (!GetVarint(v, &pos, &len) || !GetVarint(v, &pos, &n)) return false;
  *chunk_length = static_cast<uint32_t>(len);
  *tf = static_cast<uint32_t>(n);
  if (!with_positions) return true;
  positions->clear();
  positions->reserve(n);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t d = 0;
    if (!GetVarint(v, &pos, &d)) return false;
    prev += d;
    positions->push_back(static_cast<uint32_t>(prev));
  }
  return true;
}

inline std::string EncodeFloats(const std::vector<float>& v) {
  std::string s(v.size() * sizeof(float), '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}
inline std::vector<float> DecodeFloats(std::string_view s) {
  std::vector<float> v(s.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), s.data(), v.size() * sizeof(float));
  return v;
}

}  // namespace archivist::index
