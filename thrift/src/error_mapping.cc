#include "error_mapping.h"

#include <cstring>
#include <new>
#include <string>

namespace archivist::service {
namespace {

using thrift_gen::ErrorCode;

thrift_gen::ArchivistError MakeError(ErrorCode::type code, std::string message) {
  thrift_gen::ArchivistError error;
  error.__set_code(code);
  error.__set_message(std::move(message));
  return error;
}

}  // namespace

thrift_gen::ArchivistError ToArchivistError(const Status& status) {
  ErrorCode::type code = ErrorCode::INTERNAL;
  switch (status.code()) {
    case StatusCode::kOk:
      return MakeError(ErrorCode::INTERNAL, "an OK status was raised as an error (server bug)");
    case StatusCode::kInvalidArgument:
      code = ErrorCode::INVALID_ARGUMENT;
      break;
    case StatusCode::kNotFound:
      code = ErrorCode::NOT_FOUND;
      break;
    case StatusCode::kCorruption:
      code = ErrorCode::DATA_CORRUPTION;
      break;
    case StatusCode::kUnsupported:
      code = ErrorCode::UNSUPPORTED;
      break;
    case StatusCode::kResourceExhausted:
      code = ErrorCode::RESOURCE_EXHAUSTED;
      break;
    case StatusCode::kUnavailable:
      code = ErrorCode::UNAVAILABLE;
      break;
    case StatusCode::kInternal:
      code = ErrorCode::INTERNAL;
      break;
    case StatusCode::kPermissionDenied:
      code = ErrorCode::PERMISSION_DENIED;
      break;
    case StatusCode::kUnauthenticated:
      code = ErrorCode::UNAUTHENTICATED;
      break;
    case StatusCode::kAlreadyExists:
      code = ErrorCode::ALREADY_EXISTS;
      break;
  }
  return MakeError(code, status.message());
}

Status FromArchivistError(const thrift_gen::ArchivistError& error) {
  StatusCode code = StatusCode::kInternal;
  std::string message = error.message;
  // A newer server may send a code this build does not know: read the wire value as an integer,
  // never as the enum (an out-of-range enum value is undefined behaviour).
  int32_t raw = 0;
  static_assert(sizeof(error.code) == sizeof(raw));
  std::memcpy(&raw, &error.code, sizeof raw);
  switch (raw) {
    case ErrorCode::INVALID_ARGUMENT:
      code = StatusCode::kInvalidArgument;
      break;
    case ErrorCode::NOT_FOUND:
      code = StatusCode::kNotFound;
      break;
    case ErrorCode::UNAUTHENTICATED:
      code = StatusCode::kUnauthenticated;
      break;
    case ErrorCode::PERMISSION_DENIED:
      code = StatusCode::kPermissionDenied;
      break;
    case ErrorCode::RESOURCE_EXHAUSTED:
      code = StatusCode::kResourceExhausted;
      break;
    case ErrorCode::UNAVAILABLE:
      code = StatusCode::kUnavailable;
      break;
    case ErrorCode::INTERNAL:
      code = StatusCode::kInternal;
      break;
    case ErrorCode::ALREADY_EXISTS:
      code = StatusCode::kAlreadyExists;
      break;
    case ErrorCode::UNSUPPORTED:
      code = StatusCode::kUnsupported;
      break;
    case ErrorCode::DATA_CORRUPTION:
      code = StatusCode::kCorruption;
      break;
    default:
      message =
          "server error code " + std::to_string(raw) + ": " + message;
      break;
  }
  // An error must never read as success, whatever the server sent.
  if (message.empty()) message = "server reported an error without a message";
  return Status(code, std::move(message));
}

thrift_gen::ArchivistError ArchivistErrorFromCurrentException() {
  try {
    throw;
  } catch (const thrift_gen::ArchivistError& error) {
    return error;
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::RESOURCE_EXHAUSTED, "server ran out of memory serving the call");
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::INTERNAL, std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return MakeError(ErrorCode::INTERNAL, "unexpected failure of unknown type");
  }
}

}  // namespace archivist::service
