// libFuzzer target for the GGUF reader and the model summary built on it: every count, offset and
// string in the file is attacker-controlled.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "archivist/engine/gguf.h"
#include "archivist/engine/model_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace archivist::engine;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = GgufFile::FromBytes(bytes);
  if (file.ok()) {
    ModelSummary summary = SummarizeGguf(**file);
    (void)FormatSummary(summary);
  }
  return 0;
}
