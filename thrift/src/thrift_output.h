#pragma once
// Thrift's C++ library prints its own diagnostics ("TSocket::open() error ...") to stderr through
// a process-wide hook. Archivist reports every such failure as a Status / ArchivistError instead,
// so the prints would only duplicate errors (and break the CLI's one-line error rule).

namespace archivist::service {

// Routes Thrift's diagnostic prints to nowhere. Idempotent and thread-safe; called by
// Server::Create and Client::Connect before any Thrift object exists.
void SilenceThriftDiagnostics();

}  // namespace archivist::service
