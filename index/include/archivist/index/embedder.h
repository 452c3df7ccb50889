#pragma once
// Text -> dense vector. The archive stores and searches whatever an Embedder produces; the
// pipeline decides which one (a GGUF encoder from the engine, or the built-in one).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::index {

class Embedder {
 public:
  virtual ~Embedder() = default;
  // Stable identifier stored with the vectors; a data directory built with another embedder is
  // refused rather than searched with incomparable vectors. E.g. "builtin-hash-v1/256".
  virtual std::string Name() const = 0;
  virtual int Dimension() const = 0;
  // Embeds each text into `Dimension()` floats, L2-normalized (inner product = cosine).
  // Thread-safe for concurrent calls.
  virtual Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) const = 0;
};

// The embedder that needs no downloaded weights: see builtin_embedder.cc for how it works.
std::unique_ptr<Embedder> MakeBuiltinEmbedder();

}  // namespace archivist::index
