#include "thrift_output.h"

#include <string>  // TOutput.h uses std::string without including it

#include <thrift/TOutput.h>

#include <mutex>

namespace archivist::service {
namespace {

void Discard(const char*) {}

}  // namespace

void SilenceThriftDiagnostics() {
  static std::once_flag once;
  std::call_once(once, [] { apache::thrift::GlobalOutput.setOutputFunction(&Discard); });
}

}  // namespace archivist::service
