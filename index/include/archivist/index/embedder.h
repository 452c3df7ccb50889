#pragma once
// Text -> dense vector. The archive stores and searches whatever an Embedder produces; the
// pipeline decides which one (a GGUF encoder from the engine, or the built-in one).

#include <cstdint>
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

// The embedder that needs no downloaded weights and no fitting: see builtin_embedder.cc.
std::unique_ptr<Embedder> MakeBuiltinEmbedder();

// A latent-semantic (LSA) embedder fitted on a corpus: log-tf x idf weighted term-document
// matrix, truncated SVD by randomized range finding; a text's vector is its weighted term vector
// projected on the top singular directions, L2-normalized. Unlike the hashing embedder it learns
// which words go together in *this* corpus ("anticoagulant" near "warfarin"). Deterministic for
// a given corpus and options. Name: "builtin-lsa-v1/<dim>/<fingerprint of the model>", so an
// archive refuses vectors from a differently fitted model.
struct LsaOptions {
  int dimension = 256;        // output dimensions (rank beyond the corpus's is zero). Default: 256
  int max_terms = 20000;      // vocabulary: the most frequent terms. Default: 20000
  int min_document_frequency = 2;  // rarer terms are ignored. Default: 2
  int oversampling = 10;      // extra random directions for the range finder. Default: 10
  int power_iterations = 2;   // subspace iterations (accuracy on slowly decaying spectra). Default: 2
  uint64_t seed = 42;         // Default: 42

  Status Validate() const;
};

Result<std::unique_ptr<Embedder>> FitLsaEmbedder(const std::vector<std::string>& corpus,
                                                 const LsaOptions& options = {});
// Persists / restores a fitted LSA embedder (a single file, written atomically).
Status SaveLsaEmbedder(const Embedder& embedder, const std::string& path);
Result<std::unique_ptr<Embedder>> LoadLsaEmbedder(const std::string& path);
// The same model as bytes (the archive keeps the model it embeds with in its metadata).
// `what` names the source in errors.
Result<std::string> SerializeLsaEmbedder(const Embedder& embedder);
Result<std::unique_ptr<Embedder>> ParseLsaEmbedder(std::string_view bytes, const std::string& what);

}  // namespace archivist::index
