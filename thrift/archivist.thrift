// Archivist service API, version 1. (Filled in by the thrift work; this is the minimal contract.)
namespace cpp archivist.thrift_gen
namespace py archivist

enum ErrorCode {
  INVALID_ARGUMENT = 1,
  NOT_FOUND = 2,
  UNAUTHENTICATED = 3,
  PERMISSION_DENIED = 4,
  RESOURCE_EXHAUSTED = 5,
  UNAVAILABLE = 6,
  INTERNAL = 7,
}

exception ArchivistError {
  1: required ErrorCode code,
  2: required string message,
}

struct HealthReply {
  1: required string status,
  2: required string version,
}

service ArchivistService {
  HealthReply health(),
}
