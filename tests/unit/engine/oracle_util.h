#pragma once
// Shared helpers for engine tests that read the reference set in /work/shared/oracle.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace archivist::engine::testing {

inline std::string OracleDir() { return ARCHIVIST_SOURCE_DIR "/../shared/oracle"; }

inline bool OracleAvailable() {
  return std::filesystem::exists(OracleDir() + "/manifest.json");
}

#define ARCHIVIST_SKIP_WITHOUT_ORACLE()                                                    \
  if (!::archivist::engine::testing::OracleAvailable()) {                                  \
    GTEST_SKIP() << "reference set not found at " << ::archivist::engine::testing::OracleDir() \
                 << " (the shared oracle folder is absent on this machine)";              \
  }

inline const nlohmann::json& Manifest() {
  static const nlohmann::json m = [] {
    std::ifstream in(OracleDir() + "/manifest.json");
    return nlohmann::json::parse(in);
  }();
  return m;
}

// A float32 or int32 .npy array (format 1.0, little-endian, C order).
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // int32 arrays are converted
  bool ok = false;
};

inline NpyArray ReadNpy(const std::string& path) {
  NpyArray out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) return out;
  size_t hlen = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  std::string header = bytes.substr(10, hlen);
  size_t off = 10 + hlen;
  bool is_int = header.find("'<i4'") != std::string::npos;
  size_t sp = header.find("'shape': (");
  if (sp == std::string::npos) return out;
  std::string dims = header.substr(sp + 10, header.find(')', sp) - sp - 10);
  std::stringstream ss(dims);
  std::string tok;
  int64_t n = 1;
  while (std::getline(ss, tok, ',')) {
    if (tok.find_first_of("0123456789") == std::string::npos) continue;
    out.shape.push_back(std::stoll(tok));
    n *= out.shape.back();
  }
  if (bytes.size() < off + 4 * static_cast<size_t>(n)) return out;
  out.data.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    if (is_int) {
      int32_t v;
      std::memcpy(&v, bytes.data() + off + 4 * i, 4);
      out.data[i] = static_cast<float>(v);
    } else {
      std::memcpy(&out.data[i], bytes.data() + off + 4 * i, 4);
    }
  }
  out.ok = true;
  return out;
}

}  // namespace archivist::engine::testing
