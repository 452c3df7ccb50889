#include "archivist/engine/npy.h"

#include <cstring>
#include <sstream>

#include "archivist/base/file_util.h"

namespace archivist::engine {

Status WriteNpy(const std::string& path, std::span<const float> data,
                std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n != static_cast<int64_t>(data.size())) {
    return Status::InvalidArgument("npy shape holds " + std::to_string(n) + " values, data has " +
                                   std::to_string(data.size()));
  }
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, '\n' last.
  const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
  return WriteFileAtomic(path, out);
}

Result<NpyArray> ReadNpy(const std::string& path) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return Status::InvalidArgument("'" + path + "' is not a .npy file");
  }
  const size_t hlen = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  if (bytes[6] != 1 || 10 + hlen > bytes.size()) {
    return Status::InvalidArgument("'" + path + "': unsupported .npy version or short header");
  }
  const std::string header = bytes.substr(10, hlen);
  const bool f4 = header.find("'<f4'") != std::string::npos;
  const bool i4 = header.find("'<i4'") != std::string::npos;
  if ((!f4 && !i4) || header.find("'fortran_order': True") != std::string::npos) {
    return Status::InvalidArgument("'" + path + "': only little-endian float32/int32 C arrays");
  }
  const size_t sp = header.find("'shape': (");
  if (sp == std::string::npos) return Status::InvalidArgument("'" + path + "': no shape");
  NpyArray a;
  std::stringstream ss(header.substr(sp + 10, header.find(')', sp) - sp - 10));
  std::string tok;
  int64_t n = 1;
  while (std::getline(ss, tok, ',')) {
    if (tok.find_first_of("0123456789") == std::string::npos) continue;
    a.shape.push_back(std::stoll(tok));
    n *= a.shape.back();
  }
  const size_t off = 10 + hlen;
  if (n < 0 || bytes.size() - off < static_cast<size_t>(n) * 4) {
    return Status::Corruption("'" + path + "' is shorter than its shape");
  }
  a.data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (f4) {
      std::memcpy(&a.data[i], bytes.data() + off + 4 * i, 4);
    } else {
      int32_t v;
      std::memcpy(&v, bytes.data() + off + 4 * i, 4);
      a.data[i] = static_cast<float>(v);
    }
  }
  return a;
}

}  // namespace archivist::engine
