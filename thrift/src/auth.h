#pragma once
// Who is calling and what they may touch: token -> Caller (SHA-256 lookup, expiry), role and
// per-collection checks shared by every call.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/thrift/server.h"

namespace archivist::service {

struct Caller {
  std::string name;                      // token name, or "anonymous" without authentication
  Role role = Role::kReader;
  std::vector<std::string> collections;  // empty: every collection

  bool restricted() const { return role != Role::kAdmin && !collections.empty(); }
  bool MayRead(std::string_view collection) const;
  // kPermissionDenied unless the caller's role is at least `needed`.
  Status RequireRole(Role needed, std::string_view method) const;
  // kPermissionDenied for a collection the caller may not use.
  Status RequireCollection(std::string_view collection) const;
};

class Authenticator {
 public:
  // `tokens` must be valid (ApiToken::Validate). Empty: every caller is an anonymous admin.
  explicit Authenticator(std::vector<ApiToken> tokens);
  bool enabled() const { return !tokens_.empty(); }
  // kUnauthenticated for a missing, unknown or expired token. `now` is Unix seconds.
  Result<Caller> Authenticate(bool has_token, const std::string& token, int64_t now) const;

 private:
  std::vector<ApiToken> tokens_;
};

}  // namespace archivist::service
