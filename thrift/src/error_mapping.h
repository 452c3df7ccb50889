#pragma once
// The one mapping between archivist::Status and the IDL's ArchivistError, both directions. The
// server raises what ToArchivistError() makes; the client turns it back with FromArchivistError(),
// so a Status crosses the wire with its code and message intact.

#include <exception>

#include "archivist/base/status.h"
#include "archivist_types.h"

namespace archivist::service {

// `status` must not be OK (an OK status has nothing to raise; it maps to INTERNAL).
thrift_gen::ArchivistError ToArchivistError(const Status& status);

// Unknown codes (a newer server) become kInternal with the code in the message.
Status FromArchivistError(const thrift_gen::ArchivistError& error);

// What a handler raises for an exception that escaped the code below it: the ArchivistError
// itself when it is one, else INTERNAL with the exception's text. Call inside a catch block.
thrift_gen::ArchivistError ArchivistErrorFromCurrentException();

}  // namespace archivist::service
