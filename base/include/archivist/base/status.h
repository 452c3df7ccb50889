#pragma once
// Status and Result<T>: the one way expected failures travel through Archivist.
//
// A Status carries a small code and a message a user can act on ("what, where, why"). Exceptions are
// used only at library edges that already throw (FAISS, Thrift) and are converted to Status there.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace archivist {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,   // the caller's input is wrong (bad query, bad option, malformed file)
  kNotFound = 2,          // the named thing does not exist
  kCorruption = 3,        // stored or supplied data is damaged
  kUnsupported = 4,       // a valid input we do not handle (file type, model architecture)
  kResourceExhausted = 5, // a limit was hit (size, time, memory, concurrency)
  kUnavailable = 6,       // a dependency is not ready; retrying may help
  kInternal = 7,          // a bug or an unexpected failure of a library we call
  kPermissionDenied = 8,  // the caller is known but not allowed
  kUnauthenticated = 9,   // the caller is not known
  kAlreadyExists = 10,    // the thing is already there
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string ToString() const;
  // Returns a copy whose message is "<context>: <message>"; the code is kept.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none. Accessing value() of an error is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose, like absl::StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace archivist

#define ARCHIVIST_CONCAT_INNER(a, b) a##b
#define ARCHIVIST_CONCAT(a, b) ARCHIVIST_CONCAT_INNER(a, b)

#define ARCHIVIST_RETURN_IF_ERROR(expr)              \
  do {                                               \
    ::archivist::Status _st = (expr);                \
    if (!_st.ok()) return _st;                       \
  } while (0)

#define ARCHIVIST_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

// ARCHIVIST_ASSIGN_OR_RETURN(auto x, MakeX());
#define ARCHIVIST_ASSIGN_OR_RETURN(lhs, expr) \
  ARCHIVIST_ASSIGN_OR_RETURN_IMPL(ARCHIVIST_CONCAT(_result_, __LINE__), lhs, expr)
