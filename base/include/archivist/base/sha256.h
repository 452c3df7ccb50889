#pragma once

#include <string>
#include <string_view>

namespace archivist {

// Lower-case hex SHA-256 of `bytes` (64 characters). Thread-safe.
std::string Sha256Hex(std::string_view bytes);

}  // namespace archivist
