#include "thrift_output.h"

// Thrift.h, not TOutput.h: the latter uses std::string without including <string>.
#include <thrift/Thrift.h>

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
