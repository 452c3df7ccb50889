#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace archivist::service {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader: return "reader";
    case Role::kIngester: return "ingester";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

Result<Role> RoleFromName(std::string_view name) {
  if (name == "reader") return Role::kReader;
  if (name == "ingester") return Role::kIngester;
  if (name == "admin") return Role::kAdmin;
  return Status::InvalidArgument("role must be reader, ingester or admin, got '" +
                                 std::string(name) + "'");
}

std::string Sha256Hex(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

Status ApiToken::Validate() const {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidArgument("a token needs a name of 1..128 bytes");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return Status::InvalidArgument("token name '" + name + "' has control characters");
    }
  }
  const bool hex = sha256_hex.size() == 64 &&
                   std::all_of(sha256_hex.begin(), sha256_hex.end(), [](char c) {
                     return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
                   });
  if (!hex) {
    return Status::InvalidArgument("token '" + name +
                                   "': sha256 must be 64 lower-case hex digits (the hash, never "
                                   "the token itself)");
  }
  if (role != Role::kReader && role != Role::kIngester && role != Role::kAdmin) {
    return Status::InvalidArgument("token '" + name + "' has an unknown role");
  }
  if (expires_at < 0) return Status::InvalidArgument("token '" + name + "': expires_at < 0");
  return Status::Ok();
}

bool Caller::MayRead(std::string_view collection) const {
  if (!restricted()) return true;
  return std::find(collections.begin(), collections.end(), collection) != collections.end();
}

Status Caller::RequireRole(Role needed, std::string_view method) const {
  if (static_cast<int>(role) >= static_cast<int>(needed)) return Status::Ok();
  return Status::PermissionDenied(std::string(method) + " needs the " +
                                  std::string(RoleName(needed)) + " role; '" + name + "' is " +
                                  std::string(RoleName(role)));
}

Status Caller::RequireCollection(std::string_view collection) const {
  if (MayRead(collection)) return Status::Ok();
  return Status::PermissionDenied("'" + name + "' has no rights on collection '" +
                                  std::string(collection) + "'");
}

Authenticator::Authenticator(std::vector<ApiToken> tokens) : tokens_(std::move(tokens)) {}

Result<Caller> Authenticator::Authenticate(bool has_token, const std::string& token,
                                           int64_t now) const {
  if (tokens_.empty()) return Caller{"anonymous", Role::kAdmin, {}};
  if (!has_token || token.empty()) {
    return Status::Unauthenticated("this call needs a token (request field auth_token)");
  }
  const std::string hash = Sha256Hex(token);
  // Every entry is compared, in constant time, so timing tells nothing about which hash matched.
  const ApiToken* match = nullptr;
  for (const ApiToken& entry : tokens_) {
    if (CRYPTO_memcmp(entry.sha256_hex.data(), hash.data(), hash.size()) == 0) match = &entry;
  }
  if (match == nullptr) return Status::Unauthenticated("the token is not recognized");
  if (match->expires_at != 0 && now >= match->expires_at) {
    return Status::Unauthenticated("the token '" + match->name + "' has expired");
  }
  return Caller{match->name, match->role, match->collections};
}

}  // namespace archivist::service
